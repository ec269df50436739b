"""Listening pages: the team settings (abuse policy, tone checks, jargon; admins) and the
agent's own "mask abusive text" switch."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from goodwill.accounts.models import Team
from goodwill.accounts.policy import Action, require
from goodwill.conversations.views.common import current_agent, safe_next
from goodwill.listening.engine import TONE_CHECKS
from goodwill.listening.forms import TeamListeningForm
from goodwill.listening.policy import (
    DEFAULT_POLICY,
    policy_html,
    save_team_settings,
    set_mask_abuse,
    settings_for,
)


@login_required
def team_settings(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    require(current_agent(request), Action.ADMINISTER)
    teams = list(Team.objects.order_by("name"))
    team = get_object_or_404(Team, slug=slug) if slug else (teams[0] if teams else None)
    if team is None:
        return render(request, "listening/settings.html", {"teams": [], "team": None})
    current = settings_for(team)
    if request.method == "POST":
        form = TeamListeningForm(request.POST)
        if form.is_valid():
            save_team_settings(
                team,
                abuse_policy=form.cleaned_data["abuse_policy"],
                disabled_checks=form.disabled_checks(),
                jargon=form.cleaned_data["jargon"],
                repeat_abuse_count=form.cleaned_data["repeat_abuse_count"],
                repeat_abuse_days=form.cleaned_data["repeat_abuse_days"],
            )
            flash.success(request, f"Listening settings of {team} saved.")
            return redirect(reverse("listening:team-settings", args=[team.slug]))
    else:
        form = TeamListeningForm(
            initial={
                "abuse_policy": "" if current.is_default_policy else current.policy_markdown,
                "enabled_checks": [c for c in TONE_CHECKS if c not in current.disabled_checks],
                "jargon": "\n".join(f"{t} = {p}" if p else t for t, p in current.jargon.items()),
                "repeat_abuse_count": current.repeat_abuse_count,
                "repeat_abuse_days": current.repeat_abuse_days,
            }
        )
    return render(
        request,
        "listening/settings.html",
        {
            "teams": teams,
            "team": team,
            "form": form,
            "preview": policy_html(current.policy_markdown),
            "default_policy": DEFAULT_POLICY,
        },
    )


@login_required
@require_POST
def mask(request: HttpRequest) -> HttpResponse:
    """Switch masking of abusive text on or off for the signed-in agent."""
    on = request.POST.get("mask") == "1"
    set_mask_abuse(current_agent(request), on)
    flash.success(
        request, "Abusive text is now hidden until you open it." if on else "Abusive text is shown."
    )
    return redirect(safe_next(request, reverse("conversations:inbox")))
