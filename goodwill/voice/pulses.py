"""NPS and CES: one-question surveys on the two-axis survey's machinery.

NPS ("How likely are you to recommend us…", 0-10) goes every N months (the team's policy) to
each customer who had a conversation with the team in that period. CES ("How easy was it to get
your issue resolved?", 1-7) follows a solved conversation when the team asks it instead of the
two-axis survey. Both use signed one-click links, the team's wording in the customer's language,
the opt-out, and the cooldown shared with every other survey (`cooldown.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Avg, Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone

from goodwill.conversations.models import Conversation
from goodwill.customers.models import Customer, Identity
from goodwill.voice.models import Pulse, SurveyPolicy, SurveyWording, Unsubscribe
from goodwill.voice.sending import Mailed, mail_customer, send_due, wording_for
from goodwill.voice.services import (
    ANSWER_WINDOW,
    LINK_LIFETIME,
    PULSE_SALT,
    SurveyClosed,
    pulse_token_for,
)

SALT = PULSE_SALT
PLAN_BATCH = 1000
MONTH = timedelta(days=30)


# ---- planning --------------------------------------------------------------------------------


def nps_candidates(policy: SurveyPolicy, now: datetime) -> QuerySet[Customer]:
    """Customers the policy would ask now: a conversation with its team(s) within the period, no NPS
    in the period, not opted out, not internal, with an email address."""
    since = now - MONTH * policy.nps_every_months
    talked = Conversation.objects.filter(customer_id=OuterRef("pk"), last_message_at__gte=since)
    if policy.team_id is not None:
        talked = talked.filter(team_id=policy.team_id)
    else:  # the default policy covers conversations of teams without their own
        talked = talked.filter(Q(team__isnull=True) | Q(team__survey_policy__isnull=True))
    asked = Pulse.objects.filter(customer_id=OuterRef("pk"), kind=Pulse.Kind.NPS, created_at__gte=since)
    email = Identity.objects.filter(customer_id=OuterRef("pk"), kind=Identity.Kind.EMAIL)
    out = Unsubscribe.objects.filter(customer_id=OuterRef("pk"))
    return (
        Customer.objects.filter(is_internal=False)
        .filter(Exists(talked), Exists(email))
        .exclude(Exists(asked))
        .exclude(Exists(out))
    )


def plan_nps(now: datetime) -> int:
    """Make the NPS rows due now, at most PLAN_BATCH per run (the next run goes on). Returns how many."""
    made = 0
    for policy in SurveyPolicy.objects.filter(is_active=True, nps_every_months__gt=0).order_by("pk"):
        if made >= PLAN_BATCH:
            break
        picked = nps_candidates(policy, now).order_by("pk").values_list("pk", "language")[: PLAN_BATCH - made]
        rows = [
            Pulse(
                kind=Pulse.Kind.NPS,
                customer_id=pk,
                team_id=policy.team_id,
                language=(language or "en")[:12],
                created_at=now,
                send_after=now,
            )
            for pk, language in picked
        ]
        made += len(Pulse.objects.bulk_create(rows))
    return made


# ---- sending ---------------------------------------------------------------------------------


def send_due_pulses(now: datetime) -> tuple[int, int]:
    """Send the NPS and CES surveys that are due, each once, or store why one is skipped."""
    _due, sent, skipped = send_due(Pulse, now, _mail)
    return sent, skipped


def run(now: datetime) -> str:
    """Periodic job `voice.pulses`: plan the NPS rows due, then send every due NPS and CES."""
    planned = plan_nps(now)
    sent, skipped = send_due_pulses(now)
    if not (planned or sent or skipped):
        return ""
    return f"{planned} NPS planned, {sent} NPS/CES mailed, {skipped} skipped"


def question(pulse: Pulse, words: SurveyWording) -> tuple[str, str]:
    """(subject, question) in the wording's language."""
    if pulse.kind == Pulse.Kind.NPS:
        return words.nps_subject, words.nps_question
    return words.ces_subject, words.ces_question


def _scale_label(pulse: Pulse, n: int) -> str:
    if pulse.kind == Pulse.Kind.NPS:
        return {0: "0 (not at all likely)", 10: "10 (extremely likely)"}.get(n, str(n))
    return {1: "1 (very difficult)", 7: "7 (very easy)"}.get(n, str(n))


def _mail(pulse: Pulse, policy: SurveyPolicy) -> Mailed:
    subject, asked = question(pulse, wording_for(policy, pulse.language))
    about = (
        f"About #{pulse.conversation.number} {pulse.conversation.subject}\n\n" if pulse.conversation else ""
    )
    links = "\n".join(f"  {_scale_label(pulse, n)}: {answer_url(pulse, n)}" for n in pulse.scale)
    stop = f"{settings.BASE_URL.rstrip('/')}{reverse('voice:pulse_unsubscribe', args=[token_for(pulse)])}"
    body = f"{about}{asked}\n{links}\n\nNo more surveys: {stop}\n"
    return mail_customer(
        f"pulse:{pulse.pk}", pulse.customer, subject=subject, body=body, unsubscribe_url=stop
    )


