"""The composer offers detected promises; confirming stores them; the sidebar, the row badge, the
"Promises due" view, the ledger page and the portal show them to whom they should."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from goodwill.channels.portal.tests.conftest import sign_in_as
from goodwill.conversations.services import add_reply
from goodwill.conversations.tests.factories import make_conversation
from goodwill.core.events import subscribed
from goodwill.core.periodic import run_job
from goodwill.promises.models import Promise
from goodwill.promises.services import confirm_promise, link_reply

pytestmark = pytest.mark.django_db

INBOX = reverse("conversations:inbox")
DRAFT = "Hi Carla,\n\nThanks for waiting. I'll call you back tomorrow and we'll ship it by Friday.\n\nSam"


@pytest.fixture(autouse=True)
def _fresh_cache():  # type: ignore[no-untyped-def]
    cache.clear()


@pytest.fixture
def conversation(customer, support_team):  # type: ignore[no-untyped-def]
    with subscribed({}):
        return make_conversation(customer=customer, team=support_team)


def check(client, conversation, text=DRAFT, kind="reply"):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("conversations:draft_check", args=[conversation.number]), {"text": text, "kind": kind}
    )


def test_the_composer_shows_each_promise_with_its_due_date(client, agent, conversation):
    client.force_login(agent)
    page = check(client, conversation).content.decode()
    assert "Promises in this reply" in page
    assert page.count("Confirm promise") == 2 and page.count("Not a promise") == 2
    assert "I&#x27;ll call you back tomorrow" in page
    assert 'type="datetime-local"' in page
    assert "Promises in this reply" not in check(client, conversation, kind="note").content.decode()
    assert "Promises in this reply" not in check(client, conversation, text="Thanks, Carla.").content.decode()


def test_confirm_without_scripts_stores_it_and_returns_to_the_conversation(client, agent, conversation):
    client.force_login(agent)
    url = reverse("promises:confirm", args=[conversation.number])
    response = client.post(url, {"text": "we'll ship it by Friday", "due": "2026-12-11T17:00"})
    assert response.status_code == 302 and response["Location"] == reverse(
        "conversations:detail", args=[conversation.number]
    )
    promise = Promise.objects.get()
    assert (promise.owner, promise.customer_id, promise.text) == (
        agent,
        conversation.customer_id,
        "we'll ship it by Friday",
    )
    assert promise.due_at.astimezone(agent.zone).strftime("%Y-%m-%d %H:%M") == "2026-12-11 17:00"
    page = client.get(reverse("conversations:detail", args=[conversation.number])).content.decode()
    assert "we&#x27;ll ship it by Friday" in page and "reply not sent yet" in page


def test_confirm_with_htmx_swaps_the_sidebar_and_reruns_the_checks(client, agent, conversation):
    client.force_login(agent)
    url = reverse("promises:confirm", args=[conversation.number])
    response = client.post(
        url, {"text": "I'll call you back tomorrow", "due": "2026-12-08T17:00"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and response["HX-Trigger-After-Settle"] == "goodwill:draft-changed"
    assert 'id="promises-panel"' in response.content.decode()
    remaining = check(client, conversation).content.decode()
    assert remaining.count("Confirm promise") == 1  # the confirmed one is no longer offered


def test_bad_due_date_keeps_what_was_typed_and_changes_nothing(client, agent, conversation):
    client.force_login(agent)
    url = reverse("promises:confirm", args=[conversation.number])
    response = client.post(url, {"text": "Call Carla", "due": "next blue moon", "source": "manual"})
    assert response.status_code == 422
    page = response.content.decode()
    assert "YYYY-MM-DD" in page and 'value="Call Carla"' in page and 'value="next blue moon"' in page
    response = client.post(
        url, {"text": "Call Carla", "due": "soon", "source": "manual"}, HTTP_HX_REQUEST="true"
    )
    # 422 with the panel: htmx-csp.js swaps 400/409/422 HTML answers (browser_tests/test_htmx_errors.py)
    assert response.status_code == 422 and "HX-Trigger-After-Settle" not in response
    assert "Not saved:" in response.content.decode() and 'value="Call Carla"' in response.content.decode()
    assert not Promise.objects.exists()


def test_add_by_hand_close_and_reschedule(client, agent, conversation):
    client.force_login(agent)
    client.post(
        reverse("promises:confirm", args=[conversation.number]),
        {"text": "Send the loan bike", "due": "", "source": "manual"},
    )
    promise = Promise.objects.get()
    assert promise.source == Promise.Source.MANUAL and promise.due_at is None
    client.post(reverse("promises:reschedule", args=[promise.pk]), {"due": "2026-12-10T12:00"})
    promise.refresh_from_db()
    assert promise.due_at is not None
    response = client.post(
        reverse("promises:close", args=[promise.pk]), {"closing": "cancelled", "reason": ""}
    )
    assert response.status_code == 422 and Promise.objects.get().is_open
    client.post(
        reverse("promises:close", args=[promise.pk]),
        {"closing": "cancelled", "reason": "Bike collected in store"},
    )
    assert Promise.objects.get().outcome == Promise.Outcome.CANCELLED


def test_agents_who_cannot_see_the_conversation_get_404(client, outsider, agent, billing_team, customer):
    with subscribed({}):
        hidden = make_conversation(customer=customer, team=billing_team)
    promise = confirm_promise(hidden, by=outsider, text="We'll refund by Friday.", due_at=timezone.now())
    client.force_login(agent)
    assert client.post(reverse("promises:confirm", args=[hidden.number]), {"text": "x"}).status_code == 404
    assert client.post(reverse("promises:close", args=[promise.pk]), {"closing": "kept"}).status_code == 404
    assert client.get(reverse("promises:panel", args=[hidden.number])).status_code == 404
    assert Promise.objects.get().is_open


def test_light_agents_see_promises_but_cannot_make_them(client, light_agent, agent, conversation):
    confirm_promise(conversation, by=agent, text="We'll ship it by Friday.", due_at=timezone.now())
    client.force_login(light_agent)
    page = client.get(reverse("conversations:detail", args=[conversation.number])).content.decode()
    assert "We&#x27;ll ship it by Friday." in page and "Close promise" not in page
    response = client.post(
        reverse("promises:confirm", args=[conversation.number]), {"text": "I promise", "due": ""}
    )
    assert response.status_code == 403
    assert Promise.objects.count() == 1


def test_due_promises_are_flagged_on_rows_and_listed_in_promises_due(
    client, agent, conversation, customer, django_assert_max_num_queries
):
    with subscribed({}):
        others = [make_conversation(customer=customer, subject=f"Other {i}") for i in range(3)]
    due = timezone.now() - timedelta(minutes=5)
    confirm_promise(conversation, by=agent, text="We'll ship it today.", due_at=due)
    confirm_promise(
        others[0], by=agent, text="We'll call you next week.", due_at=timezone.now() + timedelta(days=7)
    )
    run_job("promises.sweep")
    client.force_login(agent)
    page = client.get(INBOX, {"view": "promises_due"}).content.decode()
    assert "Promises due" in page
    assert f'data-number="{conversation.number}"' in page
    assert all(f'data-number="{other.number}"' not in page for other in others)
    assert "badge-promise-due" in page
    with django_assert_max_num_queries(30):
        client.get(INBOX, {"view": "open"})
    sidebar = client.get(reverse("conversations:detail", args=[conversation.number])).content.decode()
    assert "Due — not kept yet" in sidebar


def test_ledger_page_reports_kept_early_as_under_promise_over_deliver(client, agent, conversation):
    promise = confirm_promise(
        conversation, by=agent, text="We'll ship it by Friday.", due_at=timezone.now() + timedelta(days=3)
    )
    client.force_login(agent)
    client.post(reverse("promises:close", args=[promise.pk]), {"closing": "kept"})
    assert Promise.objects.get().outcome == Promise.Outcome.KEPT_EARLY
    page = client.get(reverse("promises:ledger")).content.decode()
    assert "Kept early: under-promised, over-delivered" in page
    sidebar = client.get(reverse("conversations:detail", args=[conversation.number])).content.decode()
    assert "under-promised, over-delivered" in sidebar


def test_the_portal_shows_the_customer_due_dates_of_sent_promises_only(client, agent, conversation, customer):
    sent = confirm_promise(
        conversation, by=agent, text="We'll ship it by Friday.", due_at=timezone.now() + timedelta(days=2)
    )
    confirm_promise(
        conversation,
        by=agent,
        text="Internal: chase the warehouse",
        due_at=timezone.now() + timedelta(days=1),
    )
    with subscribed({}):
        reply = add_reply(conversation, by=agent, text="Hi Carla, we'll ship it by Friday. Sam")
    link_reply(reply)
    assert Promise.objects.get(pk=sent.pk).message == reply
    sign_in_as(client, customer)
    page = client.get(reverse("portal:conversation", args=[conversation.number])).content.decode()
    assert "What we promised" in page
    assert page.count("<li>Due ") == 1
    assert (
        "chase the warehouse" not in page
        and agent.display_name not in page.split("What we promised")[1].split("</section>")[0]
    )
