from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from goodwill.channels.portal.services import SESSION_KEY
from goodwill.customers.models import Customer
from goodwill.customers.services import create_customer

LINK_RE = re.compile(r"http://testserver(/portal/sign-in/[^/\s]+/)")


def link_from_outbox(index: int = -1) -> str:
    match = LINK_RE.search(mail.outbox[index].body)
    assert match, mail.outbox[index].body
    return match.group(1)


def sign_in_as(client: Client, customer: Customer) -> Client:
    session = client.session
    session[SESSION_KEY] = customer.pk
    session.save()
    return client


@pytest.fixture(autouse=True)
def _base_url(settings):  # type: ignore[no-untyped-def]
    settings.BASE_URL = "http://testserver"


@pytest.fixture
def other_customer(db) -> Customer:  # type: ignore[no-untyped-def]
    return create_customer(name="Oscar Other", emails=["oscar@other.test"])


@pytest.fixture
def portal_client(client: Client, customer: Customer) -> Client:
    return sign_in_as(client, customer)
