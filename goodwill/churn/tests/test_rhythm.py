"""The rhythm maths on plain values: usual interval, floors, defaults, overdue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from goodwill.churn.rhythm import Thresholds, gaps_in_days, rhythm_of, usual_interval

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def days_ago(*days: float) -> list[datetime]:
    return [NOW - timedelta(days=d) for d in sorted(days, reverse=True)]


def test_the_usual_interval_is_the_median_gap_so_one_long_holiday_does_not_stretch_it():
    gaps = gaps_in_days(days_ago(200, 179, 158, 137, 53))  # 21, 21, 21, then 84
    assert gaps == [21, 21, 21, 84]
    usual, basis = usual_interval(gaps, Thresholds())
    assert usual == 21
    assert "median" in basis


def test_a_very_frequent_writer_gets_the_minimum_interval():
    usual, basis = usual_interval([1, 1, 2, 1], Thresholds(min_interval_days=7))
    assert usual == 7
    assert "minimum" in basis


def test_single_contact_customers_use_the_team_default():
    usual, basis = usual_interval([], Thresholds(default_interval_days=45))
    assert usual == 45
    assert "only 1 conversation" in basis


def test_two_contacts_below_min_history_use_the_default_as_a_floor():
    assert usual_interval([10], Thresholds(default_interval_days=30, min_history=3))[0] == 30
    assert usual_interval([90], Thresholds(default_interval_days=30, min_history=3))[0] == 90


def test_overdue_only_past_factor_times_the_usual_interval():
    times = days_ago(100, 80, 60, 40)  # every 20 days, last 40 days ago
    assert not rhythm_of(times, times[-1], NOW, Thresholds(factor=2.0)).overdue  # 40 is not > 40
    assert rhythm_of(times, times[-1], NOW, Thresholds(factor=1.5)).overdue
    rhythm = rhythm_of(times, times[-1], NOW + timedelta(days=1), Thresholds(factor=2.0))
    assert rhythm.overdue
    assert round(rhythm.silent_days) == 41 and rhythm.usual_days == 20
