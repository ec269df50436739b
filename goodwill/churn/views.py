"""Thin views: the watch page, recompute, team settings, reach out, open a recovery case."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from goodwill.accounts.models import Agent, Team
from goodwill.churn import selectors, services
from goodwill.churn.forms import OutreachForm, SettingsForm
from goodwill.conversations.forms import send_first_message
from goodwill.conversations.visibility import restricted_team_ids_hidden_from


def _agent(request: HttpRequest) -> Agent:
    agent: Agent = request.user  # type: ignore[assignment]
    if not selectors.may_watch(agent):
        raise PermissionDenied("The churn watch is for agents and team leads.")
    return agent


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@login_required
def watch(request: HttpRequest) -> HttpResponse:
    agent = _agent(request)
    team_id = _int(request.GET.get("team"))
    after = max(_int(request.GET.get("after")) or 0, 0)
    page = selectors.watch_page(agent, team_id=team_id, after=after)
    base = {"team": team_id} if team_id else {}
    led = selectors.led_team_ids(agent)
    teams = selectors.teams_for_filter(agent)
    context = {
        "page": page,
        "teams": teams,
        "team_id": team_id,
        "next_url": f"?{urlencode({**base, 'after': page.next_after})}" if page.next_after else "",
        "prev_url": f"?{urlencode({**base, 'after': page.prev_after})}"
        if page.prev_after is not None
        else "",
        "last_run": selectors.last_run(),
        "may_lead": agent.is_admin or bool(led),
        "led_teams": [team for team in teams if agent.is_admin or team.pk in led],
        "may_act": agent.can_reply,
        # Row links from three prefixes, not a {% url %} per row (a page has 50 rows).
        "watch_base": reverse("churn:watch"),
        "customer_base": reverse("conversations:customer", args=[0])[: -len("0/")],
        "conversation_base": reverse("conversations:detail", args=[0])[: -len("0/")],
    }
    return render(request, "churn/watch.html", context)


@login_required
@require_POST
def rebuild(request: HttpRequest) -> HttpResponse:
    agent = _agent(request)
    run = services.rebuild_now(by=agent)
    flash.success(request, f"Recomputed: {run.listed} customers listed of {run.customers_seen}.")
    return redirect("churn:watch")


@login_required
def team_settings(request: HttpRequest, team_id: int) -> HttpResponse:
    agent = _agent(request)
    if team_id in restricted_team_ids_hidden_from(agent):
        raise PermissionDenied("Not your team.")
    team = get_object_or_404(Team, pk=team_id)
    if not selectors.may_lead(agent, team):
        raise PermissionDenied("Only this team's leads and admins change its churn watch settings.")
    current = services.settings_for(team)
    form = SettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_settings(form.save(commit=False), by=agent)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            flash.success(request, "Saved. The watch uses them from the next recompute.")
            return redirect("churn:settings", team_id=team.pk)
    return render(
        request, "churn/settings.html", {"team": team, "form": form}, status=400 if form.errors else 200
    )


@login_required
def reach_out(request: HttpRequest, customer_id: int) -> HttpResponse:
    agent = _agent(request)
    entry = selectors.get_entry_for(agent, customer_id)
    subject, text = services.outreach_text(entry, agent)
    form = OutreachForm(request.POST or None, initial={"subject": subject, "text": text})
    sent = send_first_message(
        request,
        form,
        lambda data: services.start_outreach(entry, by=agent, subject=data["subject"], text=data["text"]),
    )
    if sent is not None:
        return sent
    status = 400 if form.errors else 200
    return render(request, "churn/reach_out.html", {"entry": entry, "form": form}, status=status)


@login_required
@require_POST
def open_recovery(request: HttpRequest, customer_id: int) -> HttpResponse:
    agent = _agent(request)
    entry = selectors.get_entry_for(agent, customer_id)
    _case, opened = services.open_recovery(entry, by=agent)
    flash.success(request, "Recovery case opened." if opened else "The recovery case was already open.")
    back = request.POST.get("next", "")
    if back.startswith("/") and not back.startswith("//"):
        return redirect(back)
    return redirect(f"{reverse('churn:watch')}#customer-{entry.customer_id}")
