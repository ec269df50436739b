from __future__ import annotations

from django import forms

EXPIRY_CHOICES = [("90", "In 90 days"), ("30", "In 30 days"), ("365", "In a year"), ("", "Never")]


class NewTokenForm(forms.Form):
    name = forms.CharField(
        max_length=100, label="Name", help_text="What will use it, e.g. “Zapier” or “nightly export”."
    )
    expires_in_days = forms.TypedChoiceField(
        label="Expires", choices=EXPIRY_CHOICES, coerce=int, empty_value=None, required=False
    )
