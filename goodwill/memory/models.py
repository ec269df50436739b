"""Customer memory: personal facts the team learns, their history, and customer merges.

Every row carries a ForeignKey to `customers.Customer` with CASCADE, so a customer's data
export finds it and an erasure removes it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Fact(models.Model):
    """Something personal the team learned about a customer ("her daughter is getting married")."""

    class Category(models.TextChoices):
        FAMILY = "family", "Family"
        INTERESTS = "interests", "Interests"
        DATE = "date", "Important date"
        LIKES = "likes", "Likes"
        DISLIKES = "dislikes", "Dislikes"
        COMMUNICATION = "communication", "Communication style"
        ACCESSIBILITY = "accessibility", "Accessibility needs"
        OTHER = "other", "Other"

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="facts")
    category = models.CharField(max_length=20, choices=Category.choices, default=Category.OTHER)
    text = models.CharField(max_length=500)
    date = models.DateField(null=True, blank=True, help_text="For important dates; it recurs every year.")
    # Learned in a restricted team's conversation: only that team (and admins) see it,
    # unless someone marked it shareable.
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_shareable = models.BooleanField(default=False)
    source_message = models.ForeignKey(
        "conversations.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source_conversation = models.ForeignKey(
        "conversations.Conversation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    learned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    learned_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    outdated_at = models.DateTimeField(null=True, blank=True)
    outdated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-learned_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "learned_at", "id"], name="fact_customer_learned"),
            models.Index(fields=["customer", "outdated_at", "category"], name="fact_customer_current"),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.text}"

    @property
    def is_outdated(self) -> bool:
        return self.outdated_at is not None


class FactRevision(models.Model):
    """What a fact said before an edit: edits keep their history."""

    fact = models.ForeignKey(Fact, on_delete=models.CASCADE, related_name="revisions")
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    category = models.CharField(max_length=20, choices=Fact.Category.choices)
    text = models.CharField(max_length=500)
    date = models.DateField(null=True, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.text} (until {self.changed_at:%Y-%m-%d})"


class CustomerMerge(models.Model):
    """The audit record of one merge: who folded which record into the survivor, and what moved."""

    survivor = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="merges")
    merged_customer_id = models.BigIntegerField(help_text="The id of the record that was folded in.")
    merged_name = models.CharField(max_length=200, blank=True)
    merged_identities = models.JSONField(default=list)
    moved = models.JSONField(default=dict, help_text="Rows moved to the survivor, per table.")
    reason = models.CharField(max_length=300, blank=True)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    merged_at = models.DateTimeField()

    class Meta:
        ordering = ["-merged_at", "-id"]

    def __str__(self) -> str:
        return f"Customer {self.merged_customer_id} merged into {self.survivor_id}"


class MatchKey(models.Model):
    """A normalised handle of a customer (canonical email, phone digits, name in an organisation),
    kept so possible duplicates are an index lookup rather than a scan of every customer."""

    class Kind(models.TextChoices):
        EMAIL = "email", "Same email address"
        PHONE = "phone", "Same phone number"
        NAME = "name", "Similar name in the same organisation"

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    key = models.CharField(max_length=300)
    shown = models.CharField(max_length=300, help_text="The value as the customer record has it.")

    class Meta:
        indexes = [
            models.Index(fields=["kind", "key"], name="matchkey_lookup"),
            models.Index(fields=["customer"], name="matchkey_customer"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key}"


class SweepMark(models.Model):
    """How far the periodic duplicate-key sweep has read (identities by id, customers by time)."""

    name = models.CharField(max_length=40, unique=True)
    value = models.BigIntegerField(default=0)
    at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name}={self.value}"
