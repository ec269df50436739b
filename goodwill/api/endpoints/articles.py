"""/api/v1/articles: the knowledge base. Every agent reads every article (drafts and internal
ones too); agents and admins write (light agents may not)."""

from datetime import datetime
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Status

from goodwill.accounts.policy import Action, require
from goodwill.api.endpoints import agent_of
from goodwill.api.pagination import DEFAULT_LIMIT, CursorParam, LimitParam, keyset_page
from goodwill.api.schemas import Error, Id, Input, LongText, Output, Page, Str12, Str200
from goodwill.conversations.models import ContactReason
from goodwill.knowledge.models import Article, Category
from goodwill.knowledge.selectors import search_for_agents
from goodwill.knowledge.services import save_article

router = Router(tags=["knowledge base"])
StatusName = Literal["draft", "published"]
Visibility = Literal["public", "internal"]


class ArticleOut(Output):
    id: int
    title: str
    slug: str
    body: str = Field(description="Markdown.")
    category: int | None
    language: str
    translation_of: int | None = Field(description="The original article's id, for a translation.")
    status: str
    visibility: str
    needs: list[int] = Field(description="Needs (contact reasons) this article is a prepared answer for.")
    revision: int
    published_at: datetime | None
    created_at: datetime
    updated_at: datetime


class RevisionOut(Output):
    number: int
    title: str
    body: str
    status: str
    visibility: str
    author: int | None
    note: str
    created_at: datetime


class ArticleIn(Input):
    title: Str200
    body: LongText
    category: Id | None = None
    language: Str12 = "en"
    translation_of: Id | None = None
    status: StatusName = "draft"
    visibility: Visibility = "public"
    needs: Annotated[list[Id], Field(max_length=100)] = Field(default_factory=list)
    note: Str200 = ""


class ArticlePatch(Input):
    title: Str200 | None = None
    body: LongText | None = None
    category: Id | None = None
    language: Str12 | None = None
    status: StatusName | None = None
    visibility: Visibility | None = None
    needs: Annotated[list[Id], Field(max_length=100)] | None = None
    note: Str200 = ""


def article_out(article: Article) -> dict[str, Any]:
    return {
        "id": article.pk,
        "title": article.title,
        "slug": article.slug,
        "body": article.body,
        "category": article.category_id,
        "language": article.language,
        "translation_of": article.translation_of_id,
        "status": article.status,
        "visibility": article.visibility,
        "needs": sorted(need.pk for need in article.needs.all()),
        "revision": article.revision,
        "published_at": article.published_at,
        "created_at": article.created_at,
        "updated_at": article.updated_at,
    }


def _changes(fields: dict[str, Any]) -> dict[str, Any]:
    changes = {name: value for name, value in fields.items() if name != "note"}
    if "category" in changes:
        pk = changes["category"]
        changes["category"] = Category.objects.filter(pk=pk).first() if pk else None
        if pk and changes["category"] is None:
            raise ValidationError({"category": "No such category."})
    if changes.get("translation_of"):
        original = Article.objects.filter(pk=changes["translation_of"]).first()
        if original is None:
            raise ValidationError({"translation_of": "No such article."})
        changes["translation_of"] = original
    if "needs" in changes:
        needs = list(ContactReason.objects.filter(pk__in=changes["needs"]))
        if len(needs) != len(set(changes["needs"])):
            raise ValidationError({"needs": "No such need."})
        changes["needs"] = needs
    return changes


@router.get("", response={200: Page[ArticleOut], 422: Error}, summary="List or search articles")
def list_articles(
    request: HttpRequest,
    q: Annotated[Str200 | None, Query(description="Full-text search, best match first (one page).")] = None,
    cursor: CursorParam = None,
    limit: LimitParam = DEFAULT_LIMIT,
) -> dict[str, Any]:
    """Oldest first (by id), or with `q` the best matches first."""
    if q and q.strip():
        found = search_for_agents(q, limit=limit).articles
        prefetch_related_objects(found, "needs")
        return {"items": [article_out(article) for article in found], "next": None}
    rows, next_cursor = keyset_page(
        Article.objects.prefetch_related("needs"), resource="articles", cursor=cursor, limit=limit
    )
    return {"items": [article_out(row) for row in rows], "next": next_cursor}


@router.get("/{article_id}", response={200: ArticleOut, 404: Error, 422: Error}, summary="Read an article")
def read_article(request: HttpRequest, article_id: Id) -> dict[str, Any]:
    return article_out(Article.objects.get(pk=article_id))


@router.get(
    "/{article_id}/revisions",
    response={200: list[RevisionOut], 404: Error, 422: Error},
    summary="An article's history",
)
def list_revisions(request: HttpRequest, article_id: Id) -> list[dict[str, Any]]:
    """Newest first."""
    article = Article.objects.get(pk=article_id)
    return [
        {
            "number": revision.number,
            "title": revision.title,
            "body": revision.body,
            "status": revision.status,
            "visibility": revision.visibility,
            "author": revision.author_id,
            "note": revision.note,
            "created_at": revision.created_at,
        }
        for revision in article.revisions.all()
    ]


@router.post("", response={201: ArticleOut, 403: Error, 422: Error}, summary="Create an article")
def create_article(
    request: HttpRequest, response: HttpResponse, payload: ArticleIn
) -> Status[dict[str, Any]]:
    agent = agent_of(request)
    require(agent, Action.EDIT_KNOWLEDGE)
    fields = payload.model_dump()
    article = save_article(_changes(fields), by=agent, note=fields["note"])
    response["Location"] = f"/api/v1/articles/{article.pk}"
    return Status(201, article_out(article))


@router.patch(
    "/{article_id}",
    response={200: ArticleOut, 403: Error, 404: Error, 422: Error},
    summary="Change an article",
)
def update_article(request: HttpRequest, article_id: Id, payload: ArticlePatch) -> dict[str, Any]:
    """Only the fields given change; a change is a new revision."""
    agent = agent_of(request)
    require(agent, Action.EDIT_KNOWLEDGE)
    article = Article.objects.get(pk=article_id)
    fields = payload.model_dump(exclude_unset=True)
    note = fields.pop("note", "")
    fields = {name: value for name, value in fields.items() if value is not None or name == "category"}
    save_article(_changes(fields), by=agent, article=article, note=note)
    return article_out(Article.objects.get(pk=article_id))
