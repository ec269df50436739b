"""The search page: one box for conversations, messages and customers."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from goodwill.search.forms import SearchForm
from goodwill.search.hits_html import hits_html
from goodwill.search.selectors import SearchResults, search_for

PAGE_SIZE = 20


@login_required
def results(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    found: SearchResults | None = None
    if form.is_bound and form.is_valid() and form.cleaned_data["q"].strip():
        found = search_for(
            request.user,  # type: ignore[arg-type]
            form.cleaned_data["q"],
            limit=PAGE_SIZE,
            **form.search_kwargs(),  # type: ignore[arg-type]
        )
    params = request.GET.copy()
    params.pop("cursor", None)
    context = {
        "form": form,
        "results": found,
        "query": form.cleaned_data.get("q", "") if form.is_bound and form.is_valid() else "",
        "kind": (form.cleaned_data.get("kind") or "") if form.is_bound and form.is_valid() else "",
        "base_query": params.urlencode(),
        "hits_html": hits_html(found),
    }
    template = "search/results.html#results" if request.htmx else "search/results.html"  # type: ignore[attr-defined]
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response
