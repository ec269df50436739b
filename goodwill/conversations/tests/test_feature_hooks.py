"""Hooks feature apps plug into: inbox filters (saved views keep them) and timeline masks."""

from __future__ import annotations

import pytest
from django.db.models import Q

from goodwill.conversations import selectors, timeline
from goodwill.conversations.forms import InboxFilterForm
from goodwill.conversations.selectors import InboxFilter, filters_q, register_filter
from goodwill.conversations.tests.factories import make_conversation
from goodwill.conversations.timeline import register_mask, unregister_mask

pytestmark = pytest.mark.django_db


@pytest.fixture
def subject_filter():  # type: ignore[no-untyped-def]
    saved = dict(selectors.INBOX_FILTERS)
    extra = register_filter(
        InboxFilter(
            "subj", "Subject", (("parcel", "About a parcel"),), lambda value: Q(subject__icontains=value)
        )
    )
    yield extra
    selectors.INBOX_FILTERS.clear()
    selectors.INBOX_FILTERS.update(saved)


def test_a_registered_filter_is_offered_kept_and_applied(agent, subject_filter):
    form = InboxFilterForm({"subj": "parcel"})
    assert form.is_valid() and form.as_filters() == {"subj": "parcel"}
    assert not InboxFilterForm({"subj": "bogus"}).is_valid()
    parcel = make_conversation(subject="My parcel")
    make_conversation(subject="An invoice")
    from goodwill.conversations.models import Conversation

    assert list(Conversation.objects.filter(filters_q({"subj": "parcel"}, agent))) == [parcel]
    assert Conversation.objects.filter(filters_q({"subj": "unknown value"}, agent)).count() == 2


def test_a_mask_folds_the_body_away_for_that_agent_only(client, agent, teammate):
    conversation = make_conversation(subject="Masked", text="Something hard to read")
    first = conversation.messages.get()

    def hide(agent_id, message_ids):  # type: ignore[no-untyped-def]
        return {first.pk: "Hidden for you."} if agent_id == agent.pk else {}

    register_mask(hide)
    try:
        client.force_login(agent)
        page = client.get(f"/c/{conversation.number}/").content.decode()
        assert '<details class="msg-masked"><summary>Hidden for you. Show the message</summary>' in page
        client.force_login(teammate)
        assert "msg-masked" not in client.get(f"/c/{conversation.number}/").content.decode()
    finally:
        unregister_mask(hide)
    assert timeline._mask_providers == [p for p in timeline._mask_providers if p is not hide]
