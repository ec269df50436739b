"""The visitor's form, built from the admin's definition of a web form."""

from __future__ import annotations

from typing import Any

from django import forms

from goodwill.channels.webform.models import WebForm, WebFormField
from goodwill.core.forms import MultipleFileField

MAX_MESSAGE = 20_000


def _field_for(spec: WebFormField) -> forms.Field:
    common: dict[str, Any] = {"label": spec.label, "required": spec.required, "help_text": spec.help_text}
    kind = spec.kind
    if kind == WebFormField.Kind.TEXTAREA:
        return forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 4}), **common)
    if kind == WebFormField.Kind.CHOICE:
        options = [("", "Choose…")] + [(option, option) for option in spec.options()]
        return forms.ChoiceField(choices=options, **common)
    if kind == WebFormField.Kind.NUMBER:
        return forms.DecimalField(max_digits=18, decimal_places=4, **common)
    if kind == WebFormField.Kind.DATE:
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if kind == WebFormField.Kind.PHONE:
        return forms.RegexField(
            regex=r"^\+?[0-9 ().\-/]{5,30}$",
            error_messages={"invalid": "Enter a phone number (digits, spaces, +, -, brackets)."},
            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            **common,
        )
    if kind == WebFormField.Kind.CHECKBOX:
        return forms.BooleanField(**common)
    return forms.CharField(max_length=500, **common)


class VisitorForm(forms.Form):
    """Name, email, (subject), message, the admin's extra fields, (files), and the spam guards."""

    name = forms.CharField(label="Your name", max_length=200, required=False,
                           widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField(label="Your email address", max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    subject = forms.CharField(label="Subject", max_length=300)
    message = forms.CharField(label="How can we help?", max_length=MAX_MESSAGE,
                              widget=forms.Textarea(attrs={"rows": 7}))
    attachments = MultipleFileField(label="Attach files (optional)", required=False)
    # Hidden from people (CSS and aria-hidden); bots that fill every field give themselves away.
    website = forms.CharField(label="Leave this field empty", required=False)
    token = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, web_form: WebForm, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.web_form = web_form
        self.extra_fields: list[WebFormField] = list(web_form.fields.all())
        if not web_form.ask_subject:
            del self.fields["subject"]
        if not web_form.allow_attachments:
            del self.fields["attachments"]
        for spec in self.extra_fields:
            self.fields[f"x_{spec.key}"] = _field_for(spec)
        # Extra fields go between the subject and the message, in the admin's order.
        order = ["name", "email", "subject", *[f"x_{spec.key}" for spec in self.extra_fields], "message",
                 "attachments", "website", "token"]
        self.order_fields([name for name in order if name in self.fields])
        for bound_name, field in self.fields.items():
            if bound_name not in ("website", "token") and field.required:
                field.widget.attrs["required"] = True

    def clean_message(self) -> str:
        text = (self.cleaned_data.get("message") or "").strip()
        if not text:
            raise forms.ValidationError("Please tell us how we can help.")
        return text

    def answers(self) -> tuple[dict[str, Any], dict[str, str]]:
        """The extra fields' answers (JSON-safe) and their labels, by key."""
        values: dict[str, Any] = {}
        labels: dict[str, str] = {}
        for spec in self.extra_fields:
            value = self.cleaned_data.get(f"x_{spec.key}")
            if value is None or value == "":
                continue
            if hasattr(value, "isoformat"):
                value = value.isoformat()
            elif not isinstance(value, bool | int | str):
                value = str(value.normalize()) if hasattr(value, "normalize") else str(value)
            values[spec.key] = value
            labels[spec.key] = spec.label
        return values, labels
