"""The extra-mile report page."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from goodwill.accounts.models import Agent, Team
from goodwill.conversations.visibility import restricted_team_ids_hidden_from
from goodwill.voice.extra_mile import Filters, actions, comparison
from goodwill.voice.views import _day


@login_required
@require_GET
def report(request: HttpRequest) -> HttpResponse:
    agent: Agent = request.user  # type: ignore[assignment]
    hidden = restricted_team_ids_hidden_from(agent)
    today = timezone.localdate()
    start = _day(request.GET.get("from"), today - timedelta(days=365))
    end = _day(request.GET.get("to"), today)
    team_id = request.GET.get("team", "")
    agent_id = request.GET.get("agent", "")
    zone = timezone.get_current_timezone()
    filters = Filters(
        since=datetime.combine(start, time.min, zone),
        until=datetime.combine(end + timedelta(days=1), time.min, zone),
        team_id=int(team_id) if team_id.isdigit() else None,
        agent_id=int(agent_id) if agent_id.isdigit() else None,
        hidden_team_ids=tuple(hidden),
    )
    context = {
        "actions": actions(filters),
        "groups": comparison(filters),
        "start": start,
        "end": end,
        "team_id": team_id,
        "agent_id": agent_id,
        "teams": Team.objects.exclude(pk__in=hidden).order_by("name"),
        "agents": Agent.objects.filter(is_active=True)
        .exclude(role=Agent.Role.LIGHT)
        .order_by("name", "email"),
    }
    return render(request, "voice/extra_mile.html", context)
