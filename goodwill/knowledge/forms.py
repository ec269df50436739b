from __future__ import annotations

from typing import Any

from django import forms

from goodwill.conversations.models import ContactReason
from goodwill.knowledge.models import Article, Category


class ArticleForm(forms.Form):
    title = forms.CharField(max_length=200)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 18}), help_text="Markdown.")
    category = forms.ModelChoiceField(
        queryset=Category.objects.all(), required=False, empty_label="No category"
    )
    language = forms.CharField(max_length=10, initial="en", help_text="A language code: en, de, fr…")
    translation_of = forms.ModelChoiceField(
        queryset=Article.objects.filter(translation_of__isnull=True),
        required=False,
        empty_label="Not a translation",
        label="Translation of",
    )
    status = forms.ChoiceField(choices=Article.Status.choices)
    visibility = forms.ChoiceField(choices=Article.Visibility.choices)
    needs = forms.ModelMultipleChoiceField(
        queryset=ContactReason.objects.filter(is_active=True).select_related("parent"),
        required=False,
        label="Prepared answer for needs",
        help_text="The composer offers this article first for conversations with these needs.",
    )
    note = forms.CharField(max_length=200, required=False, label="What changed (for the history)")

    def __init__(self, *args: Any, article: Article | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if article is not None and article.pk:
            self.fields["translation_of"].queryset = Article.objects.filter(  # type: ignore[attr-defined]
                translation_of__isnull=True
            ).exclude(pk=article.pk)

    def changes(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("note", None)
        data["language"] = data["language"].strip().lower()
        return data


class CategoryForm(forms.Form):
    name = forms.CharField(max_length=100)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    position = forms.IntegerField(min_value=0, initial=0, required=False)
