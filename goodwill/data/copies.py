"""Copies of a customer's data that no foreign key leads to, or that outlive the rows they
were made from: webhook bodies (sent to someone else, kept for the delivery log), notices to
agents (titles and bodies quote names, subjects and promises), and interview theme quotes
(answers copied into the theme). erasure.py calls `erase_copies` before any row goes.

What was checked and needs nothing here: outgoing-mail `core.Delivery` rows hold only a key
and our Message-ID; the search index follows its base rows (triggers, generated columns) and
is compacted after commit (outside.py); automation `RuleRun` rows hang off the conversation
(found by the graph); task payloads and every other text column are swept for the person's
addresses and phone numbers (outside.sweep_all_tables); import logs (`ImportedObject`,
`ImportRun`) keep only the source system's ids as tombstones.
"""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse

from goodwill.accounts.models import Notification
from goodwill.conversations.models import Conversation
from goodwill.data.outside import Erasing
from goodwill.voice.models import Answer, InterviewTheme
from goodwill.webhooks.models import WebhookAttempt, WebhookDelivery

ERASED_BODY = '{"erased":true}'
NOT_SENT = "Not sent: the customer's data was erased."


def erase_copies(erasing: Erasing, *, keep_conversations: bool) -> None:
    erase_webhook_bodies(erasing)
    erase_notices(erasing, keep_conversations=keep_conversations)
    erase_theme_quotes(erasing)


def _webhook_deliveries(erasing: Erasing) -> list[int]:
    """Deliveries about the customer: those of their events (found by the graph) and any body
    that names them (a rule's call has no event); bodies are compact JSON (payloads.build)."""
    ids = set(erasing.rows.of(WebhookDelivery))
    named = WebhookDelivery.objects.filter(body__contains=f'"customer":{{"id":{erasing.customer.pk},"name":')
    ids |= set(named.values_list("pk", flat=True))
    return sorted(ids)


def erase_webhook_bodies(erasing: Erasing) -> None:
    """The log keeps that a delivery happened (topic, status, times), not what it carried; one
    not sent yet is not sent at all: the person's data must not leave after their erasure."""
    ids = _webhook_deliveries(erasing)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        WebhookDelivery.objects.filter(pk__in=chunk, state=WebhookDelivery.State.PENDING).update(
            state=WebhookDelivery.State.FAILED, last_error=NOT_SENT, lease_until=None
        )
        WebhookDelivery.objects.filter(pk__in=chunk).update(body=ERASED_BODY)
        WebhookAttempt.objects.filter(delivery_id__in=chunk).update(
            response_excerpt=""
        )  # an echo of the body
    erasing.counts["webhook_bodies_erased"] = len(ids)


def _paths(erasing: Erasing) -> list[str]:
    numbers = Conversation.objects.filter(pk__in=erasing.rows.of(Conversation)).values_list(
        "number", flat=True
    )
    paths = [reverse("conversations:detail", args=[number]) for number in numbers]
    return [*paths, reverse("conversations:customer", args=[erasing.customer.pk])]


def erase_notices(erasing: Erasing, *, keep_conversations: bool) -> None:
    """Notices that point at the customer or their conversations: deleted with the conversations,
    or, when those are kept, with the person's names and addresses taken out like the rest."""
    paths = _paths(erasing)
    total = 0
    for start in range(0, len(paths), 200):
        condition = Q()
        for path in paths[start : start + 200]:
            condition |= Q(url=path) | Q(url__startswith=f"{path}#") | Q(url__startswith=f"{path}?")
        notices = Notification.objects.filter(condition)
        if not keep_conversations:
            total += notices.delete()[0]
            continue
        for notice in notices.only("pk", "title", "body"):
            title, body = erasing.scrubber.text(notice.title), erasing.scrubber.text(notice.body)
            if (title, body) != (notice.title, notice.body):
                Notification.objects.filter(pk=notice.pk).update(title=title[:300], body=body)
                total += 1
    erasing.counts["notices_erased"] = total


def erase_theme_quotes(erasing: Erasing) -> None:
    """A theme shows a few answers word for word: theirs leave the theme (the answers
    themselves go with the customer's invitations)."""
    answers = list(
        Answer.objects.filter(pk__in=erasing.rows.of(Answer))
        .exclude(theme=None)
        .values_list("theme_id", "text")
    )
    theirs: dict[int, set[str]] = {}
    for theme_id, text in answers:
        theirs.setdefault(theme_id, set()).add(text)
    changed = 0
    for theme in InterviewTheme.objects.filter(pk__in=theirs).only("pk", "quotes"):
        kept = [quote for quote in theme.quotes or [] if quote not in theirs[theme.pk]]
        if kept != (theme.quotes or []):
            InterviewTheme.objects.filter(pk=theme.pk).update(quotes=kept)
            changed += 1
    erasing.counts["theme_quotes_removed"] = changed