# ---- links and answers -----------------------------------------------------------------------


token_for = pulse_token_for


def pulse_for_token(token: str) -> Pulse:
    """The pulse a link belongs to; SurveyClosed when forged or expired."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=LINK_LIFETIME)
    except signing.BadSignature:
        raise SurveyClosed("This link is not valid or has expired.") from None
    pk = payload.get("p") if isinstance(payload, dict) else None
    pulse = (
        Pulse.objects.select_related("conversation", "customer", "team").filter(pk=pk).first()
        if isinstance(pk, int)
        else None
    )
    if pulse is None:
        raise SurveyClosed("This survey no longer exists.")
    return pulse


def answer_url(pulse: Pulse, score: int | None = None) -> str:
    path = reverse("voice:pulse", args=[token_for(pulse)])
    return f"{settings.BASE_URL.rstrip('/')}{path}{'' if score is None else f'?score={score}'}"


def _clean(pulse: Pulse, score: object) -> int | None:
    if score in (None, ""):
        return None
    raw = str(score)
    value = int(raw) if raw.isdigit() else -1
    if value not in pulse.scale:
        raise ValidationError(f"Choose from {pulse.scale.start} to {pulse.scale.stop - 1}.")
    return value


def record_pulse_answer(
    pulse: Pulse,
    *,
    score: object = None,
    comment: str | None = None,
    final: bool = False,
    now: datetime | None = None,
) -> Pulse:
    """Store the clicked score (and comment). SurveyClosed once closed: a replay changes nothing."""
    now = now or timezone.now()
    value = _clean(pulse, score)
    with transaction.atomic():
        locked = Pulse.objects.select_for_update().get(pk=pulse.pk)
        if locked.closed_at is not None or (locked.answered_at and now > locked.answered_at + ANSWER_WINDOW):
            raise SurveyClosed("Thank you, we have your answer already.")
        if value is not None:
            locked.score = value
            locked.answered_at = locked.answered_at or now
        if comment is not None:
            locked.comment = comment.strip()[:5000]
        if final:
            if locked.score is None:
                raise ValidationError("Choose a score first.")
            locked.closed_at = now
        locked.save()
    return locked


# ---- results ---------------------------------------------------------------------------------


@dataclass
class NpsMonth:
    month: datetime
    answers: int
    promoters: int
    passives: int
    detractors: int

    @property
    def score(self) -> int | None:
        """Share of promoters minus share of detractors, -100 to 100."""
        return round(100 * (self.promoters - self.detractors) / self.answers) if self.answers else None


@dataclass
class CesMonth:
    month: datetime
    answers: int
    average: float | None


def _answered(kind: str, since: datetime, until: datetime, team_id: int | None) -> QuerySet[Pulse]:
    rows = Pulse.objects.filter(kind=kind, answered_at__gte=since, answered_at__lt=until, score__isnull=False)
    return rows.filter(team_id=team_id) if team_id is not None else rows


def nps_by_month(*, since: datetime, until: datetime, team_id: int | None = None) -> list[NpsMonth]:
    rows = (
        _answered(Pulse.Kind.NPS, since, until, team_id)
        .annotate(month=TruncMonth("answered_at"))
        .values("month")
        .annotate(
            answers=Count("pk"),
            promoters=Count("pk", filter=Q(score__gte=9)),
            detractors=Count("pk", filter=Q(score__lte=6)),
        )
        .order_by("month")
    )
    return [
        NpsMonth(
            r["month"],
            r["answers"],
            r["promoters"],
            r["answers"] - r["promoters"] - r["detractors"],
            r["detractors"],
        )
        for r in rows
    ]


def ces_by_month(*, since: datetime, until: datetime, team_id: int | None = None) -> list[CesMonth]:
    rows = (
        _answered(Pulse.Kind.CES, since, until, team_id)
        .annotate(month=TruncMonth("answered_at"))
        .values("month")
        .annotate(answers=Count("pk"), average=Avg("score"))
        .order_by("month")
    )
    return [CesMonth(r["month"], r["answers"], r["average"]) for r in rows]


def nps_total(months: list[NpsMonth]) -> NpsMonth | None:
    if not months:
        return None
    return NpsMonth(
        months[0].month,
        sum(m.answers for m in months),
        sum(m.promoters for m in months),
        sum(m.passives for m in months),
        sum(m.detractors for m in months),
    )
