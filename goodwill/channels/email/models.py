"""Email-specific data beside the channel-neutral Conversation and Message.

Raw bytes are stored first (content-addressed) and the RawEmail row is committed
before anything acknowledges the message; parsing happens afterwards and can run
again. MessageKey rows are the de-duplication constraint and outlive deleted
conversations (their message FK goes NULL: a tombstone).
"""

from __future__ import annotations

import base64
import hashlib

from django.conf import settings
from django.db import models


def _fernet():  # type: ignore[no-untyped-def]
    from cryptography.fernet import Fernet

    digest = hashlib.sha256(("goodwill.email.imap:" + settings.SECRET_KEY).encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


class Mailbox(models.Model):
    """One address the team receives mail on: where it lands, how it is fetched, what it answers."""

    name = models.CharField(max_length=100)
    address = models.EmailField(
        unique=True, help_text="Mail to this address (or address+anything) lands here."
    )
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="mailboxes"
    )
    is_active = models.BooleanField(default=True)
    # Threading heuristics, each one can be switched off (LESSONS: zammad #5286).
    thread_by_reply_token = models.BooleanField(default=True)
    thread_by_subject_tag = models.BooleanField(
        default=True, help_text="A [#1234] subject tag threads only when the sender takes part in #1234."
    )
    thread_by_customer_domain = models.BooleanField(
        default=False,
        help_text="Anyone at the customer's organisation's domains may answer the customer's conversations "
        "by email; otherwise a sender who does not take part opens a new, linked conversation.",
    )
    # Loop protection.
    max_messages_per_sender_per_hour = models.PositiveIntegerField(
        default=120, help_text="More than this from one sender within an hour is quarantined (mail loops)."
    )
    # Auto-acknowledgement.
    auto_acknowledge = models.BooleanField(default=False)
    expected_response_time = models.CharField(
        max_length=100,
        blank=True,
        default="within one business day",
        help_text='Said in the acknowledgement: "We will answer {this}".',
    )
    # IMAP fetching; the password is encrypted at rest with a key derived from SECRET_KEY.
    imap_host = models.CharField(max_length=200, blank=True)
    imap_port = models.PositiveIntegerField(default=993)
    imap_ssl = models.BooleanField(default=True)
    imap_username = models.CharField(max_length=200, blank=True)
    imap_password_encrypted = models.TextField(blank=True, editable=False)
    imap_folder = models.CharField(max_length=200, default="INBOX")
    imap_move_to = models.CharField(
        max_length=200, blank=True, help_text="Move fetched mail to this folder; empty: flag it instead."
    )
    imap_uidvalidity = models.BigIntegerField(null=True, blank=True, editable=False)
    imap_last_uid = models.BigIntegerField(default=0, editable=False)
    imap_last_error = models.TextField(blank=True, editable=False)
    imap_last_fetch_at = models.DateTimeField(null=True, blank=True, editable=False)
    # One fetcher per mailbox at a time: a lease taken with a conditional UPDATE.
    lock_owner = models.CharField(max_length=64, blank=True, editable=False)
    lock_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "mailboxes"

    def __str__(self) -> str:
        return f"{self.name} <{self.address}>"

    @property
    def fetches_imap(self) -> bool:
        return bool(self.is_active and self.imap_host and self.imap_username)

    def set_imap_password(self, password: str) -> None:
        self.imap_password_encrypted = _fernet().encrypt(password.encode()).decode() if password else ""

    def get_imap_password(self) -> str:
        if not self.imap_password_encrypted:
            return ""
        return _fernet().decrypt(self.imap_password_encrypted.encode()).decode()


class RawEmail(models.Model):
    """The bytes as they arrived, committed before the sender is told "received"."""

    class Source(models.TextChoices):
        FILE = "file", "ingest-email"
        SMTP = "smtp", "SMTP intake"
        IMAP = "imap", "IMAP fetch"
        RETRY = "retry", "Retried"

    class State(models.TextChoices):
        PENDING = "pending", "Waiting to be processed"
        CREATED = "created", "Opened a conversation"
        APPENDED = "appended", "Added to a conversation"
        DUPLICATE = "duplicate", "Duplicate"
        QUARANTINED = "quarantined", "Quarantined"
        DELETED = "deleted", "Deleted from quarantine"

    sha256 = models.CharField(max_length=64, unique=True)
    path = models.CharField(max_length=300, help_text="Storage name of the raw bytes.")
    size = models.PositiveBigIntegerField(default=0)
    source = models.CharField(max_length=10, choices=Source.choices)
    mailbox = models.ForeignKey(Mailbox, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    envelope_from = models.CharField(max_length=500, blank=True)
    envelope_to = models.JSONField(default=list, blank=True)
    state = models.CharField(max_length=12, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    received_at = models.DateTimeField()
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["state", "id"], name="rawemail_state")]

    def __str__(self) -> str:
        return f"Raw email {self.sha256[:12]} ({self.state})"


