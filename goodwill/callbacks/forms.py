from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from goodwill.accounts.models import Agent
from goodwill.conversations.models import Conversation


class ScheduleForm(forms.Form):
    due_at = forms.DateTimeField(
        label="When",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text="In your time zone.",
    )
    owner = forms.ModelChoiceField(label="Who calls", queryset=Agent.objects.none())
    phone = forms.CharField(label="Number", max_length=40)
    note = forms.CharField(label="Note (optional)", max_length=500, required=False)
    confirm_to_customer = forms.BooleanField(label="Email the customer a confirmation", required=False)

    def __init__(self, *args: Any, conversation: Conversation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners()  # type: ignore[attr-defined]


def owners() -> QuerySet[Agent]:
    """Who may be asked to call back."""
    return Agent.objects.filter(is_active=True).exclude(role=Agent.Role.LIGHT)


@dataclass(frozen=True)
class ShownField:
    """What the panel's field loop prints for one field of an unbound form."""

    label: str
    id_for_label: str
    widget: SafeString
    is_checkbox: bool = False


def unbound_schedule_fields(*, phone: str, owner: int | None) -> list[ShownField]:
    """An unbound ScheduleForm's fields (with these initial values) as Django's widgets render
    them, built in Python without building the form.

    The panel shows on every conversation page; the form and its five widgets through Django's
    widget templates cost ~5 ms a page (a third of the sidebar). `tests/test_forms.py` checks
    each string against Django's own rendering.
    """
    fields = ScheduleForm.base_fields

    def label(name: str) -> str:
        return str(fields[name].label)

    chosen = "" if owner is None else str(owner)  # as Select.format_value: no owner selects the empty choice
    empty = " selected" if chosen == "" else ""
    options = [f'<option value=""{empty}>{escape(fields["owner"].empty_label)}</option>']  # type: ignore[attr-defined]
    for agent in owners():
        selected = " selected" if str(agent.pk) == chosen else ""
        options.append(f'<option value="{agent.pk}"{selected}>{escape(str(agent))}</option>')
    select = '<select name="owner" required id="id_owner">\n  ' + "\n\n  ".join(options) + "\n\n</select>"
    value = f' value="{escape(phone)}"' if phone else ""
    return [
        ShownField(
            label("due_at"),
            "id_due_at",
            mark_safe(
                '<input type="datetime-local" name="due_at" required aria-describedby="id_due_at_helptext" '
                'id="id_due_at">'
            ),
        ),
        ShownField(label("owner"), "id_owner", mark_safe(select)),  # noqa: S308 (escaped above)
        ShownField(
            label("phone"),
            "id_phone",
            mark_safe(f'<input type="text" name="phone"{value} maxlength="40" required id="id_phone">'),  # noqa: S308
        ),
        ShownField(
            label("note"),
            "id_note",
            mark_safe('<input type="text" name="note" maxlength="500" id="id_note">'),
        ),
        ShownField(
            label("confirm_to_customer"),
            "id_confirm_to_customer",
            mark_safe('<input type="checkbox" name="confirm_to_customer" id="id_confirm_to_customer">'),
            is_checkbox=True,
        ),
    ]


class LogCallForm(forms.Form):
    text = forms.CharField(label="What was said", widget=forms.Textarea(attrs={"rows": 3}), max_length=20_000)


class CancelForm(forms.Form):
    reason = forms.CharField(label="Why (optional)", max_length=300, required=False)
