"""Who reacts to what: every subscriber of the event seam, in one place (see core/events.py).

Topic → dotted paths of handlers `def handler(event: core.models.Event) -> None`. Each runs
as a background task after the transaction that recorded the event commits, retried with
backoff, and applies each event once (a receipt is written with the handler's own changes).
Strings only: nothing here is imported until an event needs it, so the core never imports a
feature app. A topic nobody listens to costs nothing.

Topics: the kinds of `core.models.Event.Kind` ("message.received", "message.replied",
"message.note", "conversation.opened", "conversation.status", "conversation.assigned",
"conversation.priority", "conversation.need", "customer.created", …) and, derived from
status changes, "conversation.solved" and "conversation.reopened".

Example (a feature app `goodwill/expectations/`):

    # goodwill/expectations/subscribers.py
    def start_clock(event: Event) -> None:
        Clock.objects.create(conversation_id=event.conversation_id, started_at=event.created_at)

    # here
    "message.received": ("goodwill.expectations.subscribers.start_clock",),
"""

from __future__ import annotations

SLA_CLOCKS = "goodwill.expectations.subscribers.follow_conversation"

SUBSCRIBERS: dict[str, tuple[str, ...]] = {
    # Listening scores every customer message; a conversation's first one arrives with its
    # opening. SLA clocks (expectations) start, stop and pause on these topics. The knowledge
    # base suggests a new conversation's need from its first message.
    "conversation.opened": (
        "goodwill.listening.subscribers.score_message",
        SLA_CLOCKS,
        "goodwill.knowledge.subscribers.suggest_need_for_new_conversation",
    ),
    "message.received": ("goodwill.listening.subscribers.score_message", SLA_CLOCKS),
    # Whoever asked another team for help hears when it is answered or solved; promises
    # confirmed for a draft point at the reply that carried them.
    "message.replied": (
        SLA_CLOCKS,
        "goodwill.internal.services.tell_asker",
        "goodwill.promises.subscribers.link_promises_to_reply",
    ),
    "conversation.status": (SLA_CLOCKS,),
    # Solving a conversation plans its two-axis survey (sent after the team's delay).
    "conversation.solved": ("goodwill.internal.services.tell_asker", "goodwill.voice.services.plan_survey"),
}

# Automation (rules, assignment) and webhooks (issue 16): one handler for both (one task per
# transaction), appended per topic so other apps' handlers for the same topics stay as they are.
for _topic in (
    "conversation.opened", "message.received", "message.replied", "message.note", "message.phone",
    "message.walk_in", "conversation.status", "conversation.priority", "conversation.assigned",
    "conversation.team", "conversation.tags", "conversation.need", "conversation.need_met",
    "conversation.fields", "conversation.subject", "conversation.merged", "conversation.split",
    "conversation.solved", "conversation.reopened",
):  # fmt: skip
    SUBSCRIBERS[_topic] = (*SUBSCRIBERS.get(_topic, ()), "goodwill.automation.subscribers.react")

# Insights (issue 15): a new conversation, a return posted through the API, or a customer merge
# recomputes the customer's feedback answers' first return (Survey.came_back_after, read by the
# outcome × conduct dashboard) and marks their extra-mile report days stale.
SUBSCRIBERS["conversation.opened"] = (
    *SUBSCRIBERS.get("conversation.opened", ()),
    "goodwill.voice.returns.customer_came_back",
)
SUBSCRIBERS["customer.returned"] = (*SUBSCRIBERS.get("customer.returned", ()), "goodwill.voice.returns.customer_came_back")
SUBSCRIBERS["customer.changed"] = (*SUBSCRIBERS.get("customer.changed", ()), "goodwill.voice.returns.customers_merged")
# Voice (issue 14): what moves a conversation in or out of an extra-mile report day marks the day stale
# ("conversation.status" carries solving and reopening: the derived topics would name the same events).
for _topic in (
    "conversation.status", "conversation.assigned", "conversation.team", "conversation.merged",
    "feedback.answered",
):  # fmt: skip
    SUBSCRIBERS[_topic] = (*SUBSCRIBERS.get(_topic, ()), "goodwill.voice.extra_mile_days.conversation_changed")
# Insights (issue 15): the daily figures follow every change that moves a count, a time, an SLA
# outcome or a key (team, need, assignee, customer); appended like automation's, per topic.
for _topic in (
    "conversation.opened", "message.received", "message.replied", "message.phone", "message.walk_in",
    "conversation.status", "conversation.assigned", "conversation.team", "conversation.need",
    "conversation.merged", "conversation.split", "customer.changed", "sla.breached",
):  # fmt: skip
    SUBSCRIBERS[_topic] = (*SUBSCRIBERS.get(_topic, ()), "goodwill.insights.subscribers.refresh_figures")
# Service recovery (issue 15): a failure opens one recovery case, when the team's triggers say so.
for _topic, _handler in (
    ("sla.breached", "on_sla_breached"), ("promise.late", "on_promise_late"),
    ("promise.broken", "on_promise_broken"), ("feedback.answered", "on_feedback_answered"),
    ("mood.turned", "on_mood_turned"), ("complaint.marked", "on_complaint_marked"),
    ("conversation.reopened", "on_reopened"),
):  # fmt: skip
    SUBSCRIBERS[_topic] = (*SUBSCRIBERS.get(_topic, ()), f"goodwill.recovery.subscribers.{_handler}")
# Insights: an erasure takes the deleted conversations out of "open now" ("customer.erased" is
# derived from the erasure's audit event, see core/events.py).
SUBSCRIBERS["customer.erased"] = (
    *SUBSCRIBERS.get("customer.erased", ()),
    "goodwill.insights.subscribers.forget_erased",
)
# Insights (issue 15): a promise carries its conversation's team for "Promise keeping"; it moves with it.
SUBSCRIBERS["conversation.team"] = (
    *SUBSCRIBERS.get("conversation.team", ()),
    "goodwill.promises.subscribers.follow_conversation_team",
)
