"""Admin pages for SLA policies, schedules and holidays, and the expectations page."""

from __future__ import annotations

import csv

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from goodwill.accounts.models import Agent
from goodwill.accounts.policy import Action, require
from goodwill.expectations import figures
from goodwill.expectations.forms import HolidayForm, IcsForm, PolicyForm, ScheduleForm
from goodwill.expectations.holidays import HolidayImportError, import_holidays
from goodwill.expectations.models import Holiday, Schedule, ScheduleTeam, SlaPolicy
from goodwill.expectations.reports import chart_for, expectations_table, segments


def _admin(request: HttpRequest) -> Agent:
    agent: Agent = request.user  # type: ignore[assignment]
    require(agent, Action.ADMINISTER)
    return agent


@login_required
@require_http_methods(["GET", "POST"])
def policies(request: HttpRequest) -> HttpResponse:
    _admin(request)
    form = PolicyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        policy = form.save()
        flash.success(request, f"Policy “{policy}” added.")
        return redirect("expectations:policies")
    rows = SlaPolicy.objects.select_related("organisation", "need", "reassign_to")
    return render(request, "expectations/policies.html", {"policies": rows, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def policy_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _admin(request)
    policy = get_object_or_404(SlaPolicy, pk=pk)
    form = PolicyForm(request.POST or None, instance=policy)
    if request.method == "POST" and form.is_valid():
        form.save()
        flash.success(request, f"Policy “{policy}” saved. Clocks already running keep their due times.")
        return redirect("expectations:policies")
    return render(request, "expectations/policy_edit.html", {"policy": policy, "form": form})


@login_required
@require_POST
def policy_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _admin(request)
    policy = get_object_or_404(SlaPolicy, pk=pk)
    policy.delete()
    flash.success(request, f"Policy “{policy}” deleted; its recorded outcomes stay.")
    return redirect("expectations:policies")


@login_required
@require_http_methods(["GET", "POST"])
def schedules(request: HttpRequest) -> HttpResponse:
    _admin(request)
    form = ScheduleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        schedule = form.save()
        flash.success(request, f"Schedule “{schedule}” added.")
        return redirect("expectations:schedule", pk=schedule.pk)
    rows = Schedule.objects.prefetch_related("holidays")
    teams: dict[int, list[str]] = {}
    for link in ScheduleTeam.objects.select_related("team"):
        teams.setdefault(link.schedule_id, []).append(link.team.name)
    listed = [(schedule, teams.get(schedule.pk, [])) for schedule in rows]
    return render(request, "expectations/schedules.html", {"schedules": listed, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def schedule(request: HttpRequest, pk: int) -> HttpResponse:
    _admin(request)
    item = get_object_or_404(Schedule, pk=pk)
    form = ScheduleForm(request.POST if request.POST.get("form") == "schedule" else None, instance=item)
    holiday_form = HolidayForm(request.POST if request.POST.get("form") == "holiday" else None)
    ics_form = IcsForm(
        request.POST if request.POST.get("form") == "ics" else None,
        request.FILES if request.POST.get("form") == "ics" else None,
    )
    if request.method == "POST":
        if form.is_bound and form.is_valid():
            form.save()
            flash.success(request, "Schedule saved.")
            return redirect("expectations:schedule", pk=pk)
        if holiday_form.is_bound and holiday_form.is_valid():
            holiday = holiday_form.save(commit=False)
            if item.holidays.filter(date=holiday.date).exists():
                holiday_form.add_error("date", "That day is a holiday already.")
            else:
                holiday.schedule = item
                holiday.save()
                flash.success(request, f"{holiday.date:%d %b %Y} added.")
                return redirect("expectations:schedule", pk=pk)
        if ics_form.is_bound and ics_form.is_valid():
            try:
                added, known = import_holidays(item, ics_form.cleaned_data["file"].read())
            except HolidayImportError as error:
                ics_form.add_error("file", str(error))
            else:
                flash.success(request, f"Imported {added} holidays ({known} were there already).")
                return redirect("expectations:schedule", pk=pk)
    context = {
        "schedule": item,
        "form": form,
        "holiday_form": holiday_form,
        "ics_form": ics_form,
        "holidays": item.holidays.all(),
    }
    return render(
        request, "expectations/schedule.html", context, status=400 if request.method == "POST" else 200
    )


@login_required
@require_POST
def schedule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _admin(request)
    item = get_object_or_404(Schedule, pk=pk)
    item.delete()
    flash.success(request, f"Schedule “{item}” deleted.")
    return redirect("expectations:schedules")


@login_required
@require_POST
def holiday_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _admin(request)
    holiday = get_object_or_404(Holiday, pk=pk)
    holiday.delete()
    flash.success(request, f"{holiday.date:%d %b %Y} is a working day again.")
    return redirect("expectations:schedule", pk=holiday.schedule_id)


@login_required
def measured(request: HttpRequest) -> HttpResponse:
    agent: Agent = request.user  # type: ignore[assignment]
    require(agent, Action.REPLY)  # full agents and admins; light agents do not see reports
    choices = segments()
    segment = request.GET.get("segment", "all")
    segment = segment if segment in dict(choices) else "all"
    kind = request.GET.get("kind", "first_response")
    kind = kind if kind in ("first_response", "resolution") else "first_response"
    table = expectations_table(segment, kind)
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="expectations-{segment}-{kind}.csv"'.replace(
            ":", "-"
        )
        writer = csv.writer(response)
        writer.writerow(
            [
                "month",
                "segment",
                "kind",
                "count",
                "p50_seconds",
                "p75_seconds",
                "p90_seconds",
                "p95_seconds",
                "mean_seconds",
                *[f"band {label}" for _lower, label in figures.BANDS],
            ]
        )
        for row in table:
            writer.writerow(
                [
                    row.month.isoformat(),
                    row.segment,
                    row.kind,
                    row.count,
                    row.p50_seconds,
                    row.p75_seconds,
                    row.p90_seconds,
                    row.p95_seconds,
                    row.mean_seconds,
                    *row.bands,
                ]
            )
        return response
    context = {
        "segments": choices,
        "segment": segment,
        "kind": kind,
        "rows": table,
        "chart": chart_for(table),
        "bands": [label for _lower, label in figures.BANDS],
    }
    return render(request, "expectations/measured.html", context)
