"""The subscribers table keeps every app's handlers (an app must add to a topic, never replace it)."""

from __future__ import annotations

from goodwill.subscribers import SUBSCRIBERS


def test_every_feature_still_hears_its_topics():
    expected = {
        "conversation.opened": {"listening.subscribers.score_message", "expectations.subscribers.follow_conversation",
                                "knowledge.subscribers.suggest_need_for_new_conversation",
                                "automation.subscribers.react", "voice.returns.customer_came_back"},
        "message.received": {"listening.subscribers.score_message", "expectations.subscribers.follow_conversation",
                             "automation.subscribers.react"},
        "message.replied": {"expectations.subscribers.follow_conversation", "internal.services.tell_asker",
                            "promises.subscribers.link_promises_to_reply", "automation.subscribers.react"},
        "conversation.status": {"expectations.subscribers.follow_conversation", "automation.subscribers.react",
                                "voice.extra_mile_days.conversation_changed"},
        "conversation.solved": {"internal.services.tell_asker", "voice.services.plan_survey",
                                "automation.subscribers.react"},
    }
    # Insights keeps its daily figures from every conversation change (issue 15).
    for topic in ("conversation.opened", "message.received", "message.replied", "conversation.status"):
        expected[topic].add("insights.subscribers.refresh_figures")
    for topic, handlers in expected.items():
        assert {path.removeprefix("goodwill.") for path in SUBSCRIBERS[topic]} == handlers, topic
    for topic, paths in SUBSCRIBERS.items():
        assert len(paths) == len(set(paths)), f"{topic} lists a handler twice"


def test_service_recovery_hears_every_failure():
    for topic, handler in (
        ("sla.breached", "on_sla_breached"), ("promise.late", "on_promise_late"),
        ("promise.broken", "on_promise_broken"), ("feedback.answered", "on_feedback_answered"),
        ("mood.turned", "on_mood_turned"), ("complaint.marked", "on_complaint_marked"),
        ("conversation.reopened", "on_reopened"),
    ):  # fmt: skip
        assert f"goodwill.recovery.subscribers.{handler}" in SUBSCRIBERS[topic], topic
