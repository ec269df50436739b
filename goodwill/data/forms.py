from __future__ import annotations

from django import forms

from goodwill.data.models import RetentionPolicy


class ErasureForm(forms.Form):
    mode = forms.ChoiceField(
        choices=[
            ("delete", "Delete their conversations"),
            ("anonymise", "Keep their conversations with their details replaced"),
        ],
        widget=forms.RadioSelect,
        label="What happens to their conversations",
    )
    confirm = forms.CharField(
        label="Type ERASE to confirm", help_text="This cannot be undone.", max_length=10
    )

    def clean_confirm(self) -> str:
        value: str = self.cleaned_data["confirm"]
        if value.strip() != "ERASE":
            raise forms.ValidationError("Type ERASE in capitals to confirm.")
        return value


class RetentionForm(forms.ModelForm):
    class Meta:
        model = RetentionPolicy
        fields = ["close_after_months", "delete_after_months", "is_active"]
        labels = {
            "close_after_months": "Close after (months without activity)",
            "delete_after_months": "Delete after (months without activity)",
            "is_active": "Run automatically",
        }

    def clean(self) -> dict:  # type: ignore[type-arg]
        data = super().clean() or {}
        close, delete = data.get("close_after_months"), data.get("delete_after_months")
        if close is not None and close < 1:
            self.add_error("close_after_months", "At least one month.")
        if delete is not None and delete < 1:
            self.add_error("delete_after_months", "At least one month.")
        if close and delete and delete < close:
            self.add_error("delete_after_months", "Deleting must come after closing.")
        return data
