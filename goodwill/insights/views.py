"""The dashboards' pages: the index, one dashboard with its filters, and its CSV."""

from __future__ import annotations

import csv
import io

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from goodwill.accounts.models import Agent, TeamMembership
from goodwill.insights import registry, svg
from goodwill.insights.forms import FilterForm
from goodwill.insights.registry import Dashboard, Filters, Result

REFUSAL = "Insights are for team leads and admins. Ask your lead for the figures you need."


def may_see_insights(agent: Agent) -> bool:
    """Leads (of any team) and admins: the dashboards compare agents and teams."""
    if not agent.is_active:
        return False
    return agent.is_admin or TeamMembership.objects.filter(agent=agent, is_lead=True).exists()


def _lead(request: HttpRequest) -> Agent:
    agent: Agent = request.user  # type: ignore[assignment]
    if not may_see_insights(agent):
        raise PermissionDenied(REFUSAL)
    return agent


@login_required
def index(request: HttpRequest) -> HttpResponse:
    _lead(request)
    return render(request, "insights/index.html", {"dashboards": registry.dashboards()})


def _dashboard(slug: str) -> Dashboard:
    found = registry.dashboard(slug)
    if found is None:
        raise Http404("No such dashboard")
    return found


@login_required
def dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    _lead(request)
    board = _dashboard(slug)
    form = FilterForm(request.GET, shown=board.filters)
    filters = form.filters()
    result = board.build(filters)
    if request.GET.get("format") == "csv":
        return _csv(board, filters, result)
    charts = [
        (
            chart,
            svg.render(chart),
            [(x, [s.values[i] for s in chart.series]) for i, x in enumerate(chart.x_labels)],
        )
        for chart in result.charts
    ]
    query = request.GET.copy()
    query.pop("format", None)
    context = {
        "board": board, "form": form, "filters": filters, "result": result, "charts": charts,
        "dashboards": registry.dashboards(), "csv_query": query.urlencode(),
    }  # fmt: skip
    return render(request, "insights/dashboard.html", context, status=200 if form.is_valid() else 400)


@login_required
def dashboard_csv(request: HttpRequest, slug: str) -> HttpResponse:
    _lead(request)
    board = _dashboard(slug)
    filters = FilterForm(request.GET, shown=board.filters).filters()
    return _csv(board, filters, board.build(filters))


def _csv(board: Dashboard, filters: Filters, result: Result) -> HttpResponse:
    """Every figure, chart and table of the page, one block after another."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow([board.title, f"{filters.start.isoformat()} to {filters.end.isoformat()}"])
    w.writerow([])
    w.writerow(["Figure", "Value", "Shown as", "Detail"])
    for figure in result.figures:
        w.writerow(
            [figure.label, "" if figure.value is None else figure.value, figure.display, figure.detail]
        )
    for chart in result.charts:
        w.writerow([])
        w.writerow([chart.title])
        w.writerow(["", *[series.name for series in chart.series]])
        for i, x in enumerate(chart.x_labels):
            w.writerow([x, *["" if s.values[i] is None else s.values[i] for s in chart.series]])
    for table in result.tables:
        w.writerow([])
        w.writerow([table.title])
        w.writerow(list(table.columns))
        w.writerows([list(row) for row in table.rows])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    name = f"{board.slug}-{filters.start.isoformat()}-{filters.end.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
