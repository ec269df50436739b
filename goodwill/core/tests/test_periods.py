"""Report periods: local bounds, buckets, and the database's local day across a daylight-saving change."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Count
from django.utils import timezone

from goodwill.accounts.models import Agent, Team
from goodwill.core.periods import Buckets, bounds, local_date, median_seconds, offset_spans

PARIS = ZoneInfo("Europe/Paris")


def test_bounds_are_local_midnights():
    since, until = bounds(date(2026, 3, 28), date(2026, 3, 29), PARIS)
    assert since == datetime(2026, 3, 27, 23, 0, tzinfo=UTC)
    assert until == datetime(2026, 3, 29, 22, 0, tzinfo=UTC)  # summer time from the 29th


def test_offset_spans_find_the_change():
    spans = offset_spans(*bounds(date(2026, 3, 20), date(2026, 4, 5), PARIS), PARIS)
    assert spans == [
        (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), timedelta(hours=1)),
        (None, timedelta(hours=2)),
    ]


def test_buckets_by_day_week_and_month():
    assert Buckets.for_range(date(2026, 3, 1), date(2026, 3, 3)).labels == [
        "2026-03-01",
        "2026-03-02",
        "2026-03-03",
    ]
    weeks = Buckets.for_range(date(2026, 1, 1), date(2026, 4, 1))
    assert weeks.unit == "week" and weeks.labels[0] == "week of 2025-12-29"
    months = Buckets.for_range(date(2026, 1, 15), date(2026, 12, 31))
    assert months.labels[0] == "2026-01" and months.labels[-1] == "2026-12" and len(months.labels) == 12
    assert months.spread([(date(2026, 1, 20), 2), ("2026-01-31", 1), (date(2026, 12, 1), 4)])[::11] == [3, 4]


@pytest.mark.django_db
def test_local_days_follow_daylight_saving_in_the_database():
    moments = [
        datetime(2026, 3, 28, 22, 30, tzinfo=UTC),  # 23:30 on the 28th in Paris (winter time)
        datetime(2026, 3, 28, 23, 30, tzinfo=UTC),  # 00:30 on the 29th
        datetime(2026, 3, 29, 22, 30, tzinfo=UTC),  # 00:30 on the 30th (summer time)
        datetime(2026, 3, 29, 21, 30, tzinfo=UTC),  # 23:30 on the 29th
    ]
    for n, moment in enumerate(moments):
        Team.objects.filter(pk=Team.objects.create(name=f"T{n}", slug=f"t{n}").pk).update(created_at=moment)
    since, until = bounds(date(2026, 3, 27), date(2026, 3, 31), PARIS)
    with timezone.override(PARIS):
        rows = (
            Team.objects.annotate(day=local_date("created_at", since, until))
            .values("day")
            .annotate(n=Count("pk"))
        )
        days = {row["day"]: row["n"] for row in rows.order_by()}
    assert days == {date(2026, 3, 28): 1, date(2026, 3, 29): 2, date(2026, 3, 30): 1}
    assert days == {
        day: sum(1 for moment in moments if moment.astimezone(PARIS).date() == day) for day in days
    }


@pytest.mark.django_db
def test_median_seconds_is_the_middle_one_or_the_mean_of_the_middle_two():
    joined = datetime(2026, 1, 1, tzinfo=UTC)
    for n, hours in enumerate((1, 3, 10, 30)):
        Agent.objects.create(
            email=f"a{n}@x.test", date_joined=joined, last_login=joined + timedelta(hours=hours)
        )
    agents = Agent.objects.all()
    assert median_seconds(agents, "last_login", "date_joined", 4) == pytest.approx(6.5 * 3600)
    assert median_seconds(agents.exclude(email="a3@x.test"), "last_login", "date_joined", 3) == pytest.approx(
        3 * 3600
    )
    assert median_seconds(agents.none(), "last_login", "date_joined", 0) is None
