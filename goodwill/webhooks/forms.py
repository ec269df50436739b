from __future__ import annotations

from django import forms

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
        url: str = self.cleaned_data["url"]
        if not url.lower().startswith(("http://", "https://")):
            raise forms.ValidationError("Use an http:// or https:// address.")
        return url
