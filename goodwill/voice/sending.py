"""Sending every survey kind (two-axis, NPS, CES): which policy and words apply, why one is
skipped, and the mail itself, in one place so the kinds cannot drift apart.

`send_due` walks the due rows of one kind: a skip is stored with its reason; a team that does not
mail surveys, or a customer without an email address, gets it in the portal only (marked sent);
a mail that failed, or that another worker is sending, stays due and goes out on a later run.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from goodwill.accounts.models import Team
from goodwill.conversations.models import Conversation
from goodwill.core.deliveries import DeliveryBusy, send_once
from goodwill.customers.models import Customer, Identity
from goodwill.voice.cooldown import opted_out, surveyed_recently
from goodwill.voice.models import Pulse, Survey, SurveyPolicy, SurveyWording

logger = logging.getLogger("goodwill.voice")

SEND_BATCH = 200


class Mailed(enum.Enum):
    SENT = "sent"  # the mail went out (now or on an earlier run)
    NO_ADDRESS = "no address"  # nothing to mail to: the portal shows it
    LATER = "later"  # failed, or another worker is sending it: the next run tries again


def policy_for(team: Team | None) -> SurveyPolicy:
    """The team's policy, else the default one (a row without a team), else the built-in defaults.

    The database holds one of each; ordered anyway, so the answer never depends on row order."""
    if team is not None:
        policy = SurveyPolicy.objects.filter(team=team).order_by("pk").first()
        if policy is not None:
            return policy
    return SurveyPolicy.objects.filter(team__isnull=True).order_by("pk").first() or SurveyPolicy()


def wording_for(policy: SurveyPolicy, language: str) -> SurveyWording:
    """Words in the customer's language (`de-AT` → `de`), else English, else the built-in English."""
    if policy.pk:
        wordings = {wording.language.lower(): wording for wording in policy.wordings.all()}
        for code in (language.lower(), language.lower().split("-")[0], "en"):
            if code in wordings:
                return wordings[code]
    return SurveyWording(language="en")


def skip_reason(row: Survey | Pulse, policy: SurveyPolicy, now: datetime) -> str:
    """Why this survey must not go out now ("" when it may); the row itself is no earlier survey."""
    if row.conversation is not None and row.conversation.status not in Conversation.FINISHED_STATUSES:
        return "conversation reopened"
    if opted_out(row.customer_id):
        return "customer opted out"
    this = {"survey_id": row.pk} if isinstance(row, Survey) else {"pulse_id": row.pk}
    if surveyed_recently(row.customer_id, days=policy.cooldown_days, now=now, **this):
        return f"surveyed within {policy.cooldown_days} days"
    return ""


def mail_customer(key: str, customer: Customer, *, subject: str, body: str, unsubscribe_url: str) -> Mailed:
    """Mail a survey to the customer's first email address, once per `key` (`core.deliveries`)."""
    identity = customer.identities.filter(kind=Identity.Kind.EMAIL).order_by("pk").first()
    if identity is None:
        return Mailed.NO_ADDRESS
    mail = EmailMultiAlternatives(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[identity.value],
        headers={"Auto-Submitted": "auto-generated", "List-Unsubscribe": f"<{unsubscribe_url}>"},
    )
    try:
        send_once(key, mail)
    except DeliveryBusy:
        return Mailed.LATER
    except Exception:
        logger.exception("%s: mail failed; the next run tries again", key)
        return Mailed.LATER
    return Mailed.SENT


def send_due(
    model: type[Survey] | type[Pulse], now: datetime, mail: Callable[[Any, SurveyPolicy], Mailed]
) -> tuple[int, int, int]:
    """Send up to SEND_BATCH due rows of `model` with `mail(row, policy)`; (due, mailed, skipped)."""
    rows: Any = model.objects
    due: list[Survey | Pulse] = list(
        rows.select_related("conversation", "customer", "team")
        .filter(sent_at__isnull=True, skipped="", send_after__lte=now)
        .order_by("send_after", "pk")[:SEND_BATCH]
    )
    mailed = skipped = 0
    for row in due:
        policy = policy_for(row.team)
        reason = skip_reason(row, policy, now)
        if reason:
            rows.filter(pk=row.pk).update(skipped=reason)
            skipped += 1
            continue
        outcome = mail(row, policy) if policy.by_email else Mailed.NO_ADDRESS
        if outcome is Mailed.LATER:
            continue
        mailed += outcome is Mailed.SENT
        rows.filter(pk=row.pk, sent_at__isnull=True).update(sent_at=now)
    return len(due), mailed, skipped
