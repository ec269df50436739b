"""The insights seam: each dashboard answers one question a lead asks, from the figures it builds.

A dashboard is registered once (in its app's `AppConfig.ready`) with a function that takes the
page's filters and returns plain data: headline figures, charts (series of points) and tables.
The insights app renders every dashboard the same way: server-rendered SVG charts, each with a
table view for screen readers, a CSV download, the filter form, a phone-friendly layout. A
dashboard's builder never renders HTML and never reads the request; tests call it directly and
compare its figures with a direct query on the same rows.

    register_dashboard(Dashboard(
        slug="promises", title="Promise keeping", order=30,
        question="Do we keep our word — early, on time, late or not at all — by agent and team?",
        build=promise_keeping,                     # (Filters) -> Result
        filters=frozenset({"team", "agent"}),      # the filters it honours (dates always)
    ))
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

FILTER_NAMES = ("team", "agent", "channel", "organisation", "need")


@dataclass(frozen=True)
class Filters:
    """What the lead picked: an inclusive date range (in the team's time zone) and optional ids."""

    start: date
    end: date
    team_id: int | None = None
    agent_id: int | None = None
    channel: str = ""
    organisation_id: int | None = None
    need_id: int | None = None


@dataclass(frozen=True)
class Figure:
    """A headline number: "Recovery rate", 0.62, shown as "62%", with what it counts."""

    label: str
    value: float | int | None
    display: str
    detail: str = ""  # e.g. "31 of 50 closed cases", or a 95% interval


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | int | None]  # one per x label of its chart; None where unknown


@dataclass(frozen=True)
class Chart:
    """A line or bar chart over shared x labels (days, weeks, agents…); rendered as SVG + table."""

    slug: str
    title: str
    x_labels: Sequence[str]
    series: Sequence[Series]
    kind: str = "line"  # "line" | "bar" | "stacked"
    unit: str = ""  # "", "%", "min", "h"…
    note: str = ""  # how to read it, in words (spikes, thresholds)


@dataclass(frozen=True)
class Table:
    slug: str
    title: str
    columns: Sequence[str]
    rows: Sequence[Sequence[object]]
    note: str = ""


@dataclass(frozen=True)
class Result:
    figures: Sequence[Figure] = ()
    charts: Sequence[Chart] = ()
    tables: Sequence[Table] = ()
    notes: Sequence[str] = ()  # explanations, limits ("summaries are at most a minute behind")


@dataclass(frozen=True)
class Dashboard:
    slug: str
    title: str
    question: str
    build: Callable[[Filters], Result]
    order: int = 100
    filters: frozenset[str] = field(default_factory=lambda: frozenset(FILTER_NAMES))


_DASHBOARDS: dict[str, Dashboard] = {}


def register_dashboard(dashboard: Dashboard) -> None:
    """Add a dashboard (registering the same slug again replaces it: `ready` may run twice in tests)."""
    unknown = dashboard.filters - set(FILTER_NAMES)
    if unknown:
        raise ValueError(f"Unknown filters {sorted(unknown)} for dashboard {dashboard.slug!r}")
    _DASHBOARDS[dashboard.slug] = dashboard


def dashboards() -> list[Dashboard]:
    return sorted(_DASHBOARDS.values(), key=lambda d: (d.order, d.slug))


def dashboard(slug: str) -> Dashboard | None:
    return _DASHBOARDS.get(slug)
