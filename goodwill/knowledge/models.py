"""Articles of the knowledge base, their history, prepared answers' use and need suggestions."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from goodwill.conversations.models import ContactReason, Conversation, Macro


class Category(models.Model):
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Article(models.Model):
    """One article in one language; a translation points at the original (`translation_of`)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    class Visibility(models.TextChoices):
        PUBLIC = "public", "Public (help centre)"
        INTERNAL = "internal", "Internal (agents only)"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200)
    body = models.TextField(help_text="Markdown.")
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles"
    )
    language = models.CharField(max_length=10, default="en")
    translation_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="translations"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC)
    needs = models.ManyToManyField(
        ContactReason,
        blank=True,
        related_name="articles",
        help_text="Offered first in the composer when a conversation has one of these needs.",
    )
    revision = models.PositiveIntegerField(default=0)
    # Lower-case plain text without accents, which the PostgreSQL index is built from, so
    # "rucksendung" finds "Rücksendung" there as it does in SQLite's FTS5 (services.save_article).
    folded_title = models.TextField(blank=True, editable=False)
    folded_body = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["title", "id"]
        indexes = [models.Index(fields=["status", "visibility", "language"], name="kb_article_public")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.PUBLISHED and self.visibility == self.Visibility.PUBLIC

    @property
    def original_id(self) -> int:
        return self.translation_of_id or self.pk


class ArticleRevision(models.Model):
    """What an article said after each save: restoring one writes a new revision."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=Article.Status.choices)
    visibility = models.CharField(max_length=10, choices=Article.Visibility.choices)
    note = models.CharField(max_length=200, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["article", "number"], name="kb_unique_revision")]

    def __str__(self) -> str:
        return f"{self.article_id} r{self.number}"


class SuggestionOpen(models.Model):
    """A customer opened an article the portal or a web form suggested while they typed."""

    class Source(models.TextChoices):
        PORTAL = "portal", "Portal new request"
        WEBFORM = "webform", "Web form"
        HELP = "help", "Help centre search"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="suggestion_opens")
    source = models.CharField(max_length=10, choices=Source.choices)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)


class PreparedAnswerUse(models.Model):
    """An agent inserted a prepared answer (a macro, an article's link or text) into a draft."""

    class How(models.TextChoices):
        MACRO = "macro", "Macro"
        LINK = "link", "Article link"
        TEXT = "text", "Article text"

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="+")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    need = models.ForeignKey(
        ContactReason, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    macro = models.ForeignKey(Macro, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    article = models.ForeignKey(Article, null=True, blank=True, on_delete=models.CASCADE, related_name="uses")
    how = models.CharField(max_length=10, choices=How.choices)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)


class NeedModel(models.Model):
    """A trained need classifier, versioned; the newest usable one suggests needs."""

    version = models.PositiveIntegerField(unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    examples = models.PositiveIntegerField(help_text="Labelled conversations it was trained on.")
    needs = models.PositiveIntegerField(help_text="Needs it can tell apart.")
    held_out = models.PositiveIntegerField(default=0)
    accuracy = models.FloatField(null=True, blank=True, help_text="On a held-out part of the examples.")
    fingerprint = models.CharField(
        max_length=64, help_text="Which labelled set it saw (count and newest id)."
    )
    blob = models.BinaryField()

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"need model v{self.version}"


class NeedSuggestion(models.Model):
    conversation = models.OneToOneField(
        Conversation, on_delete=models.CASCADE, related_name="need_suggestion"
    )
    need = models.ForeignKey(ContactReason, on_delete=models.CASCADE, related_name="+")
    confidence = models.FloatField()
    model_version = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    @property
    def percent(self) -> int:
        return round(self.confidence * 100)
