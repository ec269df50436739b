"""The ledger's pages and forms. Forms post here without scripts (then redirect back to the
conversation); with htmx they swap the sidebar panel in place and the composer checks re-run."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from goodwill.accounts.models import Agent
from goodwill.conversations.models import Conversation
from goodwill.conversations.selectors import get_conversation_for
from goodwill.promises import services
from goodwill.promises.models import Promise
from goodwill.promises.selectors import UNDER_PROMISE_OVER_DELIVER, ledger_figures, open_promises_of
from goodwill.promises.ui import sidebar_context

DUE_FORMAT = "%Y-%m-%dT%H:%M"


def _agent(request: HttpRequest) -> Agent:
    return request.user  # type: ignore[return-value]


def parse_due(value: str, zone: ZoneInfo) -> datetime | None:
    """A `datetime-local` value in the agent's zone; empty is no due date."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        naive = datetime.strptime(value[:16], DUE_FORMAT)
    except ValueError as error:
        raise ValidationError("Give the due date and time as YYYY-MM-DD HH:MM.") from error
    return naive.replace(tzinfo=zone)


def _promise_for(agent: Agent, pk: int) -> Promise:
    promise = Promise.objects.select_related("conversation").filter(pk=pk).first()
    if promise is None:
        raise Http404("No such promise")
    get_conversation_for(agent, promise.conversation.number)  # 404 unless the agent may see it
    return promise


def _answer(request: HttpRequest, conversation: Conversation, error: str = "", **typed: Any) -> HttpResponse:
    agent = _agent(request)
    if request.htmx:  # type: ignore[attr-defined]
        context = sidebar_context(agent, conversation, error=error, typed=typed)
        # 422 for an error: htmx-csp.js swaps 400/409/422 answers, so the panel shows the error
        response = render(request, "promises/_sidebar.html", {"panel": context}, status=422 if error else 200)
        if not error:
            response["HX-Trigger-After-Settle"] = (
                "goodwill:draft-changed"  # after the swap: the form is in the checks
            )
        return response
    if error:
        context = {"conversation": conversation, "error": error, "typed": typed, "zone": agent.zone.key}
        return render(request, "promises/not_saved.html", context, status=422)
    return redirect("conversations:detail", conversation.number)


@login_required
@require_POST
def confirm(request: HttpRequest, number: int) -> HttpResponse:
    agent = _agent(request)
    conversation = get_conversation_for(agent, number)
    text, due = request.POST.get("text", ""), request.POST.get("due", "")
    source = Promise.Source.MANUAL if request.POST.get("source") == "manual" else Promise.Source.DETECTED
    try:
        services.confirm_promise(
            conversation, by=agent, text=text, due_at=parse_due(due, agent.zone), source=source
        )
    except ValidationError as error:
        return _answer(request, conversation, " ".join(error.messages), text=text, due=due, source=source)
    return _answer(request, conversation)


@login_required
@require_POST
def drop(request: HttpRequest, number: int) -> HttpResponse:
    agent = _agent(request)
    conversation = get_conversation_for(agent, number)
    try:
        services.drop_detected(conversation, by=agent, text=request.POST.get("text", ""))
    except ValidationError as error:
        return _answer(request, conversation, " ".join(error.messages))
    return _answer(request, conversation)


@login_required
@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    agent = _agent(request)
    promise = _promise_for(agent, pk)
    closing, reason = request.POST.get("closing", ""), request.POST.get("reason", "")
    try:
        services.close_promise(promise, by=agent, closing=closing, reason=reason)
    except ValidationError as error:
        return _answer(
            request,
            promise.conversation,
            " ".join(error.messages),
            promise=pk,
            closing=closing,
            reason=reason,
        )
    return _answer(request, promise.conversation)


@login_required
@require_POST
def reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    agent = _agent(request)
    promise = _promise_for(agent, pk)
    due = request.POST.get("due", "")
    try:
        services.reschedule(promise, by=agent, due_at=parse_due(due, agent.zone))
    except ValidationError as error:
        return _answer(request, promise.conversation, " ".join(error.messages), promise=pk, due=due)
    return _answer(request, promise.conversation)


@login_required
@require_GET
def panel(request: HttpRequest, number: int) -> HttpResponse:
    agent = _agent(request)
    conversation = get_conversation_for(agent, number)
    return render(request, "promises/_sidebar.html", {"panel": sidebar_context(agent, conversation)})


@login_required
@require_GET
def ledger(request: HttpRequest) -> HttpResponse:
    """The agent's open promises and how promises ended over the last 30 days (theirs and everyone's)."""
    agent = _agent(request)
    until = timezone.now()
    since = until - timedelta(days=30)
    context = {
        "open_promises": open_promises_of(agent),
        "mine": ledger_figures(since=since, until=until, owner=agent),
        "everyone": ledger_figures(since=since, until=until),
        "outcomes": Promise.Outcome.choices,
        "early_label": UNDER_PROMISE_OVER_DELIVER,
    }
    return render(request, "promises/ledger.html", context)
