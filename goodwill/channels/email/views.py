"""The quarantine: what could not be taken in automatically, with retry, release and delete."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from goodwill.accounts.models import Agent
from goodwill.channels.email import intake, selectors
from goodwill.channels.email.parsing import decode_bytes


def _agent(request: HttpRequest) -> Agent:
    return request.user  # type: ignore[return-value]


@login_required
@require_GET
def quarantine_list(request: HttpRequest) -> HttpResponse:
    entries = selectors.quarantine_visible_to(_agent(request)).order_by("-created_at", "-id")
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "email/quarantine_list.html", {"page": page})


@login_required
@require_GET
def quarantine_detail(request: HttpRequest, pk: int) -> HttpResponse:
    entry = selectors.get_quarantine_for(_agent(request), pk)
    preview = ""
    try:
        with default_storage.open(entry.raw.path, "rb") as handle:
            preview = decode_bytes(handle.read(20_000), "utf-8")
    except OSError:
        preview = ""
    return render(request, "email/quarantine_detail.html", {"entry": entry, "preview": preview})


@login_required
@require_GET
def quarantine_raw(request: HttpRequest, pk: int) -> FileResponse:
    entry = selectors.get_quarantine_for(_agent(request), pk)
    try:
        handle = default_storage.open(entry.raw.path, "rb")
    except OSError:
        raise Http404("The raw message file is missing")
    return FileResponse(
        handle, as_attachment=True, filename=f"quarantined-{entry.pk}.eml", content_type="message/rfc822"
    )


@login_required
@require_POST
def quarantine_retry(request: HttpRequest, pk: int) -> HttpResponse:
    entry = selectors.get_quarantine_for(_agent(request), pk)
    outcome = intake.retry_quarantined(entry, by=_agent(request))
    if outcome.conversation is not None:
        flash.success(request, f"Taken in: conversation #{outcome.conversation.number}.")
    else:
        flash.info(request, f"Processed again: {outcome.state}.")
    return redirect("email:quarantine")


@login_required
@require_POST
def quarantine_release(request: HttpRequest, pk: int) -> HttpResponse:
    entry = selectors.get_quarantine_for(_agent(request), pk)
    outcome = intake.release_quarantined(entry, by=_agent(request))
    assert outcome.conversation is not None
    flash.success(request, f"Released as conversation #{outcome.conversation.number}.")
    return redirect(reverse("conversations:detail", args=[outcome.conversation.number]))


@login_required
@require_http_methods(["GET", "POST"])
def quarantine_delete(request: HttpRequest, pk: int) -> HttpResponse:
    entry = selectors.get_quarantine_for(_agent(request), pk)
    if request.method == "POST":
        intake.delete_quarantined(entry, by=_agent(request))
        flash.success(request, "The quarantined email was deleted.")
        return redirect("email:quarantine")
    return render(request, "email/quarantine_delete.html", {"entry": entry})
