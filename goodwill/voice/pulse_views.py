"""NPS and CES: the customer's one-click answer page (signed link, no login) and the team's results."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from goodwill.accounts.models import Team
from goodwill.voice import pulses
from goodwill.voice.services import SurveyClosed, policy_for, unsubscribe, wording_for
from goodwill.voice.views import _day, _private


def _closed(request: HttpRequest, closed: SurveyClosed) -> HttpResponse:
    return _private(render(request, "voice/closed.html", {"reason": str(closed)}, status=410))


@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    """GET records the clicked score (?score=N); POST sends the score and comment and closes."""
    try:
        pulse = pulses.pulse_for_token(token)
    except SurveyClosed as closed:
        return _closed(request, closed)
    words = wording_for(policy_for(pulse.team), pulse.language)
    error = ""
    try:
        if request.method == "POST":
            pulses.record_pulse_answer(
                pulse, score=request.POST.get("score"), comment=request.POST.get("comment", ""), final=True
            )
            return _private(render(request, "voice/thanks.html", {"words": words, "survey": pulse}))
        if request.GET.get("score"):
            pulse = pulses.record_pulse_answer(pulse, score=request.GET.get("score"))
    except SurveyClosed as closed:
        return _closed(request, closed)
    except ValidationError as invalid:
        error = " ".join(invalid.messages)
    subject, asked = pulses.question(pulse, words)
    context = {
        "survey": pulse,
        "pulse": pulse,
        "words": words,
        "subject": subject,
        "question": asked,
        "token": token,
        "error": error,
        "scale": list(pulse.scale),
        "low": pulse.scale[0],
        "high": pulse.scale[-1],
    }
    return _private(render(request, "voice/pulse_answer.html", context, status=400 if error else 200))


@require_http_methods(["GET", "POST"])
def stop(request: HttpRequest, token: str) -> HttpResponse:
    try:
        pulse = pulses.pulse_for_token(token)
    except SurveyClosed as closed:
        return _closed(request, closed)
    if request.method == "POST":
        unsubscribe(pulse.customer)
        return _private(render(request, "voice/unsubscribed.html"))
    return _private(render(request, "voice/unsubscribe.html", {"action": request.path}))


@login_required
@require_GET
def results(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    start = _day(request.GET.get("from"), today - timedelta(days=365))
    end = _day(request.GET.get("to"), today)
    team_id = request.GET.get("team", "")
    zone = timezone.get_current_timezone()
    since = datetime.combine(start, time.min, zone)
    until = datetime.combine(end + timedelta(days=1), time.min, zone)
    team = int(team_id) if team_id.isdigit() else None
    nps = pulses.nps_by_month(since=since, until=until, team_id=team)
    ces = pulses.ces_by_month(since=since, until=until, team_id=team)
    ces_answers = sum(m.answers for m in ces)
    context = {
        "nps": nps,
        "nps_total": pulses.nps_total(nps),
        "ces": ces,
        "ces_answers": ces_answers,
        "ces_average": sum((m.average or 0) * m.answers for m in ces) / ces_answers if ces_answers else None,
        "start": start,
        "end": end,
        "team_id": team_id,
        "teams": Team.objects.order_by("name"),
    }
    return render(request, "voice/pulse_results.html", context)
