from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from goodwill.channels.portal.models import SignInLink
from goodwill.channels.portal.services import LINKS_PER_ADDRESS, LINKS_PER_IP, SESSION_KEY, hash_token
from goodwill.channels.portal.tests.conftest import link_from_outbox
from goodwill.customers.models import Customer

pytestmark = pytest.mark.django_db(transaction=False)


def without_csrf(body: bytes) -> str:
    return re.sub(r'("X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]+', r"\1", body.decode())


def ask_for_link(client: Client, email: str, **extra: str):  # type: ignore[no-untyped-def]
    return client.post("/portal/", {"email": email}, **extra)


def test_the_sign_in_page_has_a_labelled_email_field(client: Client) -> None:
    response = client.get("/portal/")
    body = response.content.decode()
    assert response.status_code == 200
    assert '<label for="id_email">Your email address</label>' in body
    assert "Email me a sign-in link" in body


def test_asking_for_a_link_sends_one_mail_with_a_working_link(
    client: Client, customer: Customer, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = ask_for_link(client, "Carla@Customer.test")
    assert response.status_code == 302
    assert response["Location"] == "/portal/check-your-email/"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["carla@customer.test"]
    path = link_from_outbox()

    confirm = client.get(path)
    assert confirm.status_code == 200
    assert SESSION_KEY not in client.session  # following the link alone signs nobody in
    signed_in = client.post(path)
    assert signed_in.status_code == 302
    assert client.session[SESSION_KEY] == customer.pk
    assert "My requests" in client.get("/portal/").content.decode()


def test_only_a_hash_of_the_token_is_stored(
    client: Client, customer: Customer, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        ask_for_link(client, "carla@customer.test")
    token = link_from_outbox().rstrip("/").rsplit("/", 1)[1]
    link = SignInLink.objects.get()
    assert link.token_hash == hash_token(token)
    assert token not in link.token_hash


def test_a_link_works_only_once(client: Client, customer: Customer, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        ask_for_link(client, "carla@customer.test")
    path = link_from_outbox()
    assert client.post(path).status_code == 302
    other = Client()
    assert other.get(path).status_code == 410
    second = other.post(path)
    assert second.status_code == 410
    assert SESSION_KEY not in other.session


def test_an_expired_link_signs_nobody_in(
    client: Client, customer: Customer, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        ask_for_link(client, "carla@customer.test")
    path = link_from_outbox()
    SignInLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(path).status_code == 410
    assert client.post(path).status_code == 410
    assert SESSION_KEY not in client.session


def test_a_made_up_link_signs_nobody_in(client: Client, customer: Customer) -> None:
    response = client.post("/portal/sign-in/not-a-real-token/")
    assert response.status_code == 410
    assert SESSION_KEY not in client.session


def test_known_and_unknown_addresses_get_the_same_answer(
    client: Client, customer: Customer, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        known = ask_for_link(client, "carla@customer.test")
        unknown = ask_for_link(client, "nobody@nowhere.test")
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    page_known = client.get(known["Location"])
    page_unknown = client.get(unknown["Location"])
    assert without_csrf(page_known.content) == without_csrf(page_unknown.content)
    assert len(mail.outbox) == 2
    assert mail.outbox[0].body.split("http")[0] == mail.outbox[1].body.split("http")[0]


def test_a_new_address_becomes_a_customer_only_when_the_link_is_used(
    client: Client, db, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        ask_for_link(client, "newbie@example.test")
    assert not Customer.objects.with_email("newbie@example.test").exists()
    client.post(link_from_outbox())
    customer = Customer.objects.with_email("newbie@example.test").get()
    assert client.session[SESSION_KEY] == customer.pk


def test_an_address_is_rate_limited(client: Client, customer: Customer, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(LINKS_PER_ADDRESS):
            assert ask_for_link(client, "carla@customer.test", REMOTE_ADDR=f"10.0.0.{number}").status_code == 302
        refused = ask_for_link(client, "carla@customer.test", REMOTE_ADDR="10.0.1.1")
    assert refused.status_code == 429
    assert "Too many sign-in links" in refused.content.decode()
    assert len(mail.outbox) == LINKS_PER_ADDRESS


def test_an_ip_is_rate_limited_across_addresses(client: Client, db, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(LINKS_PER_IP):
            assert ask_for_link(client, f"person{number}@example.test").status_code == 302
        refused = ask_for_link(client, "one-more@example.test")
    assert refused.status_code == 429
    assert len(mail.outbox) == LINKS_PER_IP


def test_an_invalid_address_is_refused_without_mail(client: Client, db) -> None:
    response = ask_for_link(client, "not an address")
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    assert mail.outbox == []


def test_signing_out_ends_the_portal_session(portal_client: Client) -> None:
    page = portal_client.get("/portal/").content.decode()
    assert '<button type="submit" class="link-button">Sign out</button>' in page
    response = portal_client.post("/portal/sign-out/")
    assert response.status_code == 302
    assert SESSION_KEY not in portal_client.session
    assert "Email me a sign-in link" in portal_client.get("/portal/").content.decode()


def test_forms_need_a_csrf_token(customer: Customer) -> None:
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/portal/", {"email": "carla@customer.test"}).status_code == 403
    assert mail.outbox == []


def test_a_portal_session_is_not_an_agent_session(portal_client: Client) -> None:
    response = portal_client.get("/")
    assert response.status_code == 302
    assert "/portal" not in response["Location"]


def test_signing_in_gives_a_fresh_session_key(
    client: Client, customer: Customer, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        ask_for_link(client, "carla@customer.test")
    path = link_from_outbox()
    client.get(path)
    before = client.session.session_key
    client.post(path)
    assert client.session.session_key != before
    assert client.session[SESSION_KEY] == customer.pk


def test_old_expired_links_are_dropped_when_the_address_asks_again(
    client: Client, customer: Customer, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        ask_for_link(client, "carla@customer.test")
    SignInLink.objects.update(expires_at=timezone.now() - timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True):
        ask_for_link(client, "carla@customer.test")
    assert SignInLink.objects.count() == 1
    assert SignInLink.objects.get().expires_at > timezone.now()
