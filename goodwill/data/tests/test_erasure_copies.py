"""Erasure reaches the copies made from a customer's rows: webhook bodies (event and rule-call
deliveries, sent or waiting), notices to agents, interview theme quotes; others' copies stay."""

from __future__ import annotations

import pytest

from goodwill.accounts.models import Notification
from goodwill.accounts.notifications import notify
from goodwill.conversations.models import Conversation
from goodwill.core.events import subscribed
from goodwill.core.models import Event
from goodwill.customers.services import create_customer
from goodwill.data.copies import ERASED_BODY, NOT_SENT
from goodwill.data.erasure import erase_customer
from goodwill.data.tests.helpers import customer_with_everything, table_hits
from goodwill.voice import interviews
from goodwill.voice.models import Answer, Campaign, InterviewTheme
from goodwill.webhooks import services as webhooks
from goodwill.webhooks.models import Webhook, WebhookAttempt, WebhookDelivery

pytestmark = pytest.mark.django_db

THEIR_ANSWER = "The kettle support team always calls back"
OTHER_ANSWER = "Quick refunds keep me here"


def _copies(conversation: Conversation, agent, admin) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """A webhook delivered for their message, a rule call still waiting, a notice, a theme quote."""
    webhook = Webhook.objects.create(
        name="CRM", url="https://crm.example.com/hook", topics=["message.received"]
    )
    event = Event.objects.filter(conversation=conversation, kind=Event.Kind.MESSAGE_RECEIVED).first()
    assert event is not None
    [sent] = webhooks.queue_for_event(event)
    WebhookDelivery.objects.filter(pk=sent.pk).update(state=WebhookDelivery.State.DELIVERED, attempts=1)
    WebhookAttempt.objects.create(
        delivery=sent, number=1, started_at=sent.created_at, status=200, response_excerpt="Got Dana Erasable"
    )
    webhooks.queue_rule_call(webhook, conversation, rule_name="Escalate", run_id=7)
    waiting = WebhookDelivery.objects.get(key__endswith=":rule:7")
    notify(
        [agent],
        key="callback:1",
        kind="callback",
        title="Call Dana Erasable back",
        body="About: Broken kettle",
        url=f"/c/{conversation.number}/#callbacks",
    )
    campaign = Campaign.objects.create(name="Spring", created_by=admin)
    other = create_customer(name="Olga Other", emails=["olga@example.org"])
    interviews.invite(campaign, interviews.Selection(emails="dana.erasable@example.org, olga@example.org"))
    for invitation in campaign.invitations.all():
        text = OTHER_ANSWER if invitation.customer_id == other.pk else THEIR_ANSWER
        interviews.record_answers(invitation, [text])
    theme = InterviewTheme.objects.create(
        campaign=campaign, name="service", quotes=[THEIR_ANSWER, OTHER_ANSWER]
    )
    Answer.objects.filter(invitation__campaign=campaign).update(theme=theme)
    return {"sent": sent, "waiting": waiting, "theme": theme, "other": other, "webhook": webhook}


@pytest.mark.parametrize("keep", [False, True], ids=["delete", "anonymise"])
def test_webhook_bodies_notices_and_quotes_lose_the_person(
    keep, agent, admin, django_capture_on_commit_callbacks
):  # type: ignore[no-untyped-def]
    conversation = customer_with_everything(agent)
    made = _copies(conversation, agent, admin)
    assert "webhooks_webhookdelivery.body" in table_hits("Erasable")
    assert "accounts_notification.title" in table_hits("Erasable")
    with subscribed({}), django_capture_on_commit_callbacks(execute=True):
        erasure = erase_customer(conversation.customer, keep_conversations=keep)
    assert table_hits("Erasable") == []
    assert table_hits("kettle support team") == []  # their interview answer, quoted in the theme
    sent = WebhookDelivery.objects.get(pk=made["sent"].pk)  # type: ignore[attr-defined]
    waiting = WebhookDelivery.objects.get(pk=made["waiting"].pk)  # type: ignore[attr-defined]
    assert sent.body == waiting.body == ERASED_BODY
    assert sent.state == WebhookDelivery.State.DELIVERED  # the log still says it was delivered
    assert waiting.state == WebhookDelivery.State.FAILED and waiting.last_error == NOT_SENT
    assert webhooks.attempt(waiting.pk) is None  # never sent after the erasure
    assert WebhookAttempt.objects.get(delivery=sent).response_excerpt == ""
    assert "kettle" not in sent.body and "kettle" not in waiting.body
    theme = InterviewTheme.objects.get(pk=made["theme"].pk)  # type: ignore[attr-defined]
    assert theme.quotes == [OTHER_ANSWER]
    if keep:
        assert Notification.objects.get().title == "Call [erased] back"
    else:
        assert not Notification.objects.exists()
    assert erasure.counts["webhook_bodies_erased"] == 2 and erasure.counts["theme_quotes_removed"] == 1


def test_other_customers_webhook_bodies_and_notices_stay(agent, admin, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    conversation = customer_with_everything(agent)
    made = _copies(conversation, agent, admin)
    from goodwill.conversations.services import open_conversation

    with subscribed({}):
        theirs = open_conversation(
            customer=made["other"], subject="Refund please", channel="email", text="Hi"
        )[0]
    webhooks.queue_rule_call(made["webhook"], theirs, rule_name="Escalate", run_id=8)  # type: ignore[arg-type]
    notify([agent], key="other", title="Call Olga Other back", url=f"/c/{theirs.number}/")
    with subscribed({}), django_capture_on_commit_callbacks(execute=True):
        erase_customer(conversation.customer, keep_conversations=False)
    olga = WebhookDelivery.objects.get(key__endswith=":rule:8")
    assert "Olga Other" in olga.body and olga.state == WebhookDelivery.State.PENDING
    assert Notification.objects.get().title == "Call Olga Other back"
