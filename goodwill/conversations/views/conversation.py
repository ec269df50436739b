"""The conversation page: detail (timeline, properties, composer), merge, split.

Property edits are in `properties`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_POST

from goodwill.accounts.policy import Action, allows
from goodwill.conversations import page_reads, selectors, services
from goodwill.conversations.badges import MESSAGE, badges_for
from goodwill.conversations.drafts import has_draft_checks
from goodwill.conversations.forms import MergeForm
from goodwill.conversations.markers import marker_of
from goodwill.conversations.models import Conversation, Draft, Message
from goodwill.conversations.panels import (
    COMPOSER,
    SIDEBAR,
    forget_shared,
    has_rows,
    panels_for,
    remember_messages,
    shared,
)
from goodwill.conversations.timeline import (
    TimelineContext,
    apply_masks,
    build_timeline,
    timeline_html,
    timeline_messages,
)
from goodwill.conversations.views.common import (
    conversation_url,
    current_agent,
    message_of,
)
from goodwill.conversations.views.properties import properties_context
from goodwill.core.http import HtmxHttpRequest


def _timeline_context(
    request: HttpRequest, conversation: Conversation, stale_messages: list[Message] | None = None
) -> dict[str, Any]:
    """What the timeline (and the live marker of what it shows) needs."""
    agent = current_agent(request)
    load_images_for = {int(value) for value in request.GET.getlist("images") if value.isdigit()}
    events = page_reads.change_events_of(conversation)
    messages, attachments = timeline_messages(conversation)
    remember_messages(request, conversation, messages)  # panels read the first message from here
    badges = badges_for(MESSAGE, [message.pk for message in messages])
    timeline = build_timeline(messages, events, load_images_for, attachments, badges)
    apply_masks(timeline, agent.pk)
    last_message = timeline.last_message
    rendered_timeline = timeline_html(
        timeline,
        TimelineContext(
            conversation=conversation,
            customer_name=str(conversation.customer),
            can_edit=allows(agent, Action.SPLIT),
            csrf_token=get_token(request),
            stale_ids=frozenset(message.pk for message in stale_messages or []),
        ),
    )
    return {
        "conversation": conversation,
        "customer": conversation.customer,
        "timeline": timeline,
        "timeline_html": rendered_timeline,
        "last_message": last_message,
        "live_marker": marker_of(conversation, last_message.pk if last_message else 0),
        "events": events,
    }


def detail_context(request: HttpRequest, conversation: Conversation, **extra: Any) -> dict[str, Any]:
    agent = current_agent(request)
    forget_shared(request)  # a view may have written (a draft, a reply) since anything was read
    # The customer card lists them and panels (call-backs' phone number) read them: once.
    prefetch_related_objects([conversation.customer], "identities")
    context = _timeline_context(request, conversation, extra.get("stale_messages"))
    context.update(properties_context(request, conversation))
    last_message = context.pop("last_message")
    draft = (
        Draft.objects.filter(conversation=conversation, agent=agent).first()
        if has_rows(request, conversation, Draft)
        else None
    )
    seen_message_id = extra.pop("seen_message_id", None)
    if seen_message_id is None:
        seen_message_id = last_message.pk if last_message else 0
    # Shared: the prepared answers above the composer pick theirs from the same list.
    usable = shared(
        request, ("conversations.usable_macros", agent.pk), lambda: page_reads.usable_macros(agent)
    )
    macros = page_reads.macros_for(agent, conversation, usable)
    composer_kind = extra.pop("composer_kind", None) or (draft.kind if draft else "reply")
    if not agent.can_reply:
        composer_kind = "note"
    composer_text = extra.pop("composer_text", None)
    if composer_text is None:
        composer_text = draft.text if draft else ""
    macro_id = request.GET.get("macro", "")
    if macro_id.isdigit():
        chosen = next((macro for macro in macros if macro.pk == int(macro_id)), None)
        if chosen is not None:
            rendered = services.render_macro(chosen, conversation=conversation, agent=agent)
            composer_text = f"{composer_text}\n\n{rendered}".strip() if composer_text else rendered
            composer_kind = chosen.kind if agent.can_reply else "note"
            extra.setdefault("composer_status", chosen.set_status)
    context.update(
        {
            "seen_message_id": seen_message_id,
            "composer_text": composer_text,
            "composer_kind": composer_kind,
            "draft": draft,
            "macros": [
                {"macro": macro, "text": services.render_macro(macro, conversation=conversation, agent=agent)}
                for macro in macros
            ],
            "send_statuses": [
                (value, label) for value, label in Conversation.Status.choices if value != "new"
            ],
            "previous_conversations": page_reads.previous_conversations(agent, conversation),
            "customer_panels": panels_for(SIDEBAR, request, conversation),
            "composer_panels": panels_for(COMPOSER, request, conversation),
            "draft_checks": has_draft_checks(),
            "merged_into": conversation.merged_into,
        }
    )
    context.update(extra)
    return context


@login_required
@require_GET
def detail(request: HtmxHttpRequest, number: int) -> HttpResponse:
    agent = current_agent(request)
    conversation = selectors.get_conversation_for(agent, number)
    partial = request.GET.get("partial") if request.htmx else None
    if partial == "timeline":
        response = render(
            request, "conversations/detail.html#timeline", _timeline_context(request, conversation)
        )
    elif partial == "properties":
        response = render(
            request, "conversations/detail.html#properties", properties_context(request, conversation)
        )
    else:
        response = render(request, "conversations/detail.html", detail_context(request, conversation))
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_POST
def merge(request: HttpRequest, number: int) -> HttpResponse:
    agent = current_agent(request)
    conversation = selectors.get_conversation_for(agent, number)
    form = MergeForm(request.POST)
    if not form.is_valid():
        flash.error(request, "Give the number of the conversation to merge into.")
        return redirect(conversation_url(conversation))
    target = selectors.get_conversation_for(agent, form.cleaned_data["into"])
    try:
        services.merge_conversations(conversation, into=target, by=agent)
    except ValidationError as error:
        flash.error(request, " ".join(error.messages))
        return redirect(conversation_url(conversation))
    flash.success(request, f"Merged #{conversation.number} into this conversation.")
    return redirect(conversation_url(target))


@login_required
@require_POST
def split(request: HttpRequest, number: int, message_id: int) -> HttpResponse:
    agent = current_agent(request)
    conversation, message = message_of(agent, number, message_id)
    try:
        new = services.split_message(message, by=agent, subject=request.POST.get("subject", ""))
    except ValidationError as error:
        flash.error(request, " ".join(error.messages))
        return redirect(conversation_url(conversation))
    flash.success(request, f"Split the message into #{new.number}.")
    return redirect(conversation_url(new))
