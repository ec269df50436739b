"""The public help centre at /help/: no sign-in, no JavaScript needed, only public published articles."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from goodwill.knowledge import selectors, services
from goodwill.knowledge.markdown import render_markdown
from goodwill.knowledge.models import Category, SuggestionOpen

MAX_QUERY = 500


def _language(request: HttpRequest) -> str:
    chosen = (request.GET.get("lang") or "").strip().lower()[:10]
    if chosen:
        return chosen
    accepted = request.headers.get("Accept-Language", "")
    first = accepted.split(",")[0].split(";")[0].strip().lower()
    return first.split("-")[0][:10] or settings.LANGUAGE_CODE


def _public(response: HttpResponse) -> HttpResponse:
    # Nothing private here; a short shared lifetime keeps the page fresh after edits.
    response["Cache-Control"] = "public, max-age=60"
    return response


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    query = (request.GET.get("q") or "").strip()[:MAX_QUERY]
    language = _language(request)
    context: dict[str, object] = {
        "query": query,
        "language": language,
        "languages": selectors.help_languages(),
    }
    if query:
        context["results"] = selectors.search_public(query)
    else:
        context["categories"] = selectors.help_categories()
    return _public(render(request, "knowledge/help/home.html", context))


@require_GET
def category(request: HttpRequest, slug: str) -> HttpResponse:
    found = get_object_or_404(Category, slug=slug)
    language = _language(request)
    articles = selectors.category_articles(found, language)
    if not articles:
        return render(request, "knowledge/help/not_found.html", status=404)
    context = {"category": found, "articles": articles, "language": language}
    return _public(render(request, "knowledge/help/category.html", context))


@require_GET
def article(request: HttpRequest, pk: int, slug: str = "") -> HttpResponse:
    found = selectors.get_public_article(pk)
    source = request.GET.get("ref", "")
    if source in SuggestionOpen.Source.values:
        # Recorded once, then the clean address, so a reload does not count again.
        services.record_suggestion_open(found, source)
        return redirect("knowledge:article", pk=found.pk, slug=found.slug)
    if slug != found.slug:
        return redirect("knowledge:article", pk=found.pk, slug=found.slug)
    context = {
        "article": found,
        "body": render_markdown(found.body),
        "translations": selectors.public_translations(found),
    }
    return _public(render(request, "knowledge/help/article.html", context))


@require_GET
def suggest(request: HttpRequest) -> HttpResponse:
    """Articles for what a customer is typing (the portal and web forms ask while they type)."""
    text = " ".join(request.GET.get(name, "") for name in ("q", "subject", "text"))[: MAX_QUERY * 4]
    source = request.GET.get("source", "")
    source = source if source in SuggestionOpen.Source.values else SuggestionOpen.Source.HELP
    articles = selectors.suggest_public(text) if text.strip() else []
    return render(request, "knowledge/help/_suggestions.html", {"articles": articles, "source": source})
