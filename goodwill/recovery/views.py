"""Thin views: the recovery queue, a case, opening one by hand, ticking steps, closing, settings."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from goodwill.accounts.models import Agent, Team
from goodwill.conversations.visibility import get_conversation_for
from goodwill.customers.models import Customer
from goodwill.recovery import selectors, services
from goodwill.recovery.forms import CloseForm, OpenCaseForm, StepFormSet, TickForm, TriggerSettingsForm
from goodwill.recovery.models import CaseStep, RecoveryCase


def _agent(request: HttpRequest) -> Agent:
    return request.user  # type: ignore[return-value]


def _case_url(case: RecoveryCase) -> str:
    return reverse("recovery:case", args=[case.pk])


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """Open cases (mine, my teams', all), overdue first; the lead summary for leads and admins."""
    agent = _agent(request)
    scope = request.GET.get("scope", "mine")
    if scope not in selectors.QUEUE_SCOPES:
        scope = "mine"
    closed = (
        selectors.cases_visible_to(agent)
        .filter(status=RecoveryCase.Status.CLOSED)
        .select_related("customer", "conversation", "owner")
        .order_by("-closed_at", "-pk")
    )
    if scope == "mine":
        closed = closed.filter(owner=agent)
    context = {
        "scope": scope,
        "scopes": [("mine", "Mine"), ("team", "My teams"), ("all", "All open")],
        "cases": selectors.queue(agent, scope),
        "closed": list(closed[:20]),
        "summary": selectors.lead_summary(agent),
        "now": timezone.now(),
    }
    return render(request, "recovery/queue.html", context)


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agent = _agent(request)
    case = selectors.get_case_for(agent, pk)
    steps = list(case.steps.select_related("done_by"))
    context = {
        "case": case,
        "steps": steps,
        "tick_form": TickForm(),
        "close_form": CloseForm(),
        "cost": sum((s.cost or Decimal(0) for s in steps), Decimal(0)),
        "now": timezone.now(),
    }
    return render(request, "recovery/case.html", context)


def _open(request: HttpRequest, customer: Customer, conversation: object, back: str) -> HttpResponse:
    form = OpenCaseForm(request.POST)
    if not form.is_valid():
        flash.error(request, "Say what went wrong.")
        return redirect(back)
    try:
        case, created = services.open_case_by_hand(
            customer,
            by=_agent(request),
            reason=form.cleaned_data["reason"],
            conversation=conversation,  # type: ignore[arg-type]
            token=form.cleaned_data["token"],
        )
    except (ValidationError, PermissionDenied) as error:
        flash.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return redirect(back)
    flash.success(request, "Recovery case opened." if created else "That case is open already.")
    return redirect(_case_url(case))


@login_required
@require_POST
def open_on_conversation(request: HttpRequest, number: int) -> HttpResponse:
    conversation = get_conversation_for(_agent(request), number)
    back = reverse("conversations:detail", args=[number]) + "#recovery"
    return _open(request, conversation.customer, conversation, back)


@login_required
@require_POST
def open_for_customer(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_object_or_404(Customer, pk=pk)
    return _open(request, customer, None, reverse("conversations:customer", args=[pk]))


@login_required
@require_POST
def tick(request: HttpRequest, pk: int) -> HttpResponse:
    agent = _agent(request)
    step = get_object_or_404(CaseStep.objects.select_related("case"), pk=pk)
    selectors.get_case_for(agent, step.case_id)  # 404 unless the agent may see the case
    form = TickForm(request.POST)
    if not form.is_valid():
        flash.error(request, "A cost is a number of 0 or more.")
        return redirect(_case_url(step.case))
    try:
        if request.POST.get("undo"):
            services.untick_step(step, by=agent)
        else:
            services.tick_step(step, by=agent, cost=form.cleaned_data["cost"], note=form.cleaned_data["note"])
    except (ValidationError, PermissionDenied) as error:
        flash.error(request, " ".join(getattr(error, "messages", [str(error)])))
    return redirect(_case_url(step.case) + f"#step-{step.pk}")


@login_required
@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    agent = _agent(request)
    case = selectors.get_case_for(agent, pk)
    form = CloseForm(request.POST)
    if not form.is_valid():
        flash.error(request, "Choose the result.")
        return redirect(_case_url(case))
    try:
        closed = services.close_case(
            case, result=form.cleaned_data["result"], by=agent, note=form.cleaned_data["note"]
        )
    except (ValidationError, PermissionDenied) as error:
        flash.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        flash.success(request, "Case closed." if closed else "This case was closed already.")
    return redirect(_case_url(case))


@login_required
def recovery_settings(request: HttpRequest) -> HttpResponse:
    """A team's triggers and playbook (no team: the defaults). Leads edit their team's; admins all."""
    agent = _agent(request)
    team_id = request.GET.get("team", "")
    team = get_object_or_404(Team, pk=team_id) if team_id.isdigit() else None
    if not services.may_edit_recovery(agent, team):
        raise Http404("No such page")
    instance = services.settings_for(team)
    if instance.team_id != (team.pk if team else None) or instance.pk is None:
        instance.pk, instance.team = None, team  # the team starts from the defaults' values
    form = TriggerSettingsForm(request.POST or None, instance=instance)
    initial = [{"kind": s.kind, "title": s.title, "due_days": s.due_days} for s in services.steps_for(team)]
    steps = StepFormSet(request.POST or None, initial=initial, prefix="steps")
    if request.method == "POST" and form.is_valid() and steps.is_valid():
        plans = [
            services.StepPlan(row["kind"], row["title"], row["due_days"])
            for row in steps.cleaned_data
            if row and not row.get("DELETE")
        ]
        try:
            services.save_playbook(team, plans, by=agent)
        except ValidationError as error:
            flash.error(request, " ".join(error.messages))
        else:
            saved = form.save(commit=False)
            saved.team = team
            saved.save()
            flash.success(request, "Recovery settings saved.")
            return redirect(request.get_full_path())
    teams = (
        Team.objects.order_by("name")
        if agent.is_admin
        else Team.objects.filter(teammembership__agent=agent, teammembership__is_lead=True).order_by("name")
    )
    context = {"form": form, "steps": steps, "team": team, "teams": teams}
    return render(request, "recovery/settings.html", context, status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def take(request: HttpRequest, pk: int) -> HttpResponse:
    """Become the case's owner."""
    agent = _agent(request)
    case = selectors.get_case_for(agent, pk)
    try:
        services.assign_case(case, owner=agent, by=agent)
    except PermissionDenied as error:
        flash.error(request, str(error))
    return redirect(_case_url(case))
