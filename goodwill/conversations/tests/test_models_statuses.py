"""Open and finished: the one definition every app reads (voice, insights, expectations…)."""

from __future__ import annotations

import pytest

from goodwill.conversations.models import Conversation
from goodwill.conversations.services import change_status, open_conversation

pytestmark = pytest.mark.django_db


def test_every_status_is_open_or_finished_never_both():
    open_, finished = set(Conversation.OPEN_STATUSES), set(Conversation.FINISHED_STATUSES)
    assert open_ | finished == set(Conversation.Status.values) and not open_ & finished
    assert finished == {"solved", "closed"}


def test_finished_conversations_and_when_they_ended(customer, agent):
    def opened(subject: str) -> Conversation:
        return open_conversation(customer=customer, subject=subject, channel="email", text="Hi")[0]

    still_open, solved, closed, imported = opened("a"), opened("b"), opened("c"), opened("d")
    change_status(solved, "solved", by=agent)
    change_status(closed, "closed", by=agent)
    # An import can bring a conversation closed without ever being solved: it ended with its last message.
    Conversation.objects.filter(pk=imported.pk).update(status="closed", solved_at=None)
    ended = dict(Conversation.objects.finished().with_ended().values_list("pk", "ended"))
    assert set(ended) == {solved.pk, closed.pk, imported.pk} and still_open.pk not in ended
    solved.refresh_from_db()
    closed.refresh_from_db()
    imported.refresh_from_db()
    assert ended == {
        solved.pk: solved.solved_at,
        closed.pk: closed.solved_at,
        imported.pk: imported.last_message_at,
    }
