"""Rule builder, “what would this do?”, assignment settings, the away switch, and the
conversation page's panel listing what rules did. Admins only, except the away switch and the panel."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from goodwill.accounts.models import Agent, Team
from goodwill.accounts.policy import Action, require
from goodwill.automation import actions as rule_actions
from goodwill.automation import conditions as rule_conditions
from goodwill.automation.assignment import set_away
from goodwill.automation.engine import DryRun, dry_run
from goodwill.automation.forms import ActionFormSet, ConditionFormSet, PolicyForm, RuleForm, TestForm
from goodwill.automation.models import AgentSkill, AssignmentPolicy, Rule, RuleRun
from goodwill.conversations.models import ContactReason, Conversation
from goodwill.conversations.panels import Panel, has_rows
from goodwill.conversations.visibility import get_conversation_for


def _admin(request: HttpRequest) -> Agent:
    agent: Agent = request.user  # type: ignore[assignment]
    require(agent, Action.ADMINISTER)
    return agent


@login_required
@require_GET
def rule_list(request: HttpRequest) -> HttpResponse:
    _admin(request)
    rules = Rule.objects.annotate(run_count=Count("runs"))
    return render(request, "automation/rules.html", {"rules": rules})


def _rows(rule: Rule | None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    if rule is None:
        return [], []
    return list(rule.conditions), list(rule.actions)


def _formsets(request: HttpRequest, rule: Rule | None) -> tuple[Any, Any]:
    if request.method == "POST":
        conditions = ConditionFormSet(request.POST, prefix="conditions")
        actions = ActionFormSet(request.POST, prefix="actions")
        return conditions, actions
    condition_rows, action_rows = _rows(rule)
    return (
        ConditionFormSet(prefix="conditions", initial=condition_rows + [{}]),
        ActionFormSet(prefix="actions", initial=action_rows + [{}]),
    )


def _with_blank_row(formset: Any, prefix: str) -> Any:
    """The rows as typed plus one empty row: “add a row” without JavaScript."""
    names = formset.form.base_fields
    data = formset.data
    initial = [
        {name: data.get(f"{prefix}-{index}-{name}", "") for name in names}
        for index in range(len(formset.forms))
        if not data.get(f"{prefix}-{index}-DELETE")
    ]
    return type(formset)(prefix=prefix, initial=[*initial, {}])


def _dry_run_of(request: HttpRequest, agent: Agent, rule: Rule, test_form: TestForm) -> DryRun | None:
    if not test_form.is_valid() or not test_form.cleaned_data.get("number"):
        return None
    try:
        conversation = get_conversation_for(agent, test_form.cleaned_data["number"])
    except Http404:
        test_form.add_error("number", "No such conversation.")
        return None
    return dry_run(rule, conversation)


@login_required
@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Build or change a rule. Buttons: save; add a condition row / action row; test against a
    past conversation (nothing is saved or changed by a test)."""
    agent = _admin(request)
    rule = get_object_or_404(Rule, pk=pk) if pk is not None else None
    form = RuleForm(request.POST or None, instance=rule)
    conditions, actions = _formsets(request, rule)
    test_form = TestForm(request.POST or request.GET or None)
    result: DryRun | None = None
    status = 200
    if request.method == "POST":
        valid = form.is_valid() & conditions.is_valid() & actions.is_valid()
        if "add_condition" in request.POST:
            conditions = _with_blank_row(conditions, "conditions")
        elif "add_action" in request.POST:
            actions = _with_blank_row(actions, "actions")
        elif valid:
            candidate = form.save(commit=False)
            candidate.conditions = [row for f in conditions.forms if (row := f.row)]
            candidate.actions = [row for f in actions.forms if (row := f.row)]
            if "test" in request.POST:
                result = _dry_run_of(request, agent, candidate, test_form)
            else:
                if candidate.created_by_id is None:
                    candidate.created_by = agent
                with transaction.atomic():
                    candidate.save()
                messages.success(request, f"Saved the rule “{candidate.name}”.")
                return redirect("automation:edit", pk=candidate.pk)
        else:
            status = 400
    elif rule is not None:
        result = _dry_run_of(request, agent, rule, test_form)
    context = {
        "rule": rule,
        "form": form,
        "conditions": conditions,
        "actions": actions,
        "test_form": test_form,
        "result": result,
        "fields": rule_conditions.FIELDS,
        "ops": rule_conditions.OPS,
        "action_types": rule_actions.ACTIONS,
        "runs": RuleRun.objects.filter(rule=rule).select_related("conversation")[:20] if rule else [],
    }
    return render(request, "automation/rule_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _admin(request)
    rule = get_object_or_404(Rule, pk=pk)
    if request.method == "POST":
        rule.delete()
        messages.success(request, f"Deleted the rule “{rule.name}”.")
        return redirect("automation:rules")
    return render(request, "automation/rule_delete.html", {"rule": rule})


@login_required
@require_http_methods(["GET", "POST"])
def assignment(request: HttpRequest) -> HttpResponse:
    """Each team's assignment policy, and each agent's skills (needs they handle well)."""
    _admin(request)
    teams = list(Team.objects.order_by("name"))
    policies = {policy.team_id: policy for policy in AssignmentPolicy.objects.all()}
    forms = [
        PolicyForm(
            request.POST or None, team=team, instance=policies.get(team.pk, AssignmentPolicy(team=team))
        )
        for team in teams
    ]
    needs = list(ContactReason.objects.filter(is_active=True).order_by("name"))
    agents = list(
        Agent.objects.filter(is_active=True).exclude(role=Agent.Role.LIGHT).order_by("name", "email")
    )
    skills = set(AgentSkill.objects.values_list("agent_id", "need_id"))
    for person in agents:
        person.skill_ids = {need_id for agent_id, need_id in skills if agent_id == person.pk}  # type: ignore[attr-defined]
    if request.method == "POST" and all(form.is_valid() for form in forms):
        with transaction.atomic():
            for form in forms:
                if form.cleaned_data["enabled"]:
                    form.save()
                elif form.instance.pk:
                    form.instance.delete()
            wanted = {
                (agent.pk, need.pk)
                for agent in agents
                for need in needs
                if f"skill-{agent.pk}-{need.pk}" in request.POST
            }
            for agent_id, need_id in skills - wanted:
                AgentSkill.objects.filter(agent_id=agent_id, need_id=need_id).delete()
            AgentSkill.objects.bulk_create(
                [AgentSkill(agent_id=a, need_id=n) for a, n in wanted - skills], ignore_conflicts=True
            )
        messages.success(request, "Saved the assignment settings.")
        return redirect("automation:assignment")
    context = {"forms": forms, "needs": needs, "agents": agents, "skills": skills}
    return render(
        request, "automation/assignment.html", context, status=400 if request.method == "POST" else 200
    )


@login_required
@require_POST
def toggle_away(request: HttpRequest) -> HttpResponse:
    """The agent sets themselves away (no new assignments) or back."""
    agent: Agent = request.user  # type: ignore[assignment]
    set_away(agent, request.POST.get("away") == "1")
    messages.success(
        request, "You are away: no new conversations come to you." if agent.is_away else "Welcome back."
    )
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    return redirect(target or "/")


def rules_panel(request: HttpRequest, conversation: Conversation) -> Panel | None:
    """What rules did to this conversation (the audit of their actions, with each rule's name)."""
    if not has_rows(request, conversation, RuleRun):
        return None
    runs = list(
        RuleRun.objects.filter(conversation=conversation)
        .select_related("rule")
        .only("rule__name", "actions", "error", "created_at", "conversation_id")[:5]
    )
    if not runs:
        return None
    return Panel("automation/_panel.html", {"runs": runs})
