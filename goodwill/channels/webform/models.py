"""Web forms an admin defines, their fields, what was submitted, and the one-use form tokens."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone

KEY = RegexValidator(r"^[a-z][a-z0-9_]{0,39}$", "Lower-case letters, digits and _, starting with a letter.")
# Keys the form itself uses; a custom field may not take them.
RESERVED_KEYS = frozenset({"name", "email", "subject", "message", "attachments", "website", "token"})


def clean_origin(value: str) -> str:
    """`https://www.example.com` (scheme and host, optional port, nothing else) or ValidationError."""
    text = value.strip().rstrip("/")
    parts = urlsplit(text)
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.path or parts.query:
        raise ValidationError(f"{value!r} is not an origin like https://www.example.com")
    if "*" in text or " " in text:
        raise ValidationError(f"{value!r}: wildcards and spaces are not allowed")
    return text.lower()


class WebForm(models.Model):
    """A public form at /forms/<slug>/ that opens conversations on the web-form channel."""

    name = models.CharField(max_length=100, help_text="For the team; visitors see the title.")
    slug = models.SlugField(max_length=60, unique=True, help_text="The form lives at /forms/<slug>/.")
    title = models.CharField(max_length=200, default="Contact us")
    intro = models.TextField(blank=True, help_text="Shown above the fields (plain text).")
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, help_text="New requests land here."
    )
    need = models.ForeignKey(
        "conversations.ContactReason",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        help_text="The need new requests from this form are filed under.",
    )
    ask_subject = models.BooleanField(default=True, help_text="Ask for a subject (else the form's title is used).")
    allow_attachments = models.BooleanField(default=True)
    thank_you = models.TextField(
        default="Thank you. Your request has reached us and we will answer by email.",
        help_text="Shown after sending, and in the confirmation email.",
    )
    send_confirmation = models.BooleanField(default=True, help_text="Email the visitor a confirmation.")
    allowed_origins = models.TextField(
        blank=True,
        help_text="Sites that may embed this form, one origin per line (https://www.example.com). "
        "Empty: only this site.",
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def origins(self) -> list[str]:
        return [line.strip().rstrip("/").lower() for line in self.allowed_origins.splitlines() if line.strip()]

    def clean(self) -> None:
        errors = []
        for line in self.allowed_origins.splitlines():
            if line.strip():
                try:
                    clean_origin(line)
                except ValidationError as error:
                    errors.extend(error.messages)
        if errors:
            raise ValidationError({"allowed_origins": errors})


class WebFormField(models.Model):
    """One extra question on a form (name, email, subject and message are always there)."""

    class Kind(models.TextChoices):
        TEXT = "text", "Short text"
        TEXTAREA = "textarea", "Long text"
        CHOICE = "choice", "Choice from a list"
        NUMBER = "number", "Number"
        DATE = "date", "Date"
        PHONE = "phone", "Phone number"
        CHECKBOX = "checkbox", "Tick box"

    form = models.ForeignKey(WebForm, on_delete=models.CASCADE, related_name="fields")
    key = models.CharField(max_length=40, validators=[KEY], help_text="Stored under this key in the request's fields.")
    label = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.TEXT)
    required = models.BooleanField(default=False)
    choices = models.TextField(blank=True, help_text="For a choice: one option per line.")
    help_text = models.CharField(max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["form", "key"], name="webform_field_key_unique")]

    def __str__(self) -> str:
        return self.label

    def options(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]

    def clean(self) -> None:
        if self.key in RESERVED_KEYS:
            raise ValidationError({"key": f"“{self.key}” is used by the form itself; choose another key."})
        if self.kind == self.Kind.CHOICE and not self.options():
            raise ValidationError({"choices": "A choice needs at least one option."})


class Submission(models.Model):
    """What a visitor sent, and the conversation it went to."""

    form = models.ForeignKey(WebForm, on_delete=models.PROTECT, related_name="submissions")
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="web_submissions")
    conversation = models.ForeignKey(
        "conversations.Conversation", on_delete=models.CASCADE, related_name="web_submissions"
    )
    message = models.ForeignKey("conversations.Message", null=True, on_delete=models.SET_NULL, related_name="+")
    answers = models.JSONField(default=dict, blank=True)
    origin = models.CharField(max_length=200, blank=True, help_text="The embedding site, when embedded.")
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]


class UsedToken(models.Model):
    """A form token already spent: posting the same form twice (a replay) is refused."""

    nonce = models.CharField(max_length=64, unique=True)
    used_at = models.DateTimeField(default=timezone.now, db_index=True)
