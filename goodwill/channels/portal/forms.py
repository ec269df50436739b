from __future__ import annotations

from django import forms

from goodwill.accounts.models import Team
from goodwill.core import uploads
from goodwill.core.forms import MultipleFileField


def _check_sizes(files: list[object]) -> list[object]:
    uploads.check_files(files)
    return files


class SignInForm(forms.Form):
    email = forms.EmailField(label="Your email address", max_length=254)


class NewRequestForm(forms.Form):
    team = forms.ModelChoiceField(
        label="Which team", queryset=Team.objects.none(), required=False, empty_label="Choose a team…"
    )
    subject = forms.CharField(label="Subject", max_length=300)
    text = forms.CharField(label="How can we help?", widget=forms.Textarea(attrs={"rows": 8}), max_length=20_000)
    attachments = MultipleFileField(label="Attach files (optional)", required=False)

    def __init__(self, *args: object, teams: list[Team] | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if teams:  # a colleague chooses which team to ask
            field = self.fields["team"]
            field.queryset = Team.objects.filter(pk__in=[team.pk for team in teams])  # type: ignore[attr-defined]
            field.required = True
        else:
            del self.fields["team"]

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
