"""Erasure: afterwards the address is in no table, no file and no search index entry."""

from __future__ import annotations

import pytest

from goodwill.channels.email.intake import ingest_many
from goodwill.channels.email.models import MessageKey
from goodwill.conversations.models import Conversation, Message
from goodwill.core.events import subscribed
from goodwill.core.models import Event
from goodwill.core.periodic import run_job
from goodwill.customers.models import Customer
from goodwill.data.erasure import erase_customer
from goodwill.data.models import Erasure
from goodwill.data.scrub import ERASED_NAME, REMOVED_MESSAGE
from goodwill.data.tests.helpers import (
    ADDRESS,
    PHONE,
    customer_with_everything,
    file_hits,
    mail,
    search_hits,
    table_hits,
)

pytestmark = pytest.mark.django_db


def _erase(conversation: Conversation, keep: bool, django_capture_on_commit_callbacks, actor=None) -> Erasure:
    with subscribed({}), django_capture_on_commit_callbacks(execute=True):
        return erase_customer(conversation.customer, keep_conversations=keep, actor=actor)


def test_the_setup_really_holds_the_address_everywhere(agent):
    customer_with_everything(agent)
    assert "customers_identity.value" in table_hits(ADDRESS)
    assert any(hit.startswith("raw/") for hit in file_hits(ADDRESS))
    assert any(hit.startswith("attachments/") for hit in file_hits(ADDRESS))
    assert search_hits("erasable") > 0
    assert search_hits("kettle") > 0


def test_delete_mode_leaves_nothing_but_tombstones(agent, admin, django_capture_on_commit_callbacks):
    conversation = customer_with_everything(agent)
    keys = set(MessageKey.objects.values_list("key", flat=True))
    erasure = _erase(conversation, False, django_capture_on_commit_callbacks, actor=admin)
    assert table_hits(ADDRESS) == []
    assert table_hits(PHONE) == []
    assert table_hits("Erasable") == []
    assert file_hits(ADDRESS) == []
    assert search_hits("erasable") == 0
    assert search_hits("kettle") == 0
    assert not Conversation.objects.exists() and not Customer.objects.filter(name__contains="Dana").exists()
    # Tombstones: the Message-ID hashes stay and the same mail is never taken in again.
    assert set(MessageKey.objects.values_list("key", flat=True)) == keys
    with subscribed({}):
        summary = ingest_many([mail()])
    assert summary.duplicates == 1 and not Conversation.objects.exists()
    # Its bytes were stored before it was known to be a duplicate; the worker's sweep removes them.
    assert file_hits(ADDRESS)
    assert run_job("data.erased_duplicates") == "1 duplicate(s) of erased mail deleted"
    assert file_hits(ADDRESS) == [] and table_hits(ADDRESS) == []
    # The audit event says what happened and by whom, without the erased data.
    event = Event.objects.get(subject_type="data.erasure")
    assert event.actor == admin and event.customer is None
    assert event.after["mode"] == "delete" and "erasable" not in str(event.after).lower()
    assert erasure.counts["conversations_deleted"] == 1


def test_anonymise_mode_keeps_the_conversation_without_the_person(agent, django_capture_on_commit_callbacks):
    conversation = customer_with_everything(agent)
    _erase(conversation, True, django_capture_on_commit_callbacks)
    assert table_hits(ADDRESS) == []
    assert table_hits(PHONE) == []
    assert table_hits("Erasable") == []
    assert file_hits(ADDRESS) == []
    # What they wrote is gone from the index; the team's reply (scrubbed) stays findable.
    assert search_hits("erasable") == 0 and search_hits("broke") == 0 and search_hits("news") == 0
    assert search_hits("kettle") > 0
    conversation.refresh_from_db()
    assert conversation.customer.name == ERASED_NAME
    assert not conversation.customer.identities.exists()
    texts = list(
        Message.objects.filter(conversation=conversation).order_by("id").values_list("text", flat=True)
    )
    assert texts[:2] == [REMOVED_MESSAGE, REMOVED_MESSAGE]
    assert texts[2] == "Hello [erased], we will send a new kettle to [erased]."
    assert not Message.objects.filter(conversation=conversation, attachments__isnull=False).exists()


def test_other_customers_are_untouched(agent, django_capture_on_commit_callbacks):
    conversation = customer_with_everything(agent)
    with subscribed({}):
        ingest_many([mail(sender="other@example.org", msgid="o1@example.org", body="Other kettle story")])
    _erase(conversation, False, django_capture_on_commit_callbacks)
    other = Conversation.objects.get()
    assert other.customer.identities.get().value == "other@example.org"
    assert len(file_hits("other@example.org")) == 2  # their raw mail and attachment stay
    assert search_hits("story") == 1


def test_the_walk_finds_other_apps_models_and_keeps_tombstones():
    from goodwill.channels.email.models import EmailDetails
    from goodwill.data.graph import KEEP, personal_models

    found = personal_models()
    assert MessageKey._meta.label_lower in KEEP and MessageKey not in found
    assert {Customer, Conversation, Message, EmailDetails, Event} <= set(found)
    listening = [model for model in found if model._meta.app_label == "listening"]
    assert listening, "listening's scores hang off messages and must be found without being named"
