"""Every change to the knowledge base: articles with their history, categories, uses."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from goodwill.accounts.models import Agent
from goodwill.accounts.policy import Action, require
from goodwill.conversations.models import Conversation, Macro
from goodwill.knowledge import index
from goodwill.knowledge.models import (
    Article,
    ArticleRevision,
    Category,
    NeedSuggestion,
    PreparedAnswerUse,
    SuggestionOpen,
)

ARTICLE_FIELDS = ("title", "body", "category", "language", "status", "visibility", "translation_of")


def save_category(
    *, name: str, description: str = "", position: int = 0, by: Agent | None, category: Category | None = None
) -> Category:
    require(by, Action.EDIT_KNOWLEDGE)
    name = name.strip()
    if not name:
        raise ValidationError({"name": "A category needs a name."})
    category = category or Category()
    category.name, category.description, category.position = name, description.strip(), position
    if not category.slug:
        category.slug = _unique_slug(Category, name)
    category.save()
    return category


def save_article(
    changes: dict[str, Any], *, by: Agent | None, article: Article | None = None, note: str = ""
) -> Article:
    """Create (`article=None`) or change an article; every save that changes something is a revision.

    `changes` holds any of ARTICLE_FIELDS plus `needs` (ContactReasons). Raises ValidationError
    (and changes nothing) for a missing title or body, or a second translation into one language.
    """
    require(by, Action.EDIT_KNOWLEDGE)
    unknown = set(changes) - {*ARTICLE_FIELDS, "needs"}
    if unknown:
        raise ValueError(f"Unknown article fields: {sorted(unknown)}")
    article = article or Article()
    for name in ARTICLE_FIELDS:
        if name in changes:
            setattr(article, name, changes[name].strip() if isinstance(changes[name], str) else changes[name])
    _validate(article)
    with transaction.atomic():
        content_changed = article.pk is None or _differs_from_last_revision(article)
        if article.status == Article.Status.PUBLISHED and article.published_at is None:
            article.published_at = timezone.now()
        if not article.slug:
            article.slug = slugify(article.title)[:200] or "article"
        article.updated_by = by
        article.folded_title, article.folded_body = (
            index.fold(article.title),
            index.fold(index.plain(article.body)),
        )
        if content_changed:
            article.revision += 1
        article.save()
        if "needs" in changes:
            article.needs.set(changes["needs"])
        if content_changed:
            ArticleRevision.objects.create(
                article=article,
                number=article.revision,
                title=article.title,
                body=article.body,
                status=article.status,
                visibility=article.visibility,
                author=by,
                note=note,
            )
        index.index_article(article.pk, article.title, article.body)
    return article


def restore_revision(revision: ArticleRevision, *, by: Agent | None) -> Article:
    """Make an old revision current again, as a new revision (history is never rewritten)."""
    return save_article(
        {
            "title": revision.title,
            "body": revision.body,
            "status": revision.status,
            "visibility": revision.visibility,
        },
        by=by,
        article=revision.article,
        note=f"Restored revision {revision.number}",
    )


def record_prepared_answer_use(
    conversation: Conversation,
    *,
    agent: Agent,
    how: str,
    macro: Macro | None = None,
    article: Article | None = None,
) -> PreparedAnswerUse:
    if (macro is None) == (article is None) or how not in PreparedAnswerUse.How.values:
        raise ValueError("A use names either a macro or an article, and how it was used.")
    need_id = conversation.need_id or _suggested_need_id(conversation)
    return PreparedAnswerUse.objects.create(
        conversation=conversation, agent=agent, need_id=need_id, macro=macro, article=article, how=how
    )


def record_suggestion_open(article: Article, source: str) -> SuggestionOpen | None:
    if source not in SuggestionOpen.Source.values or not article.is_public:
        return None
    return SuggestionOpen.objects.create(article=article, source=source)


def _suggested_need_id(conversation: Conversation) -> int | None:
    return NeedSuggestion.objects.filter(conversation=conversation).values_list("need_id", flat=True).first()


def _validate(article: Article) -> None:
    errors: dict[str, str] = {}
    if not article.title:
        errors["title"] = "An article needs a title."
    if not article.body:
        errors["body"] = "An article needs some text."
    if article.status not in Article.Status.values:
        errors["status"] = "Choose draft or published."
    if article.visibility not in Article.Visibility.values:
        errors["visibility"] = "Choose public or internal."
    if not article.language or len(article.language) > 10:
        errors["language"] = "Give a language code such as en or de."
    if article.translation_of_id:
        original = article.translation_of
        if original is not None and original.translation_of_id:
            article.translation_of = original.translation_of
        siblings = Article.objects.filter(translation_of_id=article.original_id, language=article.language)
        same_as_original = Article.objects.filter(pk=article.original_id, language=article.language)
        if siblings.exclude(pk=article.pk).exists() or same_as_original.exclude(pk=article.pk).exists():
            errors["language"] = f"This article already has a version in {article.language}."
        if article.pk and article.translation_of_id == article.pk:
            errors["translation_of"] = "An article cannot be a translation of itself."
    if errors:
        raise ValidationError(errors)


def _differs_from_last_revision(article: Article) -> bool:
    last = ArticleRevision.objects.filter(article=article).order_by("-number").first()
    if last is None:
        return True
    current = (article.title, article.body, article.status, article.visibility)
    return current != (last.title, last.body, last.status, last.visibility)


def _unique_slug(model: type[Category], name: str) -> str:
    base = slugify(name)[:90] or "category"
    slug, n = base, 1
    while model.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug
