"""The rule builder: the rule's own fields, then rows of conditions and rows of actions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms import formset_factory

from goodwill.accounts.models import Team
from goodwill.automation import actions as rule_actions
from goodwill.automation import conditions as rule_conditions
from goodwill.automation.models import AssignmentPolicy, Rule

WEEKDAYS = [(0, "Mon"), (1, "Tue"), (2, "Wed"), (3, "Thu"), (4, "Fri"), (5, "Sat"), (6, "Sun")]


class RuleForm(forms.ModelForm):
    triggers = forms.MultipleChoiceField(
        choices=Rule.Trigger.choices, widget=forms.CheckboxSelectMultiple, required=False, label="Run when"
    )
    hours_days = forms.TypedMultipleChoiceField(
        choices=WEEKDAYS,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Business days",
    )

    class Meta:
        model = Rule
        fields = [
            "name",
            "kind",
            "triggers",
            "match",
            "position",
            "is_active",
            "hours_days",
            "hours_start",
            "hours_end",
            "hours_zone",
        ]
        labels = {
            "is_active": "Switched on",
            "hours_start": "Business hours from",
            "hours_end": "until",
            "hours_zone": "Time zone",
        }
        widgets = {
            "hours_start": forms.TimeInput(attrs={"type": "time"}),
            "hours_end": forms.TimeInput(attrs={"type": "time"}),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == Rule.Kind.EVENT and data.get("is_active") and not data.get("triggers"):
            self.add_error("triggers", "Choose when the rule runs.")
        if bool(data.get("hours_start")) != bool(data.get("hours_end")):
            self.add_error("hours_end", "Give both ends of the business hours, or neither.")
        return data


class ConditionForm(forms.Form):
    field = forms.ChoiceField(
        choices=[("", "—")] + [(key, label) for key, (label, _ops, _hint) in rule_conditions.FIELDS.items()],
        required=False,
        label="Condition",
    )
    op = forms.ChoiceField(choices=list(rule_conditions.OPS.items()), required=False, label="Test")
    value = forms.CharField(max_length=500, required=False, label="Value")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("field"):
            try:
                rule_conditions.check(data)
            except ValidationError as error:
                raise ValidationError(error.messages)
        return data

    @property
    def row(self) -> dict[str, str] | None:
        data = getattr(self, "cleaned_data", {})
        if not data.get("field") or data.get("DELETE"):
            return None
        return {"field": data["field"], "op": data["op"], "value": data.get("value", "").strip()}


class ActionForm(forms.Form):
    type = forms.ChoiceField(
        choices=[("", "—")] + [(key, label) for key, (label, _hint) in rule_actions.ACTIONS.items()],
        required=False,
        label="Action",
    )
    value = forms.CharField(max_length=5000, required=False, label="Value", widget=forms.TextInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("type"):
            try:
                rule_actions.check(data)
            except ValidationError as error:
                raise ValidationError(error.messages)
        return data

    @property
    def row(self) -> dict[str, str] | None:
        data = getattr(self, "cleaned_data", {})
        if not data.get("type") or data.get("DELETE"):
            return None
        return {"type": data["type"], "value": data.get("value", "").strip()}


ConditionFormSet = formset_factory(ConditionForm, extra=0, can_delete=True, max_num=30, validate_max=True)
ActionFormSet = formset_factory(ActionForm, extra=0, can_delete=True, max_num=30, validate_max=True)


class TestForm(forms.Form):
    number = forms.IntegerField(min_value=1, required=False, label="Conversation number")


class PolicyForm(forms.ModelForm):
    enabled = forms.BooleanField(required=False, label="Assign new conversations automatically")

    class Meta:
        model = AssignmentPolicy
        fields = ["mode", "max_open", "by_skill", "return_after_minutes"]
        labels = {
            "mode": "How",
            "max_open": "Open conversations per agent at most",
            "by_skill": "By skill",
            "return_after_minutes": "Return an away agent's conversations after (minutes)",
        }

    def __init__(self, *args: Any, team: Team, **kwargs: Any) -> None:
        kwargs["prefix"] = f"team-{team.pk}"
        super().__init__(*args, **kwargs)
        self.team = team
        self.fields["enabled"].initial = self.instance.pk is not None
