from __future__ import annotations

import uuid
from typing import Any

from django import forms

from goodwill.recovery.models import RecoveryCase, StepKind, TriggerSettings


class OpenCaseForm(forms.Form):
    reason = forms.CharField(label="What went wrong", max_length=300)
    # One per rendered form: a double submit opens the case once.
    token = forms.CharField(widget=forms.HiddenInput, max_length=40)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("token", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)


class TickForm(forms.Form):
    cost = forms.DecimalField(label="Cost", max_digits=10, decimal_places=2, min_value=0, required=False)
    note = forms.CharField(label="Note", max_length=300, required=False)


class CloseForm(forms.Form):
    result = forms.ChoiceField(
        label="Result",
        choices=[(value, label) for value, label in RecoveryCase.Result.choices if value],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label="What the customer did", max_length=300, required=False)


class TriggerSettingsForm(forms.ModelForm):
    class Meta:
        model = TriggerSettings
        fields = [
            "on_sla_breach",
            "on_promise_late",
            "on_promise_broken",
            "on_bad_outcome",
            "bad_outcomes",
            "on_bad_conduct",
            "conduct_at_most",
            "on_reopened",
            "on_mood_turn",
            "mood_turn_to",
            "on_complaint",
            "no_response_days",
        ]

    def clean_conduct_at_most(self) -> int:
        value = int(self.cleaned_data["conduct_at_most"])
        if not 1 <= value <= 5:
            raise forms.ValidationError("Choose from 1 to 5.")
        return value

    def clean_mood_turn_to(self) -> float:
        value = float(self.cleaned_data["mood_turn_to"])
        if not -1 <= value <= 0:
            raise forms.ValidationError("Choose from -1 to 0.")
        return value


class StepForm(forms.Form):
    kind = forms.ChoiceField(label="Kind", choices=StepKind.choices)
    title = forms.CharField(label="Step", max_length=200)
    due_days = forms.IntegerField(label="Due after (days)", min_value=0, max_value=365)


StepFormSet = forms.formset_factory(StepForm, extra=2, can_delete=True, max_num=20)
