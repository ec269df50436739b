"""Running rules: on events from the seam, on the clock (time rules), and as a dry run.

Guarantees:

- **defined order**: active rules run by `position`, then id; each sees the changes of the
  ones before it;
- **once per event**: a `RuleRun` row per (rule, event) is written with the rule's changes,
  in the same transaction as the seam's receipt;
- **no loops**: the events a rule's actions cause are linked to its run (`RuleEffect`); an
  event carries the chain of rules that led to it, and a rule already in the chain does not
  run again (so two rules that undo each other stop after one round), nor does anything past
  `MAX_CHAIN` rules deep;
- **time rules once per episode**: a time rule fires once for a conversation while its
  conditions keep holding, and again only after they stopped holding in between.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from goodwill.automation import actions as rule_actions
from goodwill.automation.conditions import Facts, Outcome, evaluate_all
from goodwill.automation.models import Rule, RuleEffect, RuleRun
from goodwill.conversations.models import Conversation
from goodwill.core.models import Event

logger = logging.getLogger("goodwill.automation")

MAX_CHAIN = 5
TIME_RULE_BATCH = 500  # conversations one time rule acts on per sweep; the rest wait for the next
_UPDATED = (
    Event.Kind.STATUS_CHANGED,
    Event.Kind.PRIORITY_CHANGED,
    Event.Kind.ASSIGNED,
    Event.Kind.TEAM_CHANGED,
    Event.Kind.TAGS_CHANGED,
    Event.Kind.NEED_CHANGED,
    Event.Kind.NEED_MET_CHANGED,
    Event.Kind.FIELDS_CHANGED,
    Event.Kind.SUBJECT_CHANGED,
)
TRIGGERS: dict[str, str] = {
    Event.Kind.CONVERSATION_OPENED: Rule.Trigger.CREATED,
    Event.Kind.MESSAGE_RECEIVED: Rule.Trigger.CUSTOMER_REPLIED,
    Event.Kind.NOTE_ADDED: Rule.Trigger.NOTE_ADDED,
    **{kind: Rule.Trigger.UPDATED for kind in _UPDATED},
}


def _load(conversation_id: int) -> Conversation | None:
    return (
        Conversation.objects.select_related("customer__organisation", "team", "assignee", "need")
        .filter(pk=conversation_id, merged_into__isnull=True)
        .first()
    )


def chain_of(event: Event) -> list[int]:
    """Ids of the rules whose actions led to `event` (empty for a person's or a channel's change)."""
    effect = RuleEffect.objects.filter(event=event).select_related("run").first()
    if effect is None:
        return []
    return [*effect.run.chain, effect.run.rule_id]


def on_event(event: Event) -> list[RuleRun]:
    """Run the active event rules whose trigger this event is, in order. Returns the runs made."""
    trigger = TRIGGERS.get(event.kind)
    if trigger is None or event.conversation_id is None:
        return []
    chain = chain_of(event)
    if len(chain) >= MAX_CHAIN:
        logger.warning("rule chain %s stopped at event %s", chain, event.pk)
        return []
    runs = []
    facts: Facts | None = None
    for rule in Rule.objects.filter(is_active=True, kind=Rule.Kind.EVENT):
        if trigger not in rule.triggers or rule.pk in chain:
            continue
        if facts is None:  # read once, and again only after a rule changed something
            conversation = _load(event.conversation_id)
            if conversation is None:
                break
            facts = Facts(conversation, rule, event)
        matched, _outcomes = evaluate_all(rule, facts)
        if matched:
            run = apply_rule(rule, facts.conversation, event=event, chain=chain)
            facts = None
            if run is not None:
                runs.append(run)
    return runs


def apply_rule(
    rule: Rule, conversation: Conversation, *, event: Event | None = None, chain: list[int] | None = None
) -> RuleRun | None:
    """Take the rule's actions on the conversation and log them; None when it already ran for
    this event (or has an open episode, for a time rule)."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                run = RuleRun.objects.create(
                    rule=rule,
                    conversation=conversation,
                    event=event,
                    chain=chain or [],
                    open_episode=rule.kind == Rule.Kind.TIME,
                )
        except IntegrityError:
            return None
        mark = Event.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        done, errors = [], []
        for action in rule.actions:
            try:
                with transaction.atomic():
                    done.append(
                        rule_actions.perform(action, conversation, rule_name=rule.name, run_id=run.pk)
                    )
            except (ValidationError, PermissionDenied) as error:
                message = "; ".join(getattr(error, "messages", [str(error)]))
                errors.append(f"{rule_actions.describe(action)} failed: {message}")
                conversation.refresh_from_db()
        caused = Event.objects.filter(conversation=conversation, pk__gt=mark, actor__isnull=True).exclude(
            kind__in=(Event.Kind.MESSAGE_RECEIVED, Event.Kind.CONVERSATION_OPENED)
        )
        RuleEffect.objects.bulk_create(
            [RuleEffect(event_id=pk, run=run) for pk in caused.values_list("pk", flat=True)],
            ignore_conflicts=True,
        )
        run.actions, run.error = done, "\n".join(errors)
        run.save(update_fields=["actions", "error"])
    return run


