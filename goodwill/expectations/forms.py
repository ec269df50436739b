"""Admin forms: SLA policies, schedules (weekly hours, time zone, teams) and holidays."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django import forms
from django.db import transaction

from goodwill.accounts.models import Agent, Team
from goodwill.conversations.models import Conversation
from goodwill.expectations.calendars import format_hours, parse_hours
from goodwill.expectations.models import Holiday, Schedule, ScheduleTeam, SlaPolicy

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


class PolicyForm(forms.ModelForm):
    channel = forms.ChoiceField(choices=[("", "Any channel"), *Conversation.Channel.choices], required=False)

    class Meta:
        model = SlaPolicy
        fields = [
            "name",
            "position",
            "is_active",
            "priority",
            "channel",
            "organisation",
            "need",
            "customer_kind",
            "first_response_minutes",
            "next_response_minutes",
            "resolution_minutes",
            "warn_before_minutes",
            "notify_on_breach",
            "raise_priority",
            "reassign_to",
        ]
        labels = {
            "first_response_minutes": "First response (business minutes)",
            "next_response_minutes": "Every next response (business minutes)",
            "resolution_minutes": "Resolution (business minutes)",
            "warn_before_minutes": "Warn this many business minutes before",
            "reassign_to": "At breach, reassign to",
            "position": "Order (lower is checked first)",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agents = Agent.objects.filter(is_active=True).exclude(role=Agent.Role.LIGHT)
        self.fields["reassign_to"].queryset = agents  # type: ignore[attr-defined]
        self.fields["priority"].empty_label = "Any priority"  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        targets = ("first_response_minutes", "next_response_minutes", "resolution_minutes")
        if not any(data.get(name) for name in targets):
            raise forms.ValidationError("Give the policy at least one target.")
        return data


class ScheduleForm(forms.ModelForm):
    teams = forms.ModelMultipleChoiceField(queryset=Team.objects.all(), required=False)

    class Meta:
        model = Schedule
        fields = ["name", "time_zone", "is_default"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        weekly = self.instance.weekly() if self.instance.pk else {}
        for day, label in enumerate(WEEKDAYS):
            initial = (
                format_hours(weekly.get(day, [])) if self.instance.pk else ("09:00-17:00" if day < 5 else "")
            )
            self.fields[f"day_{day}"] = forms.CharField(
                label=label,
                required=False,
                initial=initial,
                max_length=100,
                help_text="e.g. 09:00-17:00 or 08:00-12:00, 13:00-17:00; empty for closed; 24h for all day",
            )
        if self.instance.pk:
            self.fields["teams"].initial = list(
                ScheduleTeam.objects.filter(schedule=self.instance).values_list("team_id", flat=True)
            )

    def day_fields(self) -> list[forms.BoundField]:
        return [self[f"day_{day}"] for day in range(7)]

    def clean_time_zone(self) -> str:
        name = self.cleaned_data["time_zone"].strip()
        try:
            zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise forms.ValidationError("Not a time zone name, e.g. Europe/London.") from None
        return name

    def clean_is_default(self) -> bool:
        wanted = bool(self.cleaned_data.get("is_default"))
        others = Schedule.objects.filter(is_default=True).exclude(pk=self.instance.pk)
        if wanted and others.exists():
            raise forms.ValidationError(f"“{others.first()}” is the default already; untick it there first.")
        return wanted

    def clean_teams(self) -> list[Team]:
        teams = list(self.cleaned_data["teams"])
        taken = ScheduleTeam.objects.filter(team__in=teams).exclude(schedule=self.instance.pk or 0)
        if taken.exists():
            names = ", ".join(sorted(str(link.team) for link in taken.select_related("team")))
            raise forms.ValidationError(f"Already on another schedule: {names}.")
        return teams

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        hours: dict[str, list[list[str]]] = {}
        for day in range(7):
            try:
                intervals = parse_hours(data.get(f"day_{day}", "") or "")
            except ValueError as error:
                self.add_error(f"day_{day}", str(error))
                continue
            if intervals:
                hours[str(day)] = [[f"{a:%H:%M}", f"{b:%H:%M}"] for a, b in intervals]
        if not hours and not self.errors:
            raise forms.ValidationError("Give at least one day working hours.")
        data["hours"] = hours
        return data

    def save(self, commit: bool = True) -> Schedule:
        schedule = super().save(commit=False)
        schedule.hours = self.cleaned_data["hours"]
        with transaction.atomic():
            schedule.save()
            ScheduleTeam.objects.filter(schedule=schedule).delete()
            ScheduleTeam.objects.bulk_create(
                [ScheduleTeam(schedule=schedule, team=t) for t in self.cleaned_data["teams"]]
            )
        return schedule


class HolidayForm(forms.ModelForm):
    class Meta:
        model = Holiday
        fields = ["date", "name"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}


class IcsForm(forms.Form):
    file = forms.FileField(label="Holiday calendar (.ics)")
