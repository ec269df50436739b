"""What every workspace view shares: the signed-in agent, safe redirects, agent choices."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from goodwill.accounts.models import Agent
from goodwill.conversations import selectors
from goodwill.conversations.models import Conversation, Message


def current_agent(request: HttpRequest) -> Agent:
    return request.user  # type: ignore[return-value]


def safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


def assignable_agents() -> QuerySet[Agent]:
    """Lazy on purpose: the options are rendered in a cached template fragment."""
    return Agent.objects.active().exclude(role=Agent.Role.LIGHT).order_by("name", "email")


def agent_from_choice(value: str) -> Agent | None:
    """An agent picked by email in a type-ahead field; "nobody" or empty is None."""
    value = (value or "").strip().lower()
    if value in ("", "nobody", "none"):
        return None
    found = assignable_agents().filter(email=value).first()
    if found is None:
        raise ValidationError(f"No agent with the address {value}.")
    return found


def message_of(agent: Agent, number: int, message_id: int) -> tuple[Conversation, Message]:
    conversation = selectors.get_conversation_for(agent, number)
    message = get_object_or_404(Message, pk=message_id, conversation=conversation)
    return conversation, message


def conversation_url(conversation: Conversation) -> str:
    return reverse("conversations:detail", args=[conversation.number])
