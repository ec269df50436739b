from __future__ import annotations

from django import forms

from goodwill.webhooks.guard import check_when_saving
from goodwill.webhooks.models import Webhook
from goodwill.webhooks.payloads import TOPICS


class WebhookForm(forms.ModelForm):
    url = forms.URLField(max_length=500, assume_scheme="https", label="Address (URL)")
    topics = forms.MultipleChoiceField(
        choices=TOPICS, widget=forms.CheckboxSelectMultiple, required=False, label="Send for these events"
    )

    class Meta:
        model = Webhook
        fields = ["name", "url", "topics"]
        labels = {"url": "Address (URL)"}

    def clean_url(self) -> str:
        return clean_webhook_url(self.cleaned_data["url"])


class WebhookAdminForm(forms.ModelForm):
    """Django's admin saves webhooks too: the same address rule."""

    url = forms.URLField(max_length=500, assume_scheme="https", label="Address (URL)")

    class Meta:
        model = Webhook
        fields = [
            "name",
            "url",
            "topics",
            "is_active",
            "consecutive_failures",
            "disabled_at",
            "disabled_reason",
            "created_by",
        ]

    def clean_url(self) -> str:
        return clean_webhook_url(self.cleaned_data["url"])


def clean_webhook_url(url: str) -> str:
    """http(s) only, and never a private, loopback or link-local address (webhooks/guard.py)."""
    if not url.lower().startswith(("http://", "https://")):
        raise forms.ValidationError("Use an http:// or https:// address.")
    problem = check_when_saving(url)
    if problem:
        raise forms.ValidationError(problem)
    return url