@dataclass
class DryRun:
    """What a rule would do to a conversation now: each condition's outcome, each action's line."""

    rule: Rule
    conversation: Conversation
    matched: bool
    outcomes: list[Outcome]
    actions: list[tuple[str, str]]  # (what it would do, why it could not: "" when it could)
    trigger_note: str


def dry_run(rule: Rule, conversation: Conversation, *, now: datetime | None = None) -> DryRun:
    """Evaluate without changing anything (no run is stored, no action taken)."""
    facts = Facts(conversation, rule) if now is None else Facts(conversation, rule, now=now)
    matched, outcomes = evaluate_all(rule, facts)
    lines = []
    for action in rule.actions:
        problem = ""
        try:
            rule_actions.check(action)
        except ValidationError as error:
            problem = "; ".join(error.messages)
        lines.append((rule_actions.describe(action), problem))
    if rule.kind == Rule.Kind.TIME:
        note = "Time rule: checked by the worker every few minutes against open conversations."
    else:
        labels = [Rule.Trigger(t).label for t in rule.triggers if t in Rule.Trigger.values]
        note = "Runs when: " + (", ".join(labels).lower() if labels else "no trigger chosen (never runs)")
    return DryRun(rule, conversation, matched, outcomes, lines, note)


# --- time rules ---------------------------------------------------------------------


def _prefiltered(rule: Rule, now: datetime) -> list[int]:
    """Open conversations that may match, narrowed in SQL by the conditions SQL can answer."""
    from datetime import timedelta

    queryset = Conversation.objects.open().filter(merged_into__isnull=True)
    columns = {
        "hours_since_created": "created_at",
        "hours_since_update": "last_message_at",
        "hours_since_customer": "last_inbound_at",
    }
    if rule.match == Rule.Match.ALL:
        for condition in rule.conditions:
            field, op, value = condition.get("field"), condition.get("op"), str(condition.get("value", ""))
            if field == "status" and op == "is":
                queryset = queryset.filter(status=value)
            elif field in columns and op == "more_than":
                queryset = queryset.filter(**{f"{columns[field]}__lte": now - timedelta(hours=float(value))})
            elif field == "status" and op == "is_not":
                queryset = queryset.exclude(status=value)
    return list(queryset.order_by("pk").values_list("pk", flat=True))


def sweep_time_rule(rule: Rule, now: datetime) -> int:
    """Fire the time rule on matching conversations once per episode; returns how many it fired on."""
    matched: list[int] = []
    candidates = _prefiltered(rule, now)
    for start in range(0, len(candidates), 500):  # one query per 500 conversations
        chunk = (
            Conversation.objects.select_related("customer__organisation", "team", "assignee", "need")
            .filter(pk__in=candidates[start : start + 500])
            .order_by("pk")
        )
        matched.extend(c.pk for c in chunk if evaluate_all(rule, Facts(c, rule, now=now))[0])
    open_ids = set(
        RuleRun.objects.filter(rule=rule, open_episode=True).values_list("conversation_id", flat=True)
    )
    ended = open_ids - set(matched)
    if ended:  # conditions stopped holding: the next time they hold is a new episode
        RuleRun.objects.filter(rule=rule, open_episode=True, conversation_id__in=ended).update(
            open_episode=False
        )
    fired = 0
    for conversation_id in [pk for pk in matched if pk not in open_ids][:TIME_RULE_BATCH]:
        conversation = _load(conversation_id)
        if conversation is not None and apply_rule(rule, conversation) is not None:
            fired += 1
    return fired


def run_time_rules(now: datetime) -> str:
    """Periodic job: every active time rule, in order."""
    fired = {
        rule.name: sweep_time_rule(rule, now)
        for rule in Rule.objects.filter(is_active=True, kind=Rule.Kind.TIME)
    }
    return ", ".join(f"{name}: {count}" for name, count in fired.items() if count) or "nothing to do"
