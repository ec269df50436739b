"""The SLA sweep the worker runs every minute (goodwill/schedules.py: "sla.sweep").

Warnings go out when a running clock passes its warning time; at breach the policy's
escalation runs: notify the assignee and the team leads, raise the priority, reassign.
Each target is claimed with a conditional UPDATE (`warned_at` / `breached_at` still empty)
in the same transaction as its actions, so however many workers sweep at once, and however
often a sweep repeats, each warning and each escalation happens once.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from goodwill.accounts.notifications import notify, notify_leads
from goodwill.conversations.models import Conversation
from goodwill.conversations.services import update_properties
from goodwill.expectations.badges import format_span
from goodwill.expectations.models import SlaTarget
from goodwill.expectations.services import record_breach

BATCH = 500


def sweep(now: datetime) -> str:
    warned = warn_before_breach(now)
    escalated = escalate_breaches(now)
    return f"{warned} warned, {escalated} escalated" if warned or escalated else ""


def _url(conversation: Conversation) -> str:
    return reverse("conversations:detail", args=[conversation.number])


def warn_before_breach(now: datetime) -> int:
    ids = list(
        SlaTarget.objects.filter(status=SlaTarget.Status.RUNNING, warned_at__isnull=True, warn_at__lte=now)
        .order_by("warn_at")
        .values_list("pk", flat=True)[:BATCH]
    )
    return sum(1 for pk in ids if warn_target(pk, now))


def warn_target(pk: int, now: datetime) -> bool:
    """Claim and send one warning; False when another sweep had it already."""
    with transaction.atomic():
        won = SlaTarget.objects.filter(pk=pk, status=SlaTarget.Status.RUNNING, warned_at__isnull=True).update(
            warned_at=now
        )
        if not won:
            return False
        target = SlaTarget.objects.select_related("conversation__assignee").get(pk=pk)
        conversation = target.conversation
        if target.due_at is None or target.due_at <= now:
            return False  # breached already: the escalation says it, a warning would be noise
        notify(
            [conversation.assignee] if conversation.assignee else [],
            key=f"sla-warn:{pk}",
            kind="sla",
            title=f"{target.get_kind_display()} due in {format_span(target.due_at - now)} on #{conversation.number}",
            body=conversation.subject,
            url=_url(conversation),
            email=True,
        )
    return True


def escalate_breaches(now: datetime) -> int:
    ids = list(
        SlaTarget.objects.filter(status=SlaTarget.Status.RUNNING, breached_at__isnull=True, due_at__lte=now)
        .order_by("due_at")
        .values_list("pk", flat=True)[:BATCH]
    )
    return sum(1 for pk in ids if escalate_target(pk, now))


def claim_breach(pk: int, now: datetime) -> bool:
    """The one claim per breach: True for exactly one caller, however many race."""
    return bool(
        SlaTarget.objects.filter(
            pk=pk, status=SlaTarget.Status.RUNNING, breached_at__isnull=True, due_at__lte=now
        ).update(breached_at=now)
    )


def escalate_target(pk: int, now: datetime) -> bool:
    """Claim the breach and run the policy's escalation in the same transaction."""
    with transaction.atomic():
        if not claim_breach(pk, now):
            return False
        target = SlaTarget.objects.select_related(
            "policy", "conversation__assignee", "conversation__team"
        ).get(pk=pk)
        target.escalation = "; ".join(_escalate(target))
        target.save(update_fields=["escalation"])
        record_breach(target, now)
    return True


def _escalate(target: SlaTarget) -> list[str]:
    conversation, policy = target.conversation, target.policy
    done: list[str] = []
    title = f"{target.get_kind_display()} overdue on #{conversation.number}"
    if policy is None or policy.notify_on_breach:
        notice = {"key": f"sla-breach:{target.pk}", "kind": "sla", "title": title, "url": _url(conversation)}
        if conversation.assignee is not None:
            notify([conversation.assignee], body=conversation.subject, email=True, **notice)
        notify_leads(conversation.team, body=conversation.subject, email=True, **notice)
        done.append("notified assignee and team leads")
    changes: dict[str, object] = {}
    if policy is not None and policy.raise_priority and conversation.priority < Conversation.Priority.URGENT:
        changes["priority"] = conversation.priority + 1
    if policy is not None and policy.reassign_to_id and policy.reassign_to_id != conversation.assignee_id:
        changes["assignee"] = policy.reassign_to_id
    if changes:
        try:
            with transaction.atomic():
                update_properties(conversation, changes, by=None)
            done.append("changed " + ", ".join(sorted(changes)))
        except ValidationError as error:
            done.append(f"could not change {', '.join(sorted(changes))}: {'; '.join(error.messages)}")
    return done
