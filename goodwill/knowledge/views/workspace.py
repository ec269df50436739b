"""The knowledge base in the agents' workspace: write, publish, keep history, see what is used.

Every agent reads everything (internal articles and drafts too); agents and admins edit;
light agents only read (policy `Action.EDIT_KNOWLEDGE`).
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from goodwill.accounts.models import Agent
from goodwill.accounts.policy import Action, allows, require
from goodwill.conversations.models import Conversation, Macro
from goodwill.conversations.selectors import get_conversation_for
from goodwill.knowledge import need, selectors, services
from goodwill.knowledge.forms import ArticleForm, CategoryForm
from goodwill.knowledge.markdown import render_markdown
from goodwill.knowledge.models import (
    Article,
    ArticleRevision,
    Category,
    NeedSuggestion,
    PreparedAnswerUse,
    SuggestionOpen,
)

ARTICLES_SHOWN = 200
REPORT_DAYS = (7, 30, 90, 365)


def _agent(request: HttpRequest) -> Agent:
    return request.user  # type: ignore[return-value]


@login_required
@require_GET
def articles(request: HttpRequest) -> HttpResponse:
    query = (request.GET.get("q") or "").strip()[:500]
    if query:
        found = selectors.search_for_agents(query)
        listed, all_words = found.articles, found.all_words
    else:
        listed = list(
            Article.objects.select_related("category").order_by("category__name", "title", "id")[
                :ARTICLES_SHOWN
            ]
        )
        all_words = True
    context = {
        "articles": listed,
        "query": query,
        "all_words": all_words,
        "can_edit": allows(_agent(request), Action.EDIT_KNOWLEDGE),
    }
    return render(request, "knowledge/articles.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def edit_article(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    agent = _agent(request)
    article = get_object_or_404(Article, pk=pk) if pk else None
    if request.method == "POST":
        require(agent, Action.EDIT_KNOWLEDGE)
        form = ArticleForm(request.POST, article=article)
        if form.is_valid():
            try:
                saved = services.save_article(
                    form.changes(), by=agent, article=article, note=form.cleaned_data["note"]
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                flash.success(request, f"Saved “{saved.title}” (revision {saved.revision}).")
                return redirect("knowledge:edit", pk=saved.pk)
        status = 400
    else:
        initial = {}
        if article is not None:
            initial = {
                name: getattr(article, name)
                for name in (
                    "title",
                    "body",
                    "category",
                    "language",
                    "translation_of",
                    "status",
                    "visibility",
                )
            }
            initial["needs"] = list(article.needs.all())
        elif request.GET.get("translation_of", "").isdigit():
            initial["translation_of"] = request.GET["translation_of"]
        form, status = ArticleForm(initial=initial, article=article), 200
    context = {
        "form": form,
        "article": article,
        "can_edit": allows(agent, Action.EDIT_KNOWLEDGE),
        "preview": render_markdown(article.body) if article else "",
    }
    return render(request, "knowledge/edit.html", context, status=status)


def _add_errors(form: ArticleForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@login_required
@require_GET
def history(request: HttpRequest, pk: int) -> HttpResponse:
    article = get_object_or_404(Article, pk=pk)
    revisions = article.revisions.select_related("author")
    return render(request, "knowledge/history.html", {"article": article, "revisions": revisions})


@login_required
@require_GET
def revision(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    found = get_object_or_404(
        ArticleRevision.objects.select_related("article", "author"), article_id=pk, number=number
    )
    context = {
        "revision": found,
        "article": found.article,
        "body": render_markdown(found.body),
        "can_edit": allows(_agent(request), Action.EDIT_KNOWLEDGE),
    }
    return render(request, "knowledge/revision.html", context)


@login_required
@require_POST
def restore(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    found = get_object_or_404(ArticleRevision, article_id=pk, number=number)
    article = services.restore_revision(found, by=_agent(request))
    flash.success(request, f"Restored revision {number} as revision {article.revision}.")
    return redirect("knowledge:edit", pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def categories(request: HttpRequest) -> HttpResponse:
    agent = _agent(request)
    form, status = CategoryForm(), 200
    if request.method == "POST":
        form = CategoryForm(request.POST)
        if form.is_valid():
            try:
                services.save_category(
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                    position=form.cleaned_data["position"] or 0,
                    by=agent,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                flash.success(request, "Category added.")
                return redirect("knowledge:categories")
        status = 400
    context = {
        "categories": Category.objects.all(),
        "form": form,
        "can_edit": allows(agent, Action.EDIT_KNOWLEDGE),
    }
    return render(request, "knowledge/categories.html", context, status=status)


@login_required
@require_GET
def report(request: HttpRequest) -> HttpResponse:
    days = int(request.GET["days"]) if request.GET.get("days", "").isdigit() else 30
    days = days if days in REPORT_DAYS else 30
    since = timezone.now() - timedelta(days=days)
    coverage = selectors.need_coverage(since)
    context = {
        "days": days,
        "day_choices": REPORT_DAYS,
        "coverage": coverage,
        "without": [row for row in coverage if row.is_gap],
        "used": selectors.most_used_answers(since),
        "opens": selectors.suggestion_opens(since),
        "opens_total": SuggestionOpen.objects.filter(created_at__gte=since).count(),
        "portal_requests": Conversation.objects.filter(
            created_at__gte=since, channel=Conversation.Channel.PORTAL
        ).count(),
        "model": need.readiness(),
        "accepted": NeedSuggestion.objects.filter(created_at__gte=since, accepted_at__isnull=False).count(),
        "suggested": NeedSuggestion.objects.filter(created_at__gte=since).count(),
    }
    return render(request, "knowledge/report.html", context)


@login_required
@require_POST
def record_use(request: HttpRequest, number: int) -> HttpResponse:
    """The composer's prepared-answer buttons report each insertion here (no page change)."""
    agent = _agent(request)
    conversation = get_conversation_for(agent, number)
    how = request.POST.get("how", "")
    macro = article = None
    if how == PreparedAnswerUse.How.MACRO and request.POST.get("macro", "").isdigit():
        macro = Macro.objects.filter(pk=int(request.POST["macro"]), is_active=True).first()
    elif request.POST.get("article", "").isdigit():
        article = Article.objects.filter(
            pk=int(request.POST["article"]), status=Article.Status.PUBLISHED
        ).first()
    if (macro is None and article is None) or how not in PreparedAnswerUse.How.values:
        return HttpResponse("Unknown prepared answer.", status=400)
    services.record_prepared_answer_use(conversation, agent=agent, how=how, macro=macro, article=article)
    return HttpResponse(status=204)


@login_required
@require_POST
def accept_need(request: HttpRequest, number: int) -> HttpResponse:
    agent = _agent(request)
    conversation = get_conversation_for(agent, number)
    suggestion = get_object_or_404(
        NeedSuggestion.objects.select_related("need", "conversation"), conversation=conversation
    )
    try:
        need.accept_suggestion(suggestion, by=agent)
    except PermissionDenied as error:
        flash.error(request, str(error))
    except ValidationError as error:
        flash.error(request, " ".join(error.messages))
    else:
        flash.success(request, f"Need set to {suggestion.need}.")
    return redirect("conversations:detail", number=number)
