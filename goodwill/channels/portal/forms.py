from __future__ import annotations

from django import forms

from goodwill.core import uploads
from goodwill.core.forms import MultipleFileField


def _check_sizes(files: list[object]) -> list[object]:
    uploads.check_files(files)
    return files


class SignInForm(forms.Form):
    email = forms.EmailField(label="Your email address", max_length=254)


class NewRequestForm(forms.Form):
    subject = forms.CharField(label="Subject", max_length=300)
    text = forms.CharField(label="How can we help?", widget=forms.Textarea(attrs={"rows": 8}), max_length=20_000)
    attachments = MultipleFileField(label="Attach files (optional)", required=False)

    def clean_attachments(self) -> list[object]:
        return _check_sizes(self.cleaned_data.get("attachments") or [])


class ReplyForm(forms.Form):
    text = forms.CharField(
        label="Your reply", widget=forms.Textarea(attrs={"rows": 5}), max_length=20_000, required=False
    )
    attachments = MultipleFileField(label="Attach files (optional)", required=False)

    def clean_attachments(self) -> list[object]:
        return _check_sizes(self.cleaned_data.get("attachments") or [])

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        if not (cleaned.get("text") or "").strip() and not cleaned.get("attachments"):
            raise forms.ValidationError("Please write a message or attach a file.")
        return cleaned
