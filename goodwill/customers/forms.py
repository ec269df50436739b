"""Forms over customer records, for whichever page edits them."""

from __future__ import annotations

from django import forms

from goodwill.customers.models import Customer


class CustomerForm(forms.ModelForm):
    class Meta:
        model = Customer
        fields = [
            "name",
            "preferred_name",
            "pronunciation",
            "language",
            "time_zone",
            "preferred_channel",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}
