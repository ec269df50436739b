"""Admins define web forms here: fields, routing, thank-you text, and the sites that may embed them."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from goodwill.channels.webform.models import Submission, WebForm, WebFormField


class FieldInline(admin.TabularInline):
    model = WebFormField
    extra = 1
    fields = ["order", "label", "key", "kind", "required", "choices", "help_text"]


@admin.register(WebForm)
class WebFormAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "team", "need", "is_active"]
    list_filter = ["is_active", "team"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [FieldInline]
    readonly_fields = ["embed_code"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "title", "intro", "is_active"]}),
        ("Routing", {"fields": ["team", "need"]}),
        ("Fields", {"fields": ["ask_subject", "allow_attachments"]}),
        ("After sending", {"fields": ["thank_you", "send_confirmation"]}),
        ("Embedding", {"fields": ["allowed_origins", "embed_code"]}),
    ]

    @admin.display(description="Embed code")
    def embed_code(self, form: WebForm) -> str:
        if not form.pk:
            return "Save the form to get its embed code."
        base = settings.BASE_URL.rstrip("/")
        page = f"{base}{reverse('webform:form', args=[form.slug])}"
        script = f"{base}{reverse('webform:embed_js', args=[form.slug])}"
        return format_html(
            "<p>Link: <code>{}</code></p><p>Iframe: <code>&lt;iframe src=\"{}?embed=1\" title=\"{}\" "
            "style=\"width:100%;min-height:600px;border:0\"&gt;&lt;/iframe&gt;</code></p>"
            "<p>Script (grows with the form): <code>&lt;script src=\"{}\" async&gt;&lt;/script&gt;</code></p>"
            "<p>Embedding works only on the sites listed above.</p>",
            page, page, form.title, script,
        )


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ["created_at", "form", "customer", "conversation", "origin"]
    list_filter = ["form"]
    readonly_fields = ["form", "customer", "conversation", "message", "answers", "origin", "ip", "created_at"]

    def has_add_permission(self, request: object) -> bool:
        return False
