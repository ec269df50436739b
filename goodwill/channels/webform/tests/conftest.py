from __future__ import annotations

import time

import pytest

from goodwill.channels.webform import services
from goodwill.channels.webform.models import WebForm, WebFormField
from goodwill.conversations.models import ContactReason


@pytest.fixture(autouse=True)
def _fresh_limits(db):  # type: ignore[no-untyped-def]
    """Rate-limit counters live in the cache table, which transactional tests do not empty."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def web_form(support_team) -> WebForm:  # type: ignore[no-untyped-def]
    form = WebForm.objects.create(
        name="Contact", slug="contact", title="Contact us", team=support_team,
        need=ContactReason.objects.create(name="Orders"), allowed_origins="https://shop.example",
    )
    WebFormField.objects.create(form=form, key="order_number", label="Order number", kind="text", required=True)
    WebFormField.objects.create(form=form, key="topic", label="Topic", kind="choice", choices="Delivery\nRefund")
    return form


def aged_token(form: WebForm, seconds: float = 30.0) -> str:
    """A token as if the page had been shown `seconds` ago (people need time to type)."""
    return services.issue_token(form, now=time.time() - seconds)


def filled(form: WebForm, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "Maria Lopez",
        "email": "maria@customer.test",
        "subject": "Parcel never came",
        "x_order_number": "A-1042",
        "x_topic": "Delivery",
        "message": "My parcel was due on Monday and has not arrived.",
        "website": "",
        "token": aged_token(form),
    }
    data.update(overrides)
    return data
