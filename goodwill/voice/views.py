"""The customer's side (signed links, no login) and the team's grid page."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from goodwill.accounts.models import Agent, Team
from goodwill.conversations.visibility import get_conversation_for, restricted_team_ids_hidden_from
from goodwill.voice import services
from goodwill.voice.grid import answers_between, outcome_conduct_grid
from goodwill.voice.models import Survey


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    # Not "no-referrer": the browser would then send "Origin: null" with the form, which CSRF refuses.
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    """GET records the one clicked answer (outcome=… or conduct=…); POST adds the rest and closes."""
    try:
        survey = services.survey_for_token(token)
    except services.SurveyClosed as closed:
        return _private(render(request, "voice/closed.html", {"reason": str(closed)}, status=410))
    words = services.wording_for(services.policy_for(survey.team), survey.language)
    error = ""
    try:
        if request.method == "POST":
            services.record_answer(
                survey,
                outcome=request.POST.get("outcome") or None,
                conduct=request.POST.get("conduct"),
                comment=request.POST.get("comment", ""),
                final=True,
            )
            return _private(render(request, "voice/thanks.html", {"words": words}))
        clicked_outcome = request.GET.get("outcome")
        clicked_conduct = request.GET.get("conduct")
        if clicked_outcome or clicked_conduct:
            survey = services.record_answer(survey, outcome=clicked_outcome, conduct=clicked_conduct)
    except services.SurveyClosed as closed:
        return _private(render(request, "voice/closed.html", {"reason": str(closed)}, status=410))
    except ValidationError as invalid:
        error = " ".join(invalid.messages)
    context = {
        "survey": survey,
        "words": words,
        "token": token,
        "error": error,
        "scale": list(services.CONDUCT_SCALE),
    }
    return _private(render(request, "voice/answer.html", context, status=400 if error else 200))


@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        survey = services.survey_for_token(token)
    except services.SurveyClosed as closed:
        return _private(render(request, "voice/closed.html", {"reason": str(closed)}, status=410))
    if request.method == "POST":
        services.unsubscribe(survey.customer)
        return _private(render(request, "voice/unsubscribed.html"))
    return _private(render(request, "voice/unsubscribe.html", {"token": token}))


def _day(text: str | None, default: date) -> date:
    try:
        return date.fromisoformat(text) if text else default
    except ValueError:
        return default


@login_required
def grid_page(request: HttpRequest) -> HttpResponse:
    agent: Agent = request.user  # type: ignore[assignment]
    # Restricted teams the reader is not in: not offered, not counted, and not reachable by id.
    hidden = restricted_team_ids_hidden_from(agent)
    today = timezone.localdate()
    start = _day(request.GET.get("from"), today - timedelta(days=365))
    end = _day(request.GET.get("to"), today)
    team_id = request.GET.get("team", "")
    if team_id.isdigit() and int(team_id) in hidden:
        raise Http404("No such team.")
    zone = timezone.get_current_timezone()
    since = datetime.combine(start, time.min, zone)
    until = datetime.combine(end + timedelta(days=1), time.min, zone)
    grid = outcome_conduct_grid(
        since=since,
        until=until,
        team_id=int(team_id) if team_id.isdigit() else None,
        answers=answers_between(since, until).exclude(team_id__in=hidden) if hidden else None,
    )
    teams = Team.objects.exclude(pk__in=hidden).order_by("name")
    context = {"grid": grid, "start": start, "end": end, "team_id": team_id, "teams": teams}
    return render(request, "voice/grid.html", context)


@login_required
@require_POST
def followed_up(request: HttpRequest, number: int) -> HttpResponse:
    agent: Agent = request.user  # type: ignore[assignment]
    conversation = get_conversation_for(agent, number)
    survey = get_object_or_404(Survey, conversation=conversation)
    services.mark_followed_up(survey, by=agent)
    flash.success(request, "Marked as followed up.")
    return redirect("conversations:detail", number=number)
