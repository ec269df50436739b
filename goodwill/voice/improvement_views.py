"""Complaints, improvements and extra-mile actions: the conversation's panel forms and the improvements pages."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from goodwill.accounts.models import Agent
from goodwill.conversations.visibility import get_conversation_for
from goodwill.voice import improvements as service
from goodwill.voice.models import Complaint, Improvement


def _back(number: int) -> HttpResponse:
    return redirect(f"{reverse('conversations:detail', args=[number])}#complaint")


def _problem(request: HttpRequest, error: ValidationError) -> None:
    flash.error(request, " ".join(error.messages) + " Nothing was changed.")


@login_required
@require_POST
def mark(request: HttpRequest, number: int) -> HttpResponse:
    agent: Agent = request.user  # type: ignore[assignment]
    conversation = get_conversation_for(agent, number)
    service.mark_complaint(conversation, by=agent, summary=request.POST.get("summary", ""))
    return _back(number)


@login_required
@require_POST
def acknowledge(request: HttpRequest, number: int) -> HttpResponse:
    agent: Agent = request.user  # type: ignore[assignment]
    complaint = get_object_or_404(Complaint, conversation=get_conversation_for(agent, number))
    try:
        service.acknowledge(complaint, by=agent, text=request.POST.get("text", ""))
    except ValidationError as error:
        _problem(request, error)
    else:
        flash.success(request, "Thanks sent.")
    return _back(number)


@login_required
@require_POST
def link(request: HttpRequest, number: int) -> HttpResponse:
    agent: Agent = request.user  # type: ignore[assignment]
    complaint = get_object_or_404(Complaint, conversation=get_conversation_for(agent, number))
    try:
        chosen = request.POST.get("improvement", "")
        improvement: Improvement | None
        if chosen == "new":
            improvement = service.create_improvement(title=request.POST.get("title", ""), by=agent)
        else:
            improvement = get_object_or_404(Improvement, pk=int(chosen)) if chosen.isdigit() else None
        service.link_improvement(complaint, improvement, by=agent)
    except ValidationError as error:
        _problem(request, error)
    return _back(number)


@login_required
@require_POST
def extra_mile(request: HttpRequest, number: int) -> HttpResponse:
    agent: Agent = request.user  # type: ignore[assignment]
    conversation = get_conversation_for(agent, number)
    try:
        service.log_extra_mile(conversation, by=agent, what=request.POST.get("what", ""),
                               cost=request.POST.get("cost", "0"))
    except ValidationError as error:
        _problem(request, error)
    return _back(number)


@login_required
@require_http_methods(["GET", "POST"])
def improvement_list(request: HttpRequest) -> HttpResponse:
    agent: Agent = request.user  # type: ignore[assignment]
    error = None
    if request.method == "POST":
        try:
            improvement = service.create_improvement(title=request.POST.get("title", ""), by=agent,
                                                     description=request.POST.get("description", ""))
        except ValidationError as problem:
            error = " ".join(problem.messages)
        else:
            return redirect("voice:improvement", pk=improvement.pk)
    rows = Improvement.objects.annotate(raised_by=Count("complaints")).select_related("owner")
    status = request.GET.get("status", "")
    if status in Improvement.Status.values:
        rows = rows.filter(status=status)
    context = {"improvements": rows[:200], "statuses": Improvement.Status.choices, "status": status, "error": error,
               "typed": request.POST}
    return render(request, "voice/improvements.html", context, status=400 if error else 200)


@login_required
@require_http_methods(["GET", "POST"])
def improvement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agent: Agent = request.user  # type: ignore[assignment]
    improvement = get_object_or_404(Improvement, pk=pk)
    error = None
    if request.method == "POST":
        try:
            told = service.change_improvement(
                improvement, status=request.POST.get("status", ""), by=agent,
                reason=request.POST.get("reason", ""), announcement=request.POST.get("announcement", ""),
            )
        except ValidationError as problem:
            error = " ".join(problem.messages)
        else:
            flash.success(request, f"Saved. {told} customer{'s' if told != 1 else ''} told." if told else "Saved.")
            return redirect("voice:improvement", pk=pk)
    complaints = improvement.complaints.select_related("conversation", "customer").order_by("-marked_at")[:500]
    context = {"improvement": improvement, "complaints": complaints, "statuses": Improvement.Status.choices,
               "error": error, "typed": request.POST}
    return render(request, "voice/improvement.html", context, status=400 if error else 200)
