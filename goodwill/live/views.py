"""Heartbeat and poll endpoints for presence, collision and "anything new?" checks."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET, require_POST

from goodwill.conversations.models import Conversation
from goodwill.conversations.visibility import get_conversation_for
from goodwill.live.selectors import conversation_marker, others_present
from goodwill.live.services import PresenceState, leave_conversation, record_presence

POLL_INTERVAL_MS = 3000


def _signed_out() -> JsonResponse:
    return JsonResponse({"detail": "Please sign in again."}, status=401)


def _as_int(value: str | None) -> int:
    try:
        return max(int(value or 0), 0)
    except ValueError:
        return 0


def _live_payload(request: HttpRequest, conversation: Conversation, params: Any) -> dict[str, Any]:
    others = others_present(conversation, request.user)  # type: ignore[arg-type]
    marker = conversation_marker(conversation.pk)
    known_message = _as_int(params.get("message"))
    known_state = params.get("state_marker") or ""
    return {
        "others": [{"name": presence.name, "state": presence.state} for presence in others],
        "collision": any(presence.is_replying for presence in others),
        "marker": {"message": marker.message, "state": marker.state},
        "new_messages": marker.message > known_message,
        "changed": bool(known_state) and known_state != marker.state,
        "interval": POLL_INTERVAL_MS,
    }


@require_POST
def heartbeat(request: HttpRequest, number: int) -> JsonResponse:
    """The agent is still here (viewing or replying); answer with who else is and what changed."""
    if not request.user.is_authenticated:
        return _signed_out()
    conversation = get_conversation_for(request.user, number)  # type: ignore[arg-type]
    state = request.POST.get("state", PresenceState.VIEWING)
    record_presence(conversation, agent=request.user, state=state)  # type: ignore[arg-type]
    return JsonResponse(_live_payload(request, conversation, request.POST))


@require_GET
def poll(request: HttpRequest, number: int) -> JsonResponse:
    """The same answer as a heartbeat without announcing oneself."""
    if not request.user.is_authenticated:
        return _signed_out()
    conversation = get_conversation_for(request.user, number)  # type: ignore[arg-type]
    return JsonResponse(_live_payload(request, conversation, request.GET))


@require_POST
def leave(request: HttpRequest, number: int) -> JsonResponse:
    if not request.user.is_authenticated:
        return _signed_out()
    conversation = get_conversation_for(request.user, number)  # type: ignore[arg-type]
    leave_conversation(conversation, agent=request.user)  # type: ignore[arg-type]
    return JsonResponse({"left": True})
