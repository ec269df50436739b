"""The survey settings pages for team leads and admins: the policies, and each one's wordings."""

from __future__ import annotations

from typing import Any

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from goodwill.accounts.models import Agent, Team
from goodwill.voice.models import SurveyPolicy, SurveyWording
from goodwill.voice.survey_settings import (
    PolicyForm,
    PolicyTaken,
    WordingForm,
    change_policy,
    delete_wording,
    managed_teams,
    may_manage,
    may_manage_any,
    save_wording,
    set_up_policy,
)


def _agent(request: HttpRequest) -> Agent:
    agent: Agent = request.user  # type: ignore[assignment]
    if not may_manage_any(agent):
        raise PermissionDenied("Only team leads and admins change the surveys.")
    return agent


@login_required
@require_http_methods(["GET", "POST"])
def policy_list(request: HttpRequest) -> HttpResponse:
    """Every policy the agent may change; POST makes one for a team (or the default) and opens it."""
    agent = _agent(request)
    teams = list(managed_teams(agent))
    if request.method == "POST":
        team_id = request.POST.get("team", "")
        team = next((team for team in teams if str(team.pk) == team_id), None)
        if not may_manage(agent, team.pk if team else None) or (team is None and team_id):
            raise Http404("No such team.")  # another team's: as if it were not there
        policy = SurveyPolicy.objects.filter(team=team).order_by("pk").first()
        if policy is None:
            try:
                policy = set_up_policy(team, by=agent)
            except PolicyTaken:
                error = "Someone else set up this policy a moment ago; change it from the list below."
                return _listing(request, agent, teams, error=error, status=409)
        return redirect("voice:survey_policy", pk=policy.pk)
    return _listing(request, agent, teams)


def _listing(
    request: HttpRequest, agent: Agent, teams: list[Team], error: str = "", status: int = 200
) -> HttpResponse:
    policies = {policy.team_id: policy for policy in SurveyPolicy.objects.filter(team__in=teams)}
    default = (
        SurveyPolicy.objects.filter(team__isnull=True).order_by("pk").first() if agent.is_admin else None
    )
    rows = [(team, policies.get(team.pk)) for team in teams]
    context = {"rows": rows, "default": default, "is_admin": agent.is_admin, "error": error}
    return render(request, "voice/survey_policies.html", context, status=status)


def _page(request: HttpRequest, policy: SurveyPolicy, status: int = 200, **forms: Any) -> HttpResponse:
    wordings = list(policy.wordings.order_by("language"))
    edit = forms.pop("edit", None)
    context = {
        "policy": policy,
        "form": forms.get("form") or PolicyForm(instance=policy, prefix="policy"),
        "wordings": [
            (
                wording,
                edit
                if edit is not None and edit.instance.pk == wording.pk
                else WordingForm(instance=wording, policy=policy, prefix=f"w{wording.pk}"),
            )
            for wording in wordings
        ],
        "new": forms.get("new") or WordingForm(policy=policy, prefix="new"),
    }
    return render(request, "voice/survey_policy.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def policy_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The policy's settings and its words per language; POST `action` says which form was sent."""
    agent = _agent(request)
    policy = get_object_or_404(SurveyPolicy.objects.select_related("team"), pk=pk)
    if not may_manage(agent, policy.team_id):
        raise Http404("No such survey policy.")  # another team's: as if it were not there
    if request.method == "GET":
        return _page(request, policy)
    action = request.POST.get("action", "")
    if action == "policy":
        form = PolicyForm(request.POST, instance=policy, prefix="policy")
        if not form.is_valid():
            return _page(request, policy, status=400, form=form)
        change_policy(form, by=agent)
    elif action == "add":
        new = WordingForm(request.POST, policy=policy, prefix="new")
        if not new.is_valid():
            return _page(request, policy, status=400, new=new)
        save_wording(new, by=agent)
    elif action in ("change", "delete"):
        wording = get_object_or_404(SurveyWording, pk=request.POST.get("wording", ""), policy=policy)
        if action == "delete":
            delete_wording(wording, by=agent)
        else:
            edit = WordingForm(request.POST, instance=wording, policy=policy, prefix=f"w{wording.pk}")
            if not edit.is_valid():
                return _page(request, policy, status=400, edit=edit)
            save_wording(edit, by=agent)
    else:
        return _page(request, policy, status=400)
    flash.success(request, "Saved.")
    return redirect("voice:survey_policy", pk=policy.pk)
