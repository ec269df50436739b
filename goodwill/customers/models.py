"""Customers, the ways to reach them, and the organisations they belong to."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Lower

from goodwill.core.models import TimeStampedModel


class Organisation(TimeStampedModel):
    name = models.CharField(max_length=200)
    domains = models.CharField(
        max_length=500, blank=True, help_text="Comma-separated email domains of this organisation."
    )
    notes = models.TextField(blank=True)
    value = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="What this organisation is worth to you (e.g. yearly revenue); ranks interviews and churn watch.",
    )

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(Lower("name"), name="organisation_name_lower")]

    def __str__(self) -> str:
        return self.name

    @property
    def domain_list(self) -> list[str]:
        return [d.strip().lower() for d in self.domains.split(",") if d.strip()]


class CustomerQuerySet(models.QuerySet["Customer"]):
    def with_email(self, address: str) -> CustomerQuerySet:
        return self.filter(
            identities__kind=Identity.Kind.EMAIL, identities__value=Identity.normalise_email(address)
        )


class Customer(TimeStampedModel):
    """A person the team serves. Internal colleagues are customers too (`is_internal`)."""

    name = models.CharField(max_length=200, blank=True)
    preferred_name = models.CharField(max_length=100, blank=True)
    pronunciation = models.CharField(max_length=100, blank=True)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="customers"
    )
    language = models.CharField(max_length=12, blank=True)
    time_zone = models.CharField(max_length=64, blank=True)
    preferred_channel = models.CharField(max_length=20, blank=True)
    is_internal = models.BooleanField(default=False)
    notes = models.TextField(blank=True)
    last_contact_at = models.DateTimeField(null=True, blank=True)

    objects = CustomerQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(Lower("name"), name="customer_name_lower"),
            models.Index(fields=["organisation", "name"], name="customer_org_name"),
        ]

    def __str__(self) -> str:
        return self.name or self.primary_email or f"Customer {self.pk}"

    @property
    def greeting_name(self) -> str:
        """What to call the customer: their preferred name, else the first name."""
        if self.preferred_name:
            return self.preferred_name
        return self.name.split()[0] if self.name else ""

    @property
    def primary_email(self) -> str:
        for identity in self.identities.all():
            if identity.kind == Identity.Kind.EMAIL:
                return identity.value
        return ""


class Identity(models.Model):
    """One way to reach a customer: an email address or phone number. Unique across customers."""

    class Kind(models.TextChoices):
        EMAIL = "email", "Email"
        PHONE = "phone", "Phone"

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="identities")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    value = models.CharField(max_length=254)
    is_primary = models.BooleanField(default=False)
    failing_since = models.DateTimeField(
        null=True, blank=True, help_text="Set when mail to this address bounces."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "identities"
        constraints = [models.UniqueConstraint(fields=["kind", "value"], name="unique_identity")]
        ordering = ["-is_primary", "id"]

    def __str__(self) -> str:
        return self.value

    @staticmethod
    def normalise_email(address: str) -> str:
        return address.strip().lower()

    @staticmethod
    def normalise_phone(number: str) -> str:
        keep = "".join(ch for ch in number if ch.isdigit() or ch == "+")
        return keep