class MessageKey(models.Model):
    """The identity of a message we have taken in: the de-duplication constraint.

    `key` is "mid:" + sha256 of the normalised Message-ID, or "raw:" + sha256 of the bytes
    when there is none. Rows are never deleted; when a conversation is deleted the
    message link goes NULL and the key stays as a tombstone.
    """

    key = models.CharField(max_length=80, unique=True)
    raw = models.ForeignKey(RawEmail, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    message = models.ForeignKey(
        "conversations.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.key


class EmailDetails(models.Model):
    """Headers of one email message, inbound or outbound, linked to its conversation Message."""

    class Robot(models.TextChoices):
        HUMAN = "", "Written by a person"
        AUTO_REPLY = "auto_reply", "Automatic reply"
        BULK = "bulk", "Bulk or list mail"
        BOUNCE = "bounce", "Delivery report"

    message = models.OneToOneField("conversations.Message", on_delete=models.CASCADE, related_name="email")
    raw = models.ForeignKey(RawEmail, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    mailbox = models.ForeignKey(Mailbox, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    message_id_header = models.CharField(max_length=500, blank=True)
    in_reply_to = models.CharField(max_length=500, blank=True)
    references = models.TextField(blank=True)
    from_address = models.CharField(max_length=254, blank=True)
    from_name = models.CharField(max_length=200, blank=True)
    to = models.JSONField(default=list, blank=True)
    cc = models.JSONField(default=list, blank=True)
    reply_to = models.CharField(max_length=500, blank=True)
    subject = models.CharField(max_length=500, blank=True)
    date = models.DateTimeField(null=True, blank=True)
    robot = models.CharField(max_length=12, choices=Robot.choices, blank=True, default="")
    robot_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "email details"
        indexes = [
            models.Index(fields=["message_id_header"], name="emaildetails_msgid"),
            models.Index(fields=["from_address", "created_at"], name="emaildetails_sender_time"),
        ]

    def __str__(self) -> str:
        return self.message_id_header or f"Email of message {self.message_id}"


class Quarantine(models.Model):
    """A message that could not be taken in automatically, kept with its reason."""

    class Reason(models.TextChoices):
        NO_FROM = "no_from", "No usable sender address"
        GARBAGE = "garbage", "Not a readable email"
        OVERSIZED = "oversized", "Too large"
        PARTS = "parts", "Too many MIME parts or attachments"
        LOOP = "loop", "Sender over the rate limit (mail loop?)"
        BOUNCE = "bounce", "Delivery report for mail we cannot find"
        ERROR = "error", "Processing failed"

    raw = models.OneToOneField(RawEmail, on_delete=models.CASCADE, related_name="quarantine")
    mailbox = models.ForeignKey(Mailbox, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(max_length=12, choices=Reason.choices)
    detail = models.TextField(blank=True)
    sender = models.CharField(max_length=500, blank=True)
    subject = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "quarantined emails"

    def __str__(self) -> str:
        return f"{self.get_reason_display()}: {self.subject or self.raw.sha256[:12]}"


class DeliveryAttempt(models.Model):
    """One try at sending an agent's reply (or an acknowledgement) over SMTP."""

    message = models.ForeignKey(
        "conversations.Message",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="delivery_attempts",
    )
    kind = models.CharField(max_length=12, default="reply")
    recipients = models.JSONField(default=list)
    ok = models.BooleanField(default=False)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{'sent' if self.ok else 'failed'} {self.kind} at {self.created_at:%Y-%m-%d %H:%M}"


class Acknowledgement(models.Model):
    """An automatic acknowledgement we sent: one per conversation, and rate-limited per address."""

    conversation = models.OneToOneField(
        "conversations.Conversation", on_delete=models.CASCADE, related_name="email_acknowledgement"
    )
    address = models.CharField(max_length=254)
    message_id = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["address", "created_at"], name="ack_address_time")]

    def __str__(self) -> str:
        return f"Acknowledgement to {self.address}"
