from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from goodwill.accounts.models import Agent, Team
from goodwill.conversations.visibility import get_conversation_for
from goodwill.internal.services import ask_team


@login_required
@require_POST
def ask(request: HttpRequest, number: int) -> HttpResponse:
    agent: Agent = request.user  # type: ignore[assignment]
    origin = get_conversation_for(agent, number)
    team_id = request.POST.get("team", "")
    team = get_object_or_404(Team, pk=int(team_id)) if team_id.isdigit() else None
    back = f"{reverse('conversations:detail', args=[number])}#internal-requests"
    if team is None:
        flash.error(request, "Choose the team to ask.")
        return redirect(back)
    try:
        link = ask_team(origin, by=agent, team=team, subject=request.POST.get("subject", ""),
                        text=request.POST.get("text", ""))
    except ValidationError as error:
        flash.error(request, " ".join(error.messages) + " Nothing was sent.")
        return redirect(back)
    flash.success(request, f"Asked {team.name}: request #{link.request.number}.")
    return redirect(back)
