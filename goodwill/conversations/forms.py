"""Forms of the agent workspace: inbox filters, saved views, properties, composer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from goodwill.accounts.models import Team
from goodwill.conversations.models import ContactReason, Conversation, CustomField, Macro, SavedView
from goodwill.conversations.navigation import active_custom_fields
from goodwill.conversations.selectors import INBOX_FILTERS, SORTS

SORT_CHOICES = [
    ("recent", "Latest activity"),
    ("oldest", "Oldest activity"),
    ("waiting", "Waiting longest"),
    ("created", "Newest first"),
    ("priority", "Highest priority"),
]


class InboxFilterForm(forms.Form):
    """Ad-hoc filters from the query string; a saved view stores `as_filters()`."""

    status = forms.MultipleChoiceField(choices=Conversation.Status.choices, required=False)
    priority = forms.TypedMultipleChoiceField(
        choices=Conversation.Priority.choices, coerce=int, required=False
    )
    channel = forms.MultipleChoiceField(choices=Conversation.Channel.choices, required=False)
    assignee = forms.CharField(required=False, max_length=254)
    team = forms.CharField(required=False, max_length=20)
    tag = forms.CharField(required=False, max_length=60)
    need = forms.ModelChoiceField(queryset=ContactReason.objects.filter(is_active=True), required=False)
    created_after = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    created_before = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    sort = forms.ChoiceField(choices=lambda: SORT_CHOICES, required=False)  # feature apps add sorts

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.custom_fields = active_custom_fields()  # every inbox page builds this form
        for field in self.custom_fields:
            self.fields[f"cf_{field.key}"] = forms.CharField(
                required=False, label=field.label, max_length=200
            )
        self.extra_filters = list(INBOX_FILTERS.values())  # other apps' filters (selectors.register_filter)
        for extra in self.extra_filters:
            self.fields[extra.key] = forms.ChoiceField(
                choices=extra.choices, required=False, label=extra.label
            )

    def clean_assignee(self) -> str:
        value = (self.cleaned_data.get("assignee") or "").strip().lower()
        if value == "nobody":
            return "none"
        if value and value not in ("me", "none") and not value.isdigit() and "@" not in value:
            raise forms.ValidationError("Choose me, nobody or an agent's email address.")
        return value

    def clean_team(self) -> str:
        value = self.cleaned_data.get("team") or ""
        if value and value not in ("mine", "none") and not value.isdigit():
            raise forms.ValidationError("Choose mine, none or a team.")
        return value

    def as_filters(self) -> dict[str, Any]:
        """JSON-friendly filters, without the empty ones."""
        data = self.cleaned_data
        filters: dict[str, Any] = {}
        for key in ("status", "priority", "channel", "assignee", "team", "tag", *INBOX_FILTERS):
            if data.get(key):
                filters[key] = data[key]
        if data.get("need"):
            filters["need"] = data["need"].pk
        for key in ("created_after", "created_before"):
            if data.get(key):
                filters[key] = data[key].isoformat()
        custom = {
            field.key: self._custom_value(field, data.get(f"cf_{field.key}") or "")
            for field in self.custom_fields
            if data.get(f"cf_{field.key}")
        }
        if custom:
            filters["custom"] = custom
        return filters

    @staticmethod
    def _custom_value(field: CustomField, raw: str) -> Any:
        if field.type == CustomField.Type.NUMBER:
            try:
                return float(raw) if "." in raw else int(raw)
            except ValueError:
                return raw
        if field.type == CustomField.Type.BOOLEAN:
            return raw.lower() in ("1", "true", "yes", "on")
        return raw

    def chosen_sort(self) -> str:
        value = self.cleaned_data.get("sort") if hasattr(self, "cleaned_data") else ""
        return value if value in SORTS else ""


def filters_as_query(filters: dict[str, Any]) -> list[tuple[str, str]]:
    """The query-string pairs that give `filters` back through InboxFilterForm."""
    pairs: list[tuple[str, str]] = []
    for key, value in filters.items():
        if key == "custom":
            pairs.extend((f"cf_{name}", str(item)) for name, item in value.items())
        elif isinstance(value, list):
            pairs.extend((key, str(item)) for item in value)
        else:
            pairs.append((key, str(value)))
    return pairs


class SavedViewForm(forms.ModelForm):
    sort = forms.ChoiceField(choices=lambda: SORT_CHOICES, initial="recent")  # feature apps add sorts

    class Meta:
        model = SavedView
        fields = ["name", "sort", "is_shared"]


class PropertiesForm(forms.Form):
    """Inline edits on the conversation page. Only fields present in the POST are applied."""

    status = forms.ChoiceField(choices=Conversation.Status.choices, required=False)
    priority = forms.TypedChoiceField(choices=Conversation.Priority.choices, coerce=int, required=False)
    assignee = forms.CharField(required=False, max_length=254)
    team = forms.ModelChoiceField(queryset=Team.objects.all(), required=False)
    need = forms.ModelChoiceField(queryset=ContactReason.objects.filter(is_active=True), required=False)
    need_met = forms.ChoiceField(
        choices=[("", "Not yet known"), *Conversation.NeedMet.choices], required=False
    )
    tags = forms.CharField(required=False, max_length=1000)
    subject = forms.CharField(required=False, max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.custom_fields = list(CustomField.objects.filter(is_active=True))
        for field in self.custom_fields:
            self.fields[f"cf_{field.key}"] = forms.CharField(
                required=False, label=field.label, max_length=2000
            )


class ComposerForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[
            ("reply", "Reply"),
            ("note", "Internal note"),
            ("phone", "Phone call"),
            ("walk_in", "Walk-in"),
        ],
        initial="reply",
    )
    text = forms.CharField(required=False, widget=forms.Textarea)
    seen_message_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # Set when the agent chose "Send anyway" although another agent is replying.
    collision_ack = forms.BooleanField(required=False, widget=forms.HiddenInput)
    status = forms.ChoiceField(
        choices=[
            ("", "Keep status"),
            *[(value, label) for value, label in Conversation.Status.choices if value != "new"],
        ],
        required=False,
    )
    macro = forms.ModelChoiceField(queryset=Macro.objects.filter(is_active=True), required=False)


class MergeForm(forms.Form):
    into = forms.IntegerField(min_value=1, label="Merge into conversation number")


class FirstMessageForm(forms.Form):
    """The agent's first message of a conversation they start (also the churn watch's reach-out)."""

    subject = forms.CharField(label="Subject", max_length=300)
    text = forms.CharField(label="Message", widget=forms.Textarea(attrs={"rows": 10}), max_length=20_000)


class OutboundForm(FirstMessageForm):
    """A conversation the agent starts: to a known customer (from their page) or to an address."""

    customer = forms.IntegerField(required=False, widget=forms.HiddenInput)
    email = forms.EmailField(label="To (email address)", required=False, max_length=254)
    name = forms.CharField(label="Their name (for a new customer)", required=False, max_length=200)
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(), required=False, label="Team", empty_label="No team"
    )

    def __init__(self, *args: Any, teams: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if teams is not None:
            self.fields["team"].queryset = teams  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("customer") and not data.get("email") and "email" not in self.errors:
            self.add_error("email", "Give the customer's email address.")
        return data


def send_first_message(
    request: HttpRequest, form: FirstMessageForm, start: Callable[[dict[str, Any]], Conversation]
) -> HttpResponse | None:
    """Start the conversation from a bound, valid form with `start(cleaned_data)` and go to it;
    None (the errors on the form, a service's too) when the page is to be shown again."""
    if not form.is_bound or not form.is_valid():
        return None
    try:
        conversation = start(form.cleaned_data)
    except ValidationError as error:
        form.add_error(None, error)
        return None
    flash.success(request, "Sent. The conversation waits for the customer's answer.")
    return redirect("conversations:detail", number=conversation.number)
