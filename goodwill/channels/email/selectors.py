"""Reads of email data that depend on who is asking. A foreign row is a 404."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from goodwill.accounts.models import Agent
from goodwill.channels.email.models import Quarantine


def quarantine_visible_to(agent: Agent) -> QuerySet[Quarantine]:
    """Admins see every entry; agents those of their teams' mailboxes; light agents none."""
    entries = Quarantine.objects.select_related("raw", "mailbox", "mailbox__team")
    if not agent.is_active or agent.is_light:
        return entries.none()
    if agent.is_admin:
        return entries
    return entries.filter(mailbox__team__members=agent).distinct()


def get_quarantine_for(agent: Agent, pk: int) -> Quarantine:
    entry = quarantine_visible_to(agent).filter(pk=pk).first()
    if entry is None:
        raise Http404("No such quarantined email")
    return entry
