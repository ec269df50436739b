"""The dashboards' filter form: a date range (with presets) and optional team, agent, channel…"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from goodwill.accounts.models import Agent, Team
from goodwill.conversations.models import ContactReason, Conversation
from goodwill.customers.models import Organisation
from goodwill.insights.registry import Filters

PRESETS = (("7", "Last 7 days"), ("30", "Last 30 days"), ("90", "Last 90 days"), ("", "Chosen dates"))
DEFAULT_DAYS = 30
MAX_DAYS = 3 * 366
ORGANISATION_CHOICES = 300  # listed by name; any other organisation's id is accepted from the URL


class QuickSelect(forms.Select):
    """Django's `Select` with the same markup, but each option written in Python: the template
    engine renders a template per option, which made the organisation and agent lists (hundreds
    of options) the largest CPU cost of every dashboard page."""

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        options = [
            format_html(
                '<option value="{}"{}>{}</option>', option["value"], flatatt(option["attrs"]), option["label"]
            )
            for _group, choices, _index in widget["optgroups"]
            for option in choices
        ]
        start = format_html('<select name="{}"{}>', widget["name"], flatatt(widget["attrs"]))
        return mark_safe(start + "\n" + "\n".join(options) + "\n</select>")  # noqa: S308 - parts escaped above


class FilterForm(forms.Form):
    range = forms.ChoiceField(label="Period", choices=PRESETS, required=False, widget=QuickSelect)
    start = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    team = forms.TypedChoiceField(
        widget=QuickSelect, label="Team", required=False, coerce=int, empty_value=None
    )
    agent = forms.TypedChoiceField(
        widget=QuickSelect, label="Agent", required=False, coerce=int, empty_value=None
    )
    channel = forms.ChoiceField(label="Channel", required=False, widget=QuickSelect)
    organisation = forms.TypedChoiceField(
        widget=QuickSelect, label="Organisation", required=False, coerce=int, empty_value=None
    )
    need = forms.TypedChoiceField(
        widget=QuickSelect, label="Need", required=False, coerce=int, empty_value=None
    )

    def __init__(self, data: Any, *, shown: frozenset[str]) -> None:
        data = data.copy()
        # ?from=…&to=… (the documented URL contract) are the same fields as the form's start and end.
        for outside, inside in (("from", "start"), ("to", "end")):
            if data.get(outside) and not data.get(inside):
                data[inside] = data[outside]
        super().__init__(data)
        self.shown = shown
        anyone = [("", "All")]
        self._choose("team", anyone + list(Team.objects.order_by("name").values_list("pk", "name")))
        agents = Agent.objects.filter(is_active=True).order_by("name", "email").only("pk", "name", "email")
        self._choose("agent", anyone + [(a.pk, a.display_name) for a in agents])
        self._choose("channel", anyone + list(Conversation.Channel.choices))
        organisations = list(
            Organisation.objects.order_by("name").values_list("pk", "name")[:ORGANISATION_CHOICES]
        )
        picked = str(data.get("organisation") or "")
        if picked.isdigit() and all(str(pk) != picked for pk, _name in organisations):
            # One beyond the list (a link from elsewhere, a bookmarked URL) is still a valid choice.
            organisations += list(Organisation.objects.filter(pk=int(picked)).values_list("pk", "name"))
        self._choose("organisation", anyone + list(organisations))
        needs = ContactReason.objects.filter(is_active=True).order_by("name").values_list("pk", "name")
        self._choose("need", anyone + list(needs))
        for name in ("team", "agent", "channel", "organisation", "need"):
            if name not in shown:
                del self.fields[name]

    def _choose(self, name: str, choices: list[Any]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        today = timezone.localdate()
        preset = data.get("range")
        if preset or not (data.get("start") or data.get("end")):
            days = int(preset or DEFAULT_DAYS)
            data["start"], data["end"] = today - timedelta(days=days - 1), today
        else:
            data["end"] = data.get("end") or today
            data["start"] = data.get("start") or data["end"] - timedelta(days=DEFAULT_DAYS - 1)
        if data["start"] > data["end"]:
            self.add_error("start", "The start comes after the end.")
        elif (data["end"] - data["start"]).days > MAX_DAYS:
            self.add_error("start", "Pick at most three years.")
        return data

    def filters(self) -> Filters:
        """The filters picked (the defaults when the form is invalid)."""
        data = self.cleaned_data if self.is_valid() else {}
        end: date = data.get("end") or timezone.localdate()
        start: date = data.get("start") or end - timedelta(days=DEFAULT_DAYS - 1)
        return Filters(
            start=start, end=end, team_id=data.get("team"), agent_id=data.get("agent"),
            channel=data.get("channel") or "", organisation_id=data.get("organisation"), need_id=data.get("need"),
        )  # fmt: skip
