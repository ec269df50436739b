from __future__ import annotations

from django import forms

from goodwill.memory.models import Fact


class FactForm(forms.Form):
    category = forms.ChoiceField(choices=Fact.Category.choices)
    text = forms.CharField(max_length=500, strip=True)
    date = forms.DateField(required=False)
    is_shareable = forms.BooleanField(required=False)
    message = forms.IntegerField(required=False, min_value=1)
    conversation = forms.IntegerField(required=False, min_value=1)


class MergeForm(forms.Form):
    other = forms.IntegerField(min_value=1, label="Customer id to merge into this one")
    reason = forms.CharField(max_length=300, required=False)
