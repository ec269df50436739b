"""The watch on crafted histories: who is listed, why, and in which order."""

from __future__ import annotations

from datetime import timedelta

import pytest

from goodwill.churn.models import ChurnEntry, ChurnSettings
from goodwill.churn.tests.conftest import NOW, broken_promise
from goodwill.churn.watch import compute_watch, rebuild_watch
from goodwill.conversations.models import Conversation
from goodwill.conversations.services import set_need_met

pytestmark = pytest.mark.django_db


def listed(now=NOW):  # type: ignore[no-untyped-def]
    return {entry.customer.name: entry for entry in compute_watch(now, chunk=3).entries}


def test_a_regular_writer_gone_silent_after_a_broken_promise_is_listed_with_the_reason_in_words(history):
    conversations = history("Rita Regular", [116, 95, 74, 53])  # every 21 days, silent for 53
    broken_promise(conversations[-1], due_days_ago=50)
    entry = listed()["Rita Regular"]
    last = conversations[-1].created_at
    assert entry.reason == (
        f"Last conversation {last.day} {last:%b}: promise “We'll process the refund by Friday.” due "
        f"{(NOW - timedelta(days=50)).day} {(NOW - timedelta(days=50)):%b} was broken; "
        "usually writes every 21 days, silent for 53."
    )
    assert entry.signals == ["promise"]
    assert entry.usual_interval_days == 21 and entry.silent_days == 53 and entry.conversation_count == 4
    assert entry.last_conversation_id == conversations[-1].pk


def test_silent_but_last_experience_good_is_not_listed(history):
    conversations = history("Gina Good", [116, 95, 74, 53])
    broken_promise(conversations[-2])  # a bad experience, but not the last one
    assert "Gina Good" not in listed()


def test_a_bad_experience_still_within_the_rhythm_is_not_listed(history):
    conversations = history("Wendy Within", [63, 42, 21])  # silent 21 days, usual 21: not overdue
    broken_promise(conversations[-1])
    assert "Wendy Within" not in listed()
    assert "Wendy Within" in listed(NOW + timedelta(days=30))  # 51 days > 2 × 21


def test_single_contact_customers_use_the_team_default(history, support_team):
    broken_promise(history("Sid Single", [50])[-1])  # default 30 days: 50 is not past 2 × 30
    broken_promise(history("Olga Once", [70])[-1])
    found = listed()
    assert "Sid Single" not in found
    assert found["Olga Once"].interval_basis == "only 1 conversation; team default"
    assert found["Olga Once"].usual_interval_days == 30
    ChurnSettings.objects.create(team=support_team, default_interval_days=20)
    assert listed()["Sid Single"].usual_interval_days == 20


def test_rows_rank_by_value_then_tenure_then_conversation_count(history):
    for name, days, value in [
        ("No Value", [300, 280, 260], None),
        ("Small Old", [400, 380, 360], "100"),
        ("Big", [150, 130, 110], "5000"),
        ("Small New", [250, 230, 210, 190], "100"),
        ("Small Old Busier", [400, 390, 380, 370], "100"),
    ]:
        conversations = history(name, days, value=value)
        broken_promise(conversations[-1])
    result = compute_watch(NOW, chunk=2)
    assert [entry.customer.name for entry in result.entries] == [
        "Big",
        "Small Old Busier",
        "Small Old",
        "Small New",
        "No Value",
    ]
    assert [entry.rank for entry in result.entries] == [1, 2, 3, 4, 5]


def test_changed_thresholds_change_who_is_listed(history, support_team):
    conversations = history("Tom Threshold", [100, 80, 60, 40])  # usual 20, silent 40
    broken_promise(conversations[-1])
    assert "Tom Threshold" not in listed()
    settings = ChurnSettings.objects.create(team=support_team, factor=1.5)
    assert "Tom Threshold" in listed()
    settings.min_interval_days = 30  # 40 < 1.5 × 30
    settings.save()
    assert "Tom Threshold" not in listed()
    settings.min_interval_days, settings.use_promises = 7, False
    settings.save()
    assert "Tom Threshold" not in listed()
    settings.use_promises, settings.enabled = True, False
    settings.save()
    assert "Tom Threshold" not in listed()


def test_an_unanswered_outreach_is_no_contact_but_a_customer_who_wrote_again_is_gone_from_the_list(history):
    conversations = history("Back Again", [116, 95, 74, 53])
    broken_promise(conversations[-1])
    assert "Back Again" in listed()
    history("", [2], customer=conversations[0].customer)
    assert "Back Again" not in listed()


def test_merged_and_internal_conversations_do_not_count(history):
    conversations = history("Mia Merged", [116, 95, 74, 53])
    broken_promise(conversations[-1])
    extra = history("", [3], customer=conversations[0].customer)[0]
    Conversation.objects.filter(pk=extra.pk).update(merged_into=conversations[-1])
    assert "Mia Merged" in listed()


def test_rebuild_replaces_the_list_and_logs_the_run(history):
    conversations = history("Rita Regular", [116, 95, 74, 53])
    broken_promise(conversations[-1])
    run = rebuild_watch(NOW, chunk=2)
    assert run.listed == 1 and run.customers_seen == 1
    set_need_met(conversations[-1], "yes", by=None)
    conversations[-1].promises.all().delete()
    assert rebuild_watch(NOW).listed == 0
    assert not ChurnEntry.objects.exists()
