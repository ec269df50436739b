"""Need suggestion: trained on the team's labelled conversations, applied through the event seam, accepted in one click."""

from __future__ import annotations

import pytest
from django.urls import reverse

from goodwill.conversations.models import Conversation
from goodwill.core.events import subscribed
from goodwill.core.models import Event
from goodwill.knowledge import need
from goodwill.knowledge.models import NeedModel, NeedSuggestion
from goodwill.knowledge.subscribers import suggest_need_for_new_conversation
from goodwill.knowledge.tests.helpers import label_conversations, open_unlabelled, run_queued_subscribers

pytestmark = pytest.mark.django_db


def test_with_too_few_labelled_conversations_it_says_so_instead_of_guessing(agent):
    label_conversations(agent, per_need=3)  # 9 labelled
    assert need.train_need_model() is None
    state = need.readiness()
    assert state.model is None
    assert "9 of 30" in state.message
    conversation = open_unlabelled("Where is my parcel?", "My order has not arrived.")
    assert need.suggest_need(conversation) is None
    assert "Not enough labelled conversations" in need.retrain_need_model(None)  # type: ignore[arg-type]


def test_it_trains_a_versioned_model_and_suggests_with_confidence(agent):
    needs = label_conversations(agent)
    model = need.train_need_model()
    assert model is not None and model.version == 1
    assert model.examples == 36 and model.needs == 3 and model.held_out > 0
    assert model.accuracy is not None and 0.0 <= model.accuracy <= 1.0
    # Unchanged labels: the next run trains nothing.
    assert need.train_need_model() is None
    conversation = open_unlabelled("Refund", "I was charged twice and want my money back for the order.")
    suggestion = need.suggest_need(conversation)
    assert suggestion is not None
    assert suggestion.need == needs["Refund"]
    assert need.SUGGEST_FROM <= suggestion.confidence <= 1.0
    assert suggestion.model_version == 1
    # Idempotent: suggesting again changes nothing.
    assert need.suggest_need(conversation) is None
    assert NeedSuggestion.objects.count() == 1


def test_new_labels_give_a_new_version(agent):
    label_conversations(agent)
    need.train_need_model()
    label_conversations(agent, per_need=4)
    model = need.train_need_model()
    assert model is not None and model.version == 2
    assert NeedModel.objects.count() == 2


def test_a_new_conversation_gets_its_suggestion_through_the_event_seam(
    agent, customer, django_capture_on_commit_callbacks
):
    needs = label_conversations(agent)
    need.train_need_model()
    from goodwill.conversations.services import open_conversation

    with subscribed(
        {"conversation.opened": ("goodwill.knowledge.subscribers.suggest_need_for_new_conversation",)}
    ):
        with django_capture_on_commit_callbacks(execute=True):
            conversation, _ = open_conversation(
                customer=customer,
                subject="Cannot log in",
                channel="email",
                text="The password reset link never arrives and my account is locked.",
            )
        run_queued_subscribers()
    suggestion = NeedSuggestion.objects.get(conversation=conversation)
    assert suggestion.need == needs["Password"]
    # Running the handler again for the same event does nothing more.
    event = Event.objects.get(conversation_id=conversation.pk, kind="conversation.opened")
    suggest_need_for_new_conversation(event)
    assert NeedSuggestion.objects.count() == 1


def test_the_agent_accepts_the_suggestion_in_one_click(client, agent):
    needs = label_conversations(agent)
    need.train_need_model()
    conversation = open_unlabelled("Where is my parcel?", "Tracking has not moved, the delivery is late.")
    need.suggest_need(conversation)
    client.force_login(agent)
    html = client.get(reverse("conversations:detail", args=[conversation.number])).content.decode()
    assert "Suggested need" in html and "Where is my order" in html and "% confident" in html
    response = client.post(reverse("knowledge:accept_need", args=[conversation.number]))
    assert response.status_code == 302
    conversation.refresh_from_db()
    assert conversation.need == needs["Where is my order"]
    suggestion = NeedSuggestion.objects.get(conversation=conversation)
    assert suggestion.accepted_by == agent and suggestion.accepted_at is not None
    assert Event.objects.filter(
        conversation_id=conversation.pk, kind="conversation.need", actor=agent
    ).exists()
    # The need is set now: the suggestion panel is gone.
    html = client.get(reverse("conversations:detail", args=[conversation.number])).content.decode()
    assert "Suggested need" not in html


def test_a_light_agent_cannot_accept(client, agent, light_agent):
    label_conversations(agent)
    need.train_need_model()
    conversation = open_unlabelled("Refund please", "Please refund my order, charged twice.")
    need.suggest_need(conversation)
    client.force_login(light_agent)
    html = client.get(reverse("conversations:detail", args=[conversation.number])).content.decode()
    assert "Set need to" not in html
    client.post(reverse("knowledge:accept_need", args=[conversation.number]))
    assert Conversation.objects.get(pk=conversation.pk).need_id is None


def test_the_sidebar_says_when_there_is_no_model_yet(client, agent):
    conversation = open_unlabelled("Hello", "A question.")
    client.force_login(agent)
    html = client.get(reverse("conversations:detail", args=[conversation.number])).content.decode()
    assert "Not enough labelled conversations to suggest needs yet: 0 of 30" in html


def test_the_worker_retrains_through_the_registered_periodic_job(agent):
    from goodwill.core.periodic import run_job

    label_conversations(agent)
    summary = run_job("knowledge.need_model")
    assert summary.startswith("need model v1: 36 examples")
    assert run_job("knowledge.need_model") == ""  # labels unchanged: nothing to do
    assert NeedModel.objects.count() == 1
