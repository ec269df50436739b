"""Planning, sending and answering surveys; the follow-up flag; opting out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from goodwill.accounts.models import Agent
from goodwill.conversations.models import Conversation
from goodwill.conversations.services import update_properties
from goodwill.core.models import Event
from goodwill.core.services import record_event
from goodwill.customers.models import Customer
from goodwill.voice.models import Pulse, Survey, SurveyPolicy, Unsubscribe
from goodwill.voice.sending import Mailed, mail_customer, policy_for, send_due, wording_for

SALT = "goodwill.voice.survey"
LINK_LIFETIME = timedelta(days=30)
ANSWER_WINDOW = timedelta(days=7)  # after the first click, the answer may still change for a week
CONDUCT_SCALE = range(1, 6)


class SurveyClosed(Exception):
    """The survey was answered and closed, or its link expired: nothing changes."""


def plan_survey(event: Event) -> None:
    """Subscriber (conversation.solved): make the survey to send after the team's delay, once."""
    if event.conversation_id is None:
        return
    conversation = Conversation.objects.select_related("customer", "team").filter(pk=event.conversation_id).first()
    if conversation is None or Survey.objects.filter(conversation=conversation).exists():
        return
    policy = policy_for(conversation.team)
    if not policy.is_active:
        return
    if policy.ask_effort:  # the team asks the effort question (CES) instead; sent by voice.pulses
        Pulse.objects.get_or_create(
            conversation=conversation, kind=Pulse.Kind.CES,
            defaults={"customer": conversation.customer, "team": conversation.team,
                      "language": (conversation.customer.language or "en")[:12],
                      "send_after": event.created_at + timedelta(hours=policy.delay_hours)},
        )
        return
    Survey.objects.create(
        conversation=conversation, customer=conversation.customer, agent_id=conversation.assignee_id,
        team=conversation.team, language=(conversation.customer.language or "en")[:12],
        send_after=event.created_at + timedelta(hours=policy.delay_hours),
    )


def send_due_surveys(now: datetime) -> str:
    """Periodic: send the surveys whose delay has passed (each once), or say why one is skipped."""
    due, sent, skipped = send_due(Survey, now, _mail_survey)
    return f"{sent} surveys mailed, {skipped} skipped" if due else ""


def token_for(survey: Survey) -> str:
    return signing.dumps({"s": survey.pk}, salt=SALT)


