"""The agent's own settings page: their API tokens."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from goodwill.accounts.forms import NewTokenForm
from goodwill.accounts.models import Agent, ApiToken
from goodwill.accounts.services import issue_api_token, revoke_agent_tokens


def _page(
    request: HttpRequest, agent: Agent, form: NewTokenForm, *, new_token: str | None = None
) -> HttpResponse:
    context = {"tokens": agent.api_tokens.all(), "form": form, "new_token": new_token}
    response = render(request, "accounts/settings.html", context, status=400 if form.errors else 200)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def settings_page(request: HttpRequest) -> HttpResponse:
    return _page(request, request.user, NewTokenForm())  # type: ignore[arg-type]


@login_required
@require_POST
def create_token(request: HttpRequest) -> HttpResponse:
    """Shows the new token in this answer only: it is never stored in clear, not even in the session."""
    agent: Agent = request.user  # type: ignore[assignment]
    form = NewTokenForm(request.POST)
    if not form.is_valid():
        return _page(request, agent, form)
    days = form.cleaned_data["expires_in_days"]
    expires_at = timezone.now() + timedelta(days=days) if days else None
    raw = issue_api_token(agent, name=form.cleaned_data["name"], expires_at=expires_at)
    return _page(request, agent, NewTokenForm(), new_token=raw)


@login_required
@require_http_methods(["GET", "POST"])
def revoke_token(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks to confirm; POST revokes. Another agent's token is a 404."""
    token = get_object_or_404(ApiToken, pk=pk, agent=request.user, revoked_at__isnull=True)
    if request.method == "POST":
        revoke_agent_tokens(token.agent, token_id=token.pk)
        messages.success(request, f"Revoked the token “{token.name or token.prefix}”.")
        return redirect("accounts:settings")
    return render(request, "accounts/revoke_token.html", {"token": token})
