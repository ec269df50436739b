from __future__ import annotations

from django import forms

from goodwill.churn.models import ChurnSettings


class OutreachForm(forms.Form):
    subject = forms.CharField(label="Subject", max_length=300)
    text = forms.CharField(label="Message", widget=forms.Textarea(attrs={"rows": 9}), max_length=20_000)


class SettingsForm(forms.ModelForm):
    class Meta:
        model = ChurnSettings
        fields = [
            "enabled",
            "factor",
            "default_interval_days",
            "min_interval_days",
            "min_history",
            "conduct_at_most",
            "mood_at_most",
            "use_feedback",
            "use_promises",
            "use_mood",
            "use_need",
            "use_sla",
            "use_complaints",
        ]