def survey_for_token(token: str) -> Survey:
    """The survey a link belongs to; SurveyClosed when the link is forged or too old."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=LINK_LIFETIME)
    except signing.BadSignature:
        raise SurveyClosed("This link is not valid or has expired.") from None
    survey = Survey.objects.select_related("conversation", "customer", "team").filter(pk=payload.get("s")).first()
    if survey is None:
        raise SurveyClosed("This survey no longer exists.")
    return survey


def answer_url(survey: Survey, **answer: object) -> str:
    query = "&".join(f"{key}={value}" for key, value in answer.items())
    path = reverse("voice:answer", args=[token_for(survey)])
    return f"{settings.BASE_URL.rstrip('/')}{path}{'?' + query if query else ''}"


def _mail_survey(survey: Survey, policy: SurveyPolicy) -> Mailed:
    words = wording_for(policy, survey.language)
    outcome_links = "\n".join(
        f"  {label}: {answer_url(survey, outcome=value)}" for value, label in Survey.Outcome.choices
    )
    conduct_links = "\n".join(f"  {n} of 5: {answer_url(survey, conduct=n)}" for n in CONDUCT_SCALE)
    stop = f"{settings.BASE_URL.rstrip('/')}{reverse('voice:unsubscribe', args=[token_for(survey)])}"
    body = (
        f"{words.intro}\n\nAbout #{survey.conversation.number} {survey.conversation.subject}\n\n"
        f"{words.outcome_question}\n{outcome_links}\n\n{words.conduct_question}\n{conduct_links}\n\n"
        f"No more surveys: {stop}\n"
    )
    subject = f"{words.subject} (#{survey.conversation.number})"
    return mail_customer(f"survey:{survey.pk}", survey.customer, subject=subject, body=body, unsubscribe_url=stop)


def _clean(outcome: str | None, conduct: object) -> tuple[str | None, int | None]:
    if outcome is not None and outcome not in Survey.Outcome.values:
        raise ValidationError("Choose yes, partly or no.")
    value: int | None = None
    if conduct not in (None, ""):
        try:
            value = int(str(conduct))
        except ValueError:
            value = 0
        if value not in CONDUCT_SCALE:
            raise ValidationError("Choose from 1 to 5.")
    return outcome, value


def record_answer(
    survey: Survey,
    *,
    outcome: str | None = None,
    conduct: object = None,
    comment: str | None = None,
    final: bool = False,
    now: datetime | None = None,
) -> Survey:
    """Store what the customer clicked or wrote. SurveyClosed once closed (a replayed link changes nothing)."""
    now = now or timezone.now()
    outcome, conduct_value = _clean(outcome, conduct)
    with transaction.atomic():
        locked = Survey.objects.select_for_update().select_related("conversation").get(pk=survey.pk)
        if locked.closed_at is not None or (locked.answered_at and now > locked.answered_at + ANSWER_WINDOW):
            raise SurveyClosed("Thank you, we have your answer already.")
        if outcome:
            locked.outcome = outcome
        if conduct_value is not None:
            locked.conduct = conduct_value
        if comment is not None:
            locked.comment = comment.strip()[:5000]
        if locked.outcome or locked.conduct is not None:
            locked.answered_at = locked.answered_at or now
        locked.needs_follow_up = locked.is_bad
        if final:
            locked.closed_at = now
        locked.save()
        if outcome or conduct_value is not None:
            # Service recovery opens a case on a bad answer (goodwill/subscribers.py).
            record_event(
                Event.Kind.FEEDBACK_ANSWERED, conversation=locked.conversation, subject=locked, at=now,
                after={"outcome": locked.outcome, "conduct": locked.conduct, "bad": locked.is_bad},
            )
        if locked.outcome and not locked.conversation.need_met:
            update_properties(locked.conversation, {"need_met": locked.outcome}, by=None)
        _flag_follow_up(locked.conversation, due=locked.needs_follow_up and locked.followed_up_at is None)
    return locked


def mark_followed_up(survey: Survey, *, by: Agent) -> None:
    with transaction.atomic():
        Survey.objects.filter(pk=survey.pk, followed_up_at__isnull=True).update(
            followed_up_at=timezone.now(), followed_up_by=by
        )
        Conversation.objects.filter(pk=survey.conversation_id).update(feedback_follow_up=False)


def _flag_follow_up(conversation: Conversation, *, due: bool) -> None:
    """Keep `Conversation.feedback_follow_up` (the "Bad feedback" view's index) as the survey says."""
    if conversation.feedback_follow_up != due:
        conversation.feedback_follow_up = due
        Conversation.objects.filter(pk=conversation.pk).update(feedback_follow_up=due)


def unsubscribe(customer: Customer) -> None:
    Unsubscribe.objects.get_or_create(customer=customer)
    Survey.objects.filter(customer=customer, sent_at__isnull=True, skipped="").update(skipped="customer opted out")
    Pulse.objects.filter(customer=customer, sent_at__isnull=True, skipped="").update(skipped="customer opted out")


@dataclass(frozen=True)
class PortalLink:
    """The portal's link to an open survey, in the customer's language: its words are the survey's."""

    url: str
    text: str
    language: str


def portal_survey(customer: Customer, conversation_id: int) -> PortalLink | None:
    """The customer's open survey (two-axis, else CES) on this conversation, when the team shows it in
    the portal; None otherwise. Only the customer's own survey, and only once it went out. The link
    reads like the survey's own subject (two-axis) or question (CES), in the wording's language."""
    survey = (
        Survey.objects.select_related("team")
        .filter(conversation_id=conversation_id, customer=customer, sent_at__isnull=False, closed_at__isnull=True)
        .first()
    )
    if survey is None:
        return _portal_pulse(customer, conversation_id)
    policy = policy_for(survey.team)
    if not policy.in_portal:
        return None
    words = wording_for(policy, survey.language)
    return PortalLink(reverse("voice:answer", args=[token_for(survey)]), words.subject, words.language)


def portal_survey_link(customer: Customer, conversation_id: int) -> str:
    """The address of `portal_survey`, "" when there is none."""
    link = portal_survey(customer, conversation_id)
    return link.url if link else ""


PULSE_SALT = "goodwill.voice.pulse"


def pulse_token_for(pulse: Pulse) -> str:
    """The signed link of an NPS or CES survey (pulses.py), with its own salt."""
    return signing.dumps({"p": pulse.pk}, salt=PULSE_SALT)


def _portal_pulse(customer: Customer, conversation_id: int) -> PortalLink | None:
    """The customer's open CES about this conversation, when the team shows surveys in the portal."""
    pulse = (
        Pulse.objects.select_related("team")
        .filter(conversation_id=conversation_id, customer=customer, sent_at__isnull=False, closed_at__isnull=True)
        .first()
    )
    if pulse is None:
        return None
    policy = policy_for(pulse.team)
    if not policy.in_portal:
        return None
    words = wording_for(policy, pulse.language)
    text = words.ces_question if pulse.kind == Pulse.Kind.CES else words.nps_question
    return PortalLink(reverse("voice:pulse", args=[pulse_token_for(pulse)]), text, words.language)
