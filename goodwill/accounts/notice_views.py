"""The agent's notices: reminders, warnings and escalations raised by features (notifications.py)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from goodwill.accounts.models import Agent, Notification
from goodwill.accounts.notifications import mark_read

PAGE = 50


@login_required
@require_GET
def notices(request: HttpRequest) -> HttpResponse:
    """Newest first, 50 a page; `?before=<id>` pages back (keyset, so deep pages stay cheap)."""
    agent: Agent = request.user  # type: ignore[assignment]
    rows = Notification.objects.filter(agent=agent).order_by("-pk")
    before = request.GET.get("before", "")
    if before.isdigit():
        rows = rows.filter(pk__lt=int(before))
    page = list(rows[: PAGE + 1])
    more = len(page) > PAGE
    page = page[:PAGE]
    context = {"notices": page, "older": page[-1].pk if more else None, "paged": before.isdigit()}
    response = render(request, "accounts/notices.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def open_notice(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notice read and go where it points (only to this site)."""
    notice = get_object_or_404(Notification, pk=pk, agent=request.user)
    if notice.read_at is None:
        Notification.objects.filter(pk=notice.pk).update(read_at=timezone.now())
    safe = url_has_allowed_host_and_scheme(notice.url, allowed_hosts={request.get_host()}, require_https=False)
    return redirect(notice.url if notice.url and safe else "accounts:notices")


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    mark_read(request.user)  # type: ignore[arg-type]
    return redirect("accounts:notices")
