"""Agents (the people who answer), teams, roles and API tokens."""

from __future__ import annotations

import hashlib
import secrets
import zoneinfo
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager
from django.db import models
from django.utils import timezone


class AgentManager(BaseUserManager["Agent"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> Agent:
        if not email:
            raise ValueError("An agent needs an email address")
        agent = self.model(email=self.normalize_email(email).lower(), **extra)
        agent.set_password(password)
        agent.save(using=self._db)
        return agent

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> Agent:
        extra.setdefault("role", Agent.Role.ADMIN)
        return self.create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> Agent:
        # Addresses are stored lower-cased, so "Sam@Example.com" signs in as sam@example.com.
        return self.get(email=(username or "").strip().lower())

    def active(self) -> models.QuerySet[Agent]:
        return self.filter(is_active=True)


class Agent(AbstractBaseUser):
    class Role(models.TextChoices):
        ADMIN = "admin", "Admin"
        AGENT = "agent", "Agent"
        LIGHT = "light", "Light agent"

    email = models.EmailField(unique=True)
    name = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.AGENT)
    time_zone = models.CharField(max_length=64, default="UTC")
    signature = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    # Away agents get no new assignments; `away_since` says for how long (assignment returns
    # long-away agents' conversations to their team).
    is_away = models.BooleanField(default=False)
    away_since = models.DateTimeField(null=True, blank=True)

    objects = AgentManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []  # type: ignore[misc]

    class Meta:
        ordering = ["name", "email"]

    def __str__(self) -> str:
        return self.name or self.email

    def set_password(self, raw_password: str | None) -> None:
        # However the password changes (reset link, `goodwill changepassword`, the shell, the
        # admin), the API tokens made before do not outlive it: save() revokes them.
        self._password_replaced = self.pk is not None
        super().set_password(raw_password)

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        if getattr(self, "_password_replaced", False):
            self._password_replaced = False
            ApiToken.objects.filter(agent=self, revoked_at__isnull=True).update(revoked_at=timezone.now())

    @property
    def display_name(self) -> str:
        return self.name or self.email.split("@")[0]

    @property
    def is_admin(self) -> bool:
        return self.is_active and self.role == self.Role.ADMIN

    @property
    def is_light(self) -> bool:
        return self.role == self.Role.LIGHT

    @property
    def can_reply(self) -> bool:
        """Light agents may read and add internal notes, never answer customers."""
        return self.is_active and self.role in (self.Role.ADMIN, self.Role.AGENT)

    # Django admin is for admins only; the flags follow the role.
    @property
    def is_staff(self) -> bool:
        return self.is_admin

    @property
    def is_superuser(self) -> bool:
        return self.is_admin

    def has_perm(self, perm: str, obj: object = None) -> bool:
        return self.is_admin

    def has_perms(self, perm_list: Any, obj: object = None) -> bool:
        return self.is_admin

    def has_module_perms(self, app_label: str) -> bool:
        return self.is_admin

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        try:
            return zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo("UTC")


class Team(models.Model):
    """A group of agents. A restricted team's conversations are visible to its members only."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    is_restricted = models.BooleanField(
        default=False, help_text="Only members (and admins) see this team's conversations."
    )
    email_address = models.EmailField(blank=True, help_text="Mail to this address lands in this team.")
    accepts_internal_requests = models.BooleanField(
        default=False, help_text="Colleagues may raise requests to this team from the portal, and agents may ask it for help."
    )
    members = models.ManyToManyField(Agent, through="TeamMembership", related_name="teams")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def leads(self) -> models.QuerySet[Agent]:
        """Active agents who lead this team (admins stand in when a team has none: see notifications)."""
        return Agent.objects.filter(
            is_active=True, teammembership__team=self, teammembership__is_lead=True
        ).distinct()


class TeamMembership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE)
    agent = models.ForeignKey(Agent, on_delete=models.CASCADE)
    joined_at = models.DateTimeField(auto_now_add=True)
    # A team lead hears about escalations, repeated abuse, breaches and recovery cases.
    is_lead = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "agent"], name="unique_team_member")]

    def __str__(self) -> str:
        return f"{self.agent} in {self.team}"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A Bearer token for the REST API. Only its hash is stored."""

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=12)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(
        null=True, blank=True, help_text="Refused from this time on; empty: never."
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.agent})"

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None and not self.is_expired

    @staticmethod
    def generate() -> str:
        return "gw_" + secrets.token_urlsafe(32)


class RateCounter(models.Model):
    """One fixed-window counter of `goodwill.accounts.ratelimit` when the cache is not Redis."""

    key = models.CharField(max_length=255, unique=True)
    count = models.IntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"


class Notification(models.Model):
    """Something an agent should know: a reminder, a warning, an escalation. See notifications.py.

    `key` makes each notice idempotent: the same key for the same agent is stored (and mailed)
    once, however often a retried task or several workers raise it.
    """

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="notifications")
    key = models.CharField(max_length=200)
    kind = models.CharField(max_length=40, blank=True, help_text='Which feature raised it, e.g. "sla", "promise".')
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["agent", "key"], name="unique_notification_key")]
        indexes = [models.Index(fields=["agent", "read_at", "-created_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.title
