"""Articles and labelled conversations built through the real services."""

from __future__ import annotations

from typing import Any

from django_tasks_db.models import DBTaskResult

from goodwill.accounts.models import Agent
from goodwill.conversations.models import ContactReason, Conversation
from goodwill.conversations.services import update_properties
from goodwill.conversations.tests.factories import make_conversation
from goodwill.core.events import run_subscriber, subscribed
from goodwill.knowledge.models import Article
from goodwill.knowledge.services import save_article


def make_article(by: Agent, **changes: Any) -> Article:
    fields: dict[str, Any] = {
        "title": "How returns work",
        "body": "Send the parcel back within **60 days**.",
        "status": Article.Status.PUBLISHED,
        "visibility": Article.Visibility.PUBLIC,
        "language": "en",
    }
    fields.update(changes)
    return save_article(fields, by=by)


def run_queued_subscribers() -> int:
    tasks = list(
        DBTaskResult.objects.filter(task_path="goodwill.core.events.run_subscriber").order_by("enqueued_at")
    )
    for task in tasks:
        run_subscriber.call(*task.args_kwargs["args"])
    DBTaskResult.objects.filter(pk__in=[task.pk for task in tasks]).delete()
    return len(tasks)


# Three needs a small team might label, with ways customers word them.
EXAMPLES: dict[str, list[tuple[str, str]]] = {
    "Where is my order": [
        ("Where is my parcel?", "My order {n} has not arrived yet, the tracking has not moved."),
        ("Delivery late", "The courier said delivery on Monday for order {n} but nothing came."),
        ("Tracking stuck", "Tracking for parcel {n} is stuck at the depot since last week."),
        ("Still waiting", "Still waiting for my delivery, order {n}. Where is it?"),
    ],
    "Refund": [
        ("Refund please", "I returned the item {n} two weeks ago and still have no refund on my card."),
        ("Money back", "Please refund order {n}, I was charged twice for it."),
        ("Refund status", "When will the refund for {n} reach my bank account?"),
        ("Charged twice", "My card was charged twice for {n}; I want my money back."),
    ],
    "Password": [
        ("Cannot log in", "I forgot my password and the reset email {n} never arrives."),
        ("Password reset", "The password reset link says expired, account {n}."),
        ("Locked out", "My account {n} is locked after too many login attempts."),
        ("Login problem", "I cannot sign in, it says my password is wrong, user {n}."),
    ],
}


def label_conversations(by: Agent, per_need: int = 12) -> dict[str, ContactReason]:
    """Open and label `per_need` conversations per need (no subscribers run)."""
    needs = {name: ContactReason.objects.get_or_create(name=name, parent=None)[0] for name in EXAMPLES}
    with subscribed({}):
        for name, variants in EXAMPLES.items():
            for i in range(per_need):
                subject, text = variants[i % len(variants)]
                conversation = make_conversation(subject=subject, text=text.format(n=1000 + i))
                update_properties(conversation, {"need": needs[name]}, by=by)
    return needs


def open_unlabelled(subject: str, text: str) -> Conversation:
    with subscribed({}):
        return make_conversation(subject=subject, text=text)
