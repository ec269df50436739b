"""The team's listening settings form (admins) ."""

from __future__ import annotations

from django import forms

from goodwill.listening.engine import TONE_CHECKS
from goodwill.listening.policy import CHECK_LABELS


class TeamListeningForm(forms.Form):
    abuse_policy = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 12}),
        required=False,
        max_length=20_000,
        help_text="Markdown. Leave empty to use the default policy.",
    )
    enabled_checks = forms.MultipleChoiceField(
        choices=[(code, CHECK_LABELS[code]) for code in TONE_CHECKS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Tone coach checks",
    )
    jargon = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        max_length=10_000,
        help_text="One term a line; add a plain wording after “=”, e.g. “RMA = return number”.",
    )
    repeat_abuse_count = forms.IntegerField(
        min_value=1, max_value=100, label="Tell the team lead after this many abusive messages"
    )
    repeat_abuse_days = forms.IntegerField(min_value=1, max_value=365, label="…within this many days")

    def disabled_checks(self) -> list[str]:
        enabled = set(self.cleaned_data["enabled_checks"])
        return [code for code in TONE_CHECKS if code not in enabled]
