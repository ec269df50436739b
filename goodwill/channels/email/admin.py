"""Django admin for mailboxes (with the IMAP password encrypted) and the email records."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from goodwill.channels.email.models import (
    Acknowledgement,
    DeliveryAttempt,
    EmailDetails,
    Mailbox,
    Quarantine,
    RawEmail,
)


class MailboxForm(forms.ModelForm):
    imap_password = forms.CharField(
        label="IMAP password",
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Stored encrypted. Leave empty to keep the current password.",
    )
    clear_imap_password = forms.BooleanField(label="Remove the IMAP password", required=False)

    class Meta:
        model = Mailbox
        fields = [
            "name",
            "address",
            "team",
            "is_active",
            "thread_by_reply_token",
            "thread_by_subject_tag",
            "thread_by_customer_domain",
            "max_messages_per_sender_per_hour",
            "auto_acknowledge",
            "expected_response_time",
            "imap_host",
            "imap_port",
            "imap_ssl",
            "imap_username",
            "imap_folder",
            "imap_move_to",
        ]

    def clean_address(self) -> str:
        return self.cleaned_data["address"].strip().lower()

    def save(self, commit: bool = True) -> Mailbox:
        mailbox: Mailbox = super().save(commit=False)
        if self.cleaned_data.get("clear_imap_password"):
            mailbox.set_imap_password("")
        elif self.cleaned_data.get("imap_password"):
            mailbox.set_imap_password(self.cleaned_data["imap_password"])
        if commit:
            mailbox.save()
        return mailbox


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    form = MailboxForm
    list_display = (
        "name",
        "address",
        "team",
        "is_active",
        "imap_host",
        "imap_last_fetch_at",
        "imap_last_error",
    )
    readonly_fields = ("imap_uidvalidity", "imap_last_uid", "imap_last_fetch_at", "imap_last_error")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RawEmail)
class RawEmailAdmin(ReadOnlyAdmin):
    list_display = ("id", "received_at", "source", "state", "size", "envelope_from")
    list_filter = ("state", "source")
    search_fields = ("sha256", "envelope_from")


@admin.register(Quarantine)
class QuarantineAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "reason", "sender", "subject", "mailbox")
    list_filter = ("reason",)
    search_fields = ("sender", "subject")


@admin.register(EmailDetails)
class EmailDetailsAdmin(ReadOnlyAdmin):
    list_display = ("message_id_header", "from_address", "subject", "robot", "created_at")
    list_filter = ("robot",)
    search_fields = ("message_id_header", "from_address", "subject")
    raw_id_fields = ("message", "raw")


@admin.register(DeliveryAttempt)
class DeliveryAttemptAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "kind", "ok", "recipients", "error")
    list_filter = ("ok", "kind")


@admin.register(Acknowledgement)
class AcknowledgementAdmin(ReadOnlyAdmin):
    list_display = ("conversation", "address", "sent_at", "created_at")
