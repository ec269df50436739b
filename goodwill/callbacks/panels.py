"""The call-backs panel in the conversation sidebar and the "call back" badge on inbox rows."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone

from goodwill.accounts.models import Agent
from goodwill.accounts.policy import Action, allows
from goodwill.callbacks.forms import unbound_schedule_fields
from goodwill.callbacks.models import CallBack
from goodwill.callbacks.selectors import callbacks_of, open_callbacks_for
from goodwill.callbacks.services import default_phone
from goodwill.conversations.badges import Badge
from goodwill.conversations.models import Conversation
from goodwill.conversations.panels import Panel, has_rows


def callbacks_panel(request: HttpRequest, conversation: Conversation) -> Panel | None:
    agent: Agent = request.user  # type: ignore[assignment]
    callbacks = list(callbacks_of(conversation.pk)[:20]) if has_rows(request, conversation, CallBack) else []
    may = allows(agent, Action.LOG_CONTACT)
    if not callbacks and not may:
        return None
    # Unbound here (a schedule with errors shows on its own page), so built without the form.
    fields = unbound_schedule_fields(phone=default_phone(conversation), owner=agent.pk) if may else []
    return Panel(
        "callbacks/_panel.html",
        {
            "callbacks": callbacks,
            "fields": fields,
            "may_schedule": may,
            "now": timezone.now(),
        },
    )


def row_badges(conversation_ids: list[int]) -> dict[int, list[Badge]]:
    now = timezone.now()
    badges: dict[int, list[Badge]] = {}
    for pk, callback in open_callbacks_for(conversation_ids).items():
        local = timezone.localtime(callback.due_at)
        overdue = callback.due_at <= now
        label = f"call back {local:%d %b %H:%M}" if not overdue else "call-back overdue"
        badges[pk] = [Badge(label, "callback" + (" callback-overdue" if overdue else ""), str(callback))]
    return badges
