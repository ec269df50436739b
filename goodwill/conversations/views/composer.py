"""The composer: send a reply, note or logged contact, keep a draft, fill in a macro."""

from __future__ import annotations

from typing import Any

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from goodwill.accounts.policy import Action, require
from goodwill.conversations import counts, selectors, services
from goodwill.conversations.collisions import others_replying
from goodwill.conversations.drafts import draft_panels
from goodwill.conversations.forms import ComposerForm
from goodwill.conversations.models import Conversation, Macro, Message
from goodwill.conversations.views.common import conversation_url, current_agent
from goodwill.conversations.views.conversation import detail_context
from goodwill.core import uploads
from goodwill.core.http import HtmxHttpRequest


def _uploads(request: HttpRequest) -> list[services.NewAttachment]:
    """The composer's files, within the per-request caps (core.uploads), else UploadRefused."""
    return [
        services.NewAttachment(
            filename=upload.name or "attachment",
            content=upload.read(),
            content_type=upload.content_type or "application/octet-stream",
        )
        for upload in uploads.accepted_files(request, "attachments")
    ]


SENT_MESSAGES = {
    "reply": "Reply sent.",
    "note": "Note added.",
    "phone": "Phone call logged.",
    "walk_in": "Walk-in logged.",
}


def _composer_again(
    request: HttpRequest, conversation: Conversation, form: ComposerForm, status: int, **extra: Any
) -> HttpResponse:
    """The conversation page with the composer as the agent left it, and why it was not sent."""
    data = form.cleaned_data
    context = detail_context(
        request,
        conversation,
        composer_text=data["text"] or "",
        composer_kind=data["kind"],
        composer_status=data["status"] or "",
        **{"seen_message_id": data["seen_message_id"], **extra},
    )
    return render(request, "conversations/detail.html", context, status=status)


@login_required
@require_POST
def send(request: HttpRequest, number: int) -> HttpResponse:
    agent = current_agent(request)
    conversation = selectors.get_conversation_for(agent, number)
    form = ComposerForm(request.POST)
    if not form.is_valid():
        flash.error(request, "The message could not be sent.")
        return redirect(conversation_url(conversation))
    kind = form.cleaned_data["kind"]
    text = form.cleaned_data["text"] or ""
    replying = others_replying(conversation, agent) if kind == Message.Kind.REPLY else []
    if replying and not form.cleaned_data["collision_ack"]:
        # The page warns before sending; this catches what the browser could not know yet
        # (or a browser without scripts): the reply is kept, not sent, until confirmed.
        if text.strip():
            services.save_draft(
                conversation,
                by=agent,
                text=text,
                kind=kind,
                seen_message_id=form.cleaned_data["seen_message_id"],
            )
        return _composer_again(request, conversation, form, 409, collision_with=replying)
    try:
        attachments = _uploads(request)
    except uploads.UploadRefused as refused:
        # Nothing is sent and no file kept; the text comes back in the composer.
        flash.error(request, " ".join(refused.messages) + " Your text is kept below.")
        return _composer_again(request, conversation, form, 413)
    try:
        message = services.send_from_composer(
            conversation,
            by=agent,
            kind=kind,
            text=text,
            seen_message_id=form.cleaned_data["seen_message_id"],
            status=form.cleaned_data["status"] or "",
            attachments=attachments,
        )
    except services.StaleDraftError as stale:
        return _composer_again(
            request, conversation, form, 409, seen_message_id=stale.unseen[-1].pk, stale_messages=stale.unseen
        )
    except ValidationError as error:
        flash.error(request, " ".join(error.messages))
        return redirect(conversation_url(conversation))
    counts.forget_view_counts(agent)
    flash.success(request, SENT_MESSAGES.get(kind, "Saved."))
    return redirect(f"{conversation_url(conversation)}#m{message.pk}")


@login_required
@require_POST
def save_draft(request: HtmxHttpRequest, number: int) -> HttpResponse:
    agent = current_agent(request)
    conversation = selectors.get_conversation_for(agent, number)
    form = ComposerForm(request.POST)
    if not form.is_valid():
        return HttpResponse("Draft not saved", status=400)
    text = form.cleaned_data["text"] or ""
    if text.strip():
        services.save_draft(
            conversation,
            by=agent,
            text=text,
            kind=form.cleaned_data["kind"],
            seen_message_id=form.cleaned_data["seen_message_id"],
        )
        status = "Draft saved"
    else:
        services.discard_draft(conversation, by=agent)
        status = ""
    if request.htmx:
        return HttpResponse(status)
    return redirect(conversation_url(conversation))


@login_required
@require_GET
def macro_text(request: HttpRequest, number: int, macro_id: int) -> HttpResponse:
    """A macro's text filled in for this conversation (for scripts; the page embeds them too)."""
    agent = current_agent(request)
    conversation = selectors.get_conversation_for(agent, number)
    macro = get_object_or_404(Macro, Q(owner__isnull=True) | Q(owner=agent), pk=macro_id, is_active=True)
    if macro.kind == Message.Kind.REPLY:
        require(agent, Action.REPLY)
    text = services.render_macro(macro, conversation=conversation, agent=agent)
    return HttpResponse(text, content_type="text/plain; charset=utf-8")


@login_required
@require_POST
def draft_check(request: HttpRequest, number: int) -> HttpResponse:
    """What the registered draft checks (conversations/drafts.py) say about the draft as typed."""
    agent = current_agent(request)
    conversation = selectors.get_conversation_for(agent, number)
    text = request.POST.get("text", "")[:20000]
    kind = request.POST.get("kind", "reply")
    if kind not in SENT_MESSAGES:
        kind = "reply"
    panels = draft_panels(request, conversation, text, kind)
    return render(request, "conversations/_draft_checks.html", {"conversation": conversation, "panels": panels})
