"""Reads of the knowledge base: the public help centre, the workspace, prepared answers, reports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from goodwill.accounts.models import Agent
from goodwill.conversations.models import ContactReason, Conversation, Macro, Message
from goodwill.conversations.page_reads import MACROS_SHOWN
from goodwill.knowledge import index
from goodwill.knowledge.models import Article, Category, NeedSuggestion, PreparedAnswerUse, SuggestionOpen

SEARCH_LIMIT = 30
SUGGEST_LIMIT = 5
PREPARED_ARTICLES_SHOWN = 8
PREPARED_MACROS_SHOWN = 8
_PUBLIC_WHERE = "a.status = %s AND a.visibility = %s"
_PUBLIC_PARAMS: list[object] = [str(Article.Status.PUBLISHED), str(Article.Visibility.PUBLIC)]


def public_articles() -> QuerySet[Article]:
    """The only articles the help centre ever shows: published and public."""
    return Article.objects.filter(status=Article.Status.PUBLISHED, visibility=Article.Visibility.PUBLIC)


def help_languages() -> list[str]:
    return sorted(set(public_articles().values_list("language", flat=True)))


def help_categories() -> list[Category]:
    """Categories that hold at least one public article, with `article_count` (translation groups)."""
    counted = Category.objects.annotate(
        article_count=Count(
            "articles",
            filter=Q(
                articles__status=Article.Status.PUBLISHED,
                articles__visibility=Article.Visibility.PUBLIC,
                articles__translation_of__isnull=True,
            ),
        )
    )
    return [category for category in counted.order_by("position", "name") if category.article_count]  # type: ignore[attr-defined]


def in_language(articles: list[Article], language: str) -> list[Article]:
    """One article per translation group: the one in `language`, else the original."""

    def preference(article: Article) -> tuple[bool, bool]:
        return (article.language == language, article.translation_of_id is None)

    chosen: dict[int, Article] = {}
    for article in articles:
        current = chosen.get(article.original_id)
        if current is None or preference(article) > preference(current):
            chosen[article.original_id] = article
    return sorted(chosen.values(), key=lambda article: article.title.lower())


def category_articles(category: Category, language: str) -> list[Article]:
    return in_language(list(public_articles().filter(category=category)), language)


def get_public_article(pk: int) -> Article:
    article = public_articles().select_related("category").filter(pk=pk).first()
    if article is None:
        raise Http404("No such article.")
    return article


def public_translations(article: Article) -> list[Article]:
    """The other public versions of the same article, by language."""
    group = Q(pk=article.original_id) | Q(translation_of_id=article.original_id)
    return list(public_articles().filter(group).exclude(pk=article.pk).order_by("language"))


@dataclass
class ArticleResults:
    query: str
    articles: list[Article] = field(default_factory=list)
    all_words: bool = True  # False: no article had every word; these have some of them


def search_public(query: str, *, limit: int = SEARCH_LIMIT) -> ArticleResults:
    return _search(query, where=_PUBLIC_WHERE, params=_PUBLIC_PARAMS, limit=limit)


def search_for_agents(query: str, *, limit: int = SEARCH_LIMIT) -> ArticleResults:
    """Every article, drafts and internal ones included (agents see the whole knowledge base)."""
    return _search(query, where="1 = 1", params=[], limit=limit)


def suggest_public(text: str, *, limit: int = SUGGEST_LIMIT) -> list[Article]:
    """Public articles for what a customer is typing: any of its words, best first."""
    ids = index.ranked_ids(
        index.suggestion_query(text), where=_PUBLIC_WHERE, params=_PUBLIC_PARAMS, limit=limit, any_word=True
    )
    return _in_order(ids)


def _search(query: str, *, where: str, params: list[object], limit: int) -> ArticleResults:
    parsed = index.parse_query(query)
    results = ArticleResults(query=query)
    if not parsed:
        return results
    ids = index.ranked_ids(parsed, where=where, params=params, limit=limit)
    if not ids:
        ids = index.ranked_ids(parsed, where=where, params=params, limit=limit, any_word=True)
        results.all_words = not ids
    results.articles = _in_order(ids)
    return results


def _in_order(ids: list[int]) -> list[Article]:
    found = Article.objects.select_related("category").in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


# --- prepared answers ---------------------------------------------------------------------


@dataclass
class PreparedAnswers:
    need: ContactReason | None
    suggested: bool  # the need is the classifier's suggestion, not set yet
    macros: list[Macro] = field(default_factory=list)
    articles: list[Article] = field(default_factory=list)


def need_suggestion_of(conversation: Conversation) -> NeedSuggestion | None:
    return (
        NeedSuggestion.objects.filter(conversation=conversation)
        .select_related("need", "need__parent")
        .first()
    )


SuggestionReader = Callable[[Conversation], "NeedSuggestion | None"]


def need_for(
    conversation: Conversation, read_suggestion: SuggestionReader = need_suggestion_of
) -> tuple[ContactReason | None, bool]:
    """The conversation's need, else the suggested one (second value True).

    `read_suggestion`: a caller that has read the suggestion already (the conversation page's
    panels share it) passes how to get it again without a query.
    """
    if conversation.need_id:
        return conversation.need, False
    found = read_suggestion(conversation)
    return (found.need, True) if found else (None, False)


def prepared_answers(
    agent: Agent,
    conversation: Conversation,
    read_suggestion: SuggestionReader = need_suggestion_of,
    usable: list[Macro] | None = None,
) -> PreparedAnswers:
    """The macros and published articles the team keeps for the conversation's need.

    A need's parent's prepared answers count too ("Orders" answers serve "Orders › Return").
    `usable`: the agent's `usable_macros` when the caller has read them (they are picked from
    it when it holds every usable macro).
    """
    need, suggested = need_for(conversation, read_suggestion)
    answers = PreparedAnswers(need=need, suggested=suggested)
    if need is None:
        return answers
    needs = [need.pk] + ([need.parent_id] if need.parent_id else [])
    if usable is not None and len(usable) < MACROS_SHOWN:  # the same filter and order, none left out
        answers.macros = [macro for macro in usable if macro.need_id in needs][:PREPARED_MACROS_SHOWN]
    else:
        macros = Macro.objects.filter(
            Q(owner__isnull=True) | Q(owner=agent), is_active=True, need_id__in=needs
        )
        if not agent.can_reply:
            macros = macros.filter(kind=Message.Kind.NOTE)
        answers.macros = list(macros.order_by("name", "id")[:PREPARED_MACROS_SHOWN])
    articles = Article.objects.filter(status=Article.Status.PUBLISHED, needs__in=needs).distinct()
    answers.articles = list(articles.order_by("title", "id")[:PREPARED_ARTICLES_SHOWN])
    return answers


# --- reports ---------------------------------------------------------------------------------


@dataclass
class NeedCoverage:
    need: ContactReason
    macros: int
    articles: int
    uses: int
    conversations: int
    from_parent: int = 0  # the parent need's prepared answers, which serve this need too
    is_group: bool = False  # a parent need with sub-needs and no conversations of its own

    @property
    def has_none(self) -> bool:
        return not (self.macros or self.articles or self.from_parent)

    @property
    def is_gap(self) -> bool:
        """No prepared answer at all, for a need conversations can actually have."""
        return self.has_none and not self.is_group


@dataclass
class UsedAnswer:
    label: str
    kind: str
    uses: int


def need_coverage(since: datetime) -> list[NeedCoverage]:
    """Each active need: prepared macros and articles, their uses and conversations since `since`."""
    needs = ContactReason.objects.filter(is_active=True).select_related("parent")
    macros = dict(
        Macro.objects.filter(is_active=True, need__isnull=False).values_list("need").annotate(n=Count("id"))
    )
    articles = dict(
        Article.objects.filter(status=Article.Status.PUBLISHED)
        .values_list("needs")
        .annotate(n=Count("id", distinct=True))
        .exclude(needs=None)
    )
    uses = dict(
        PreparedAnswerUse.objects.filter(created_at__gte=since, need__isnull=False)
        .values_list("need")
        .annotate(n=Count("id"))
    )
    volume = dict(
        Conversation.objects.filter(created_at__gte=since, need__isnull=False)
        .values_list("need")
        .annotate(n=Count("id"))
    )
    parents = {need.parent_id for need in needs if need.parent_id}
    rows = [
        NeedCoverage(
            need,
            macros.get(need.pk, 0),
            articles.get(need.pk, 0),
            uses.get(need.pk, 0),
            volume.get(need.pk, 0),
            from_parent=(macros.get(need.parent_id, 0) + articles.get(need.parent_id, 0))
            if need.parent_id
            else 0,
            is_group=need.pk in parents and not volume.get(need.pk, 0),
        )
        for need in needs
    ]
    return sorted(rows, key=lambda row: (not row.is_gap, row.is_group, -row.conversations, str(row.need)))


def most_used_answers(since: datetime, limit: int = 20) -> list[UsedAnswer]:
    used = (
        PreparedAnswerUse.objects.filter(created_at__gte=since)
        .values("macro__name", "article__title", "how")
        .annotate(n=Count("id"))
        .order_by("-n")[:limit]
    )
    return [
        UsedAnswer(row["macro__name"] or row["article__title"] or "(deleted)", row["how"], row["n"])
        for row in used
    ]


def suggestion_opens(since: datetime, limit: int = 20) -> list[dict[str, Any]]:
    """Articles customers opened from suggestions while typing a request (needs met early)."""
    rows = (
        SuggestionOpen.objects.filter(created_at__gte=since)
        .values("article_id", "article__title", "source")
        .annotate(opens=Count("id"))
        .order_by("-opens")[:limit]
    )
    return [dict(row) for row in rows]
