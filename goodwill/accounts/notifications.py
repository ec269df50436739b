"""Telling agents something: one notice per (agent, key), in the workspace and optionally by mail.

Every feature that reminds, warns or escalates (SLA breaches, promises due, repeated abuse,
call-backs, a webhook switched off) raises its notices here, so an agent has one place to
look and one bell in the header:

    notify([assignee], key=f"sla-breach:{target.pk}", kind="sla",
           title="First response overdue on #1042", url=conversation_url, email=True)
    notify_leads(team, key=f"abuse:{customer.pk}:{week}", kind="abuse", title=...)

The key makes it idempotent: a retried task or a second worker raising the same notice for
the same agent changes nothing, and the mail goes out once (`core.deliveries` guards the send).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from urllib.parse import urljoin

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet
from django.utils import timezone

from goodwill.accounts.models import Agent, Notification, Team
from goodwill.core.deliveries import send_once
from goodwill.core.prepared import PreparedQuery
from goodwill.core.tasks import retrying_task


def notify(
    agents: Iterable[Agent],
    *,
    key: str,
    title: str,
    body: str = "",
    url: str = "",
    kind: str = "",
    email: bool = False,
) -> list[Notification]:
    """Store one notice per active agent (skipping those who have this key already); mail if asked.

    Returns the notices created by this call. Mail is sent by the worker after commit.
    """
    created: list[Notification] = []
    for agent in {a.pk: a for a in agents if a is not None and a.is_active}.values():
        try:
            with transaction.atomic():
                notice = Notification.objects.create(
                    agent=agent, key=key[:200], kind=kind[:40], title=title[:300], body=body, url=url[:500]
                )
        except IntegrityError:
            continue  # raised before: once is enough
        created.append(notice)
        if email:
            transaction.on_commit(partial(mail_notification.enqueue, notice.pk))
    return created


def notify_many(notices: list[Notification]) -> None:
    """`notify` without mail for many unsaved notices (agent, key, title…) in one insert; a notice
    whose agent has its key already, or whose agent is inactive, is skipped."""
    Notification.objects.bulk_create(
        [notice for notice in notices if notice.agent.is_active], ignore_conflicts=True
    )


def leads_of(team: Team | None) -> QuerySet[Agent]:
    """The team's leads; when it has none (or there is no team), the active admins."""
    if team is not None:
        leads = team.leads()
        if leads.exists():
            return leads
    return Agent.objects.filter(is_active=True, role=Agent.Role.ADMIN)


def notify_leads(team: Team | None, **notice: object) -> list[Notification]:
    """`notify` the team's leads (or the admins), same arguments as `notify` after `agents`."""
    return notify(leads_of(team), **notice)  # type: ignore[arg-type]


# The workspace header shows it on every page: built once per process (core.prepared).
_UNREAD = PreparedQuery(
    lambda agent_id: (
        Notification.objects.filter(agent_id=agent_id, read_at__isnull=True)
        .order_by()
        .values("agent_id")
        .annotate(unread=Count("pk"))
        .values_list("unread")
    )
)


def unread_count(agent: Agent) -> int:
    found = _UNREAD.rows(agent.pk)
    return int(found[0][0]) if found else 0


def mark_read(agent: Agent, ids: Iterable[int] | None = None) -> int:
    """Mark the agent's notices read (all of them when `ids` is None); returns how many changed."""
    rows = Notification.objects.filter(agent=agent, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(read_at=timezone.now())


def absolute_url(path: str) -> str:
    return urljoin(settings.BASE_URL.rstrip("/") + "/", path.lstrip("/")) if path else ""


def send_notification_mail(notification_id: int) -> None:
    """Mail one notice to its agent, once (a `core.Delivery` row guards against a second send)."""
    notice = Notification.objects.select_related("agent").filter(pk=notification_id).first()
    if notice is None or not notice.agent.is_active:
        return
    lines = [notice.body.strip()] if notice.body.strip() else []
    if notice.url:
        lines.append(absolute_url(notice.url))
    mail = EmailMessage(
        subject=f"[Goodwill] {notice.title}",
        body="\n\n".join(lines) + "\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notice.agent.email],
        headers={"Auto-Submitted": "auto-generated"},
    )
    send_once(f"notification:{notice.pk}", mail)


@retrying_task(max_attempts=6)
def mail_notification(notification_id: int) -> None:
    send_notification_mail(notification_id)
