"""Sign-in links for the customer portal. Only a hash of each token is stored."""

from __future__ import annotations

from django.db import models


class SignInLink(models.Model):
    """A single-use, expiring magic link sent to an email address.

    The address, not a customer, is recorded: the customer is found (or created) only
    when the link is used, so asking for a link reveals nothing about who is known.
    """

    email = models.EmailField(max_length=254)
    token_hash = models.CharField(max_length=64, unique=True)
    requested_ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["email", "created_at"], name="portal_link_email_time")]

    def __str__(self) -> str:
        return f"Sign-in link for {self.email}"
