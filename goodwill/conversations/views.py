"""Agent workspace: inbox, conversation page, composer. Thin: selectors read, services write."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST

from goodwill.accounts.models import Agent, Team
from goodwill.conversations import selectors, services
from goodwill.conversations.forms import (
    SORT_CHOICES,
    ComposerForm,
    InboxFilterForm,
    MergeForm,
    PropertiesForm,
    SavedViewForm,
)
from goodwill.conversations.models import (
    Attachment,
    ContactReason,
    Conversation,
    CustomField,
    Draft,
    Macro,
    Message,
)
from goodwill.conversations.panels import customer_panels
from goodwill.conversations.templatetags.workspace import format_long, format_short
from goodwill.conversations.timeline import TimelineContext, build_timeline, timeline_html, timeline_messages
from goodwill.core.http import HtmxHttpRequest
from goodwill.live.selectors import marker_of, others_replying

FILTER_KEYS = {
    "status",
    "priority",
    "channel",
    "assignee",
    "team",
    "tag",
    "need",
    "created_after",
    "created_before",
}


def _agent(request: HttpRequest) -> Agent:
    return request.user  # type: ignore[return-value]


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


# --- inbox -------------------------------------------------------------------------


@dataclass(frozen=True)
class InboxRow:
    """One inbox line, formatted in Python: much cheaper than template lookups per row."""

    number: int
    url: str
    subject: str
    customer: str
    status: str
    status_label: str
    priority: int
    priority_label: str
    team: str
    assignee: str
    tags: list[str]
    iso: str
    short: str
    long: str
    waiting: str


STATUS_LABELS = dict(Conversation.Status.choices)
PRIORITY_LABELS = dict(Conversation.Priority.choices)


def inbox_rows(conversations: list[Conversation]) -> list[InboxRow]:
    url = reverse("conversations:detail", args=[999999999]).replace("999999999", "{}")
    zone = timezone.get_current_timezone()
    today = timezone.localtime(timezone=zone).date()
    rows = []
    for c in conversations:
        last = c.last_message_at.astimezone(zone)
        rows.append(
            InboxRow(
                number=c.number,
                url=url.format(c.number),
                subject=c.subject,
                customer=c.customer.inbox_name,  # type: ignore[attr-defined]
                status=c.status,
                status_label=str(STATUS_LABELS.get(c.status, c.status)),
                priority=c.priority,
                priority_label=str(PRIORITY_LABELS.get(c.priority, c.priority)),
                team=c.team.name if c.team else "",
                assignee=c.assignee.display_name if c.assignee else "",
                tags=c.tag_names,  # type: ignore[attr-defined]
                iso=c.last_message_at.isoformat(),
                short=format_short(last, today),
                long=format_long(last),
                waiting=format_short(c.waiting_since.astimezone(zone), today) if c.waiting_since else "",
            )
        )
    return rows


def inbox_rows_html(rows: list[InboxRow], *, sort: str, selectable: bool) -> SafeString:
    """The <li> of every row. Built in Python because 50 rows through template nodes cost
    ~2 ms each on a small machine, which alone would break the 50 ms page budget."""
    parts = []
    for row in rows:
        number = str(row.number)
        checkbox = (
            f'<input type="checkbox" name="numbers" value="{number}" form="bulk-form" '
            f'aria-label="Select #{number}">'
            if selectable
            else ""
        )
        priority = (
            f'<span class="priority priority-{row.priority}">{escape(row.priority_label)}</span>'
            if row.priority >= Conversation.Priority.HIGH
            else ""
        )
        team = f'<span class="conv-team">{escape(row.team)}</span>' if row.team else ""
        tags = "".join(f'<span class="tag">{escape(tag)}</span>' for tag in row.tags)
        when = (
            f"waiting since {escape(row.waiting)}" if sort == "waiting" and row.waiting else escape(row.short)
        )
        parts.append(
            f'<li class="conv-row{" is-waiting" if row.waiting else ""}" data-number="{number}">{checkbox}'
            f'<a class="conv-link" href="{escape(row.url)}"><span class="conv-subject">{escape(row.subject)}</span>'
            f'<span class="conv-meta"><span class="conv-customer">{escape(row.customer)}</span>'
            f'<span class="conv-number">#{number}</span>'
            f'<span class="status status-{escape(row.status)}">{escape(row.status_label)}</span>{priority}{team}'
            f'<span class="conv-assignee">{escape(row.assignee or "Unassigned")}</span>{tags}</span></a>'
            f'<time class="conv-time" datetime="{escape(row.iso)}" title="{escape(row.long)}">{when}</time></li>'
        )
    return mark_safe("\n".join(parts))  # noqa: S308 - every value above is escaped


def assignable_agents() -> QuerySet[Agent]:
    """Lazy on purpose: the options are rendered in a cached template fragment."""
    return Agent.objects.active().exclude(role=Agent.Role.LIGHT).order_by("name", "email")


def agent_from_choice(value: str) -> Agent | None:
    """An agent picked by email in a type-ahead field; "nobody" or empty is None."""
    value = (value or "").strip().lower()
    if value in ("", "nobody", "none"):
        return None
    found = assignable_agents().filter(email=value).first()
    if found is None:
        raise ValidationError(f"No agent with the address {value}.")
    return found


@login_required
@require_GET
def inbox(request: HtmxHttpRequest) -> HttpResponse:
    agent = _agent(request)
    saved_view = None
    fan_out = None
    has_adhoc = any(key in request.GET for key in FILTER_KEYS) or any(
        key.startswith("cf_") for key in request.GET
    )
    form = InboxFilterForm(request.GET or None)
    form.is_valid()
    if request.GET.get("saved"):
        try:
            saved_view = selectors.get_saved_view_for(agent, int(request.GET["saved"]))
        except ValueError:
            raise Http404("No such view")
        where = selectors.filters_q(saved_view.filters, agent)
        sort = form.chosen_sort() or saved_view.sort
        title = saved_view.name
        current = f"saved-{saved_view.pk}"
    elif has_adhoc:
        where = selectors.filters_q(form.as_filters(), agent)
        sort = form.chosen_sort() or "recent"
        title = "Filtered conversations"
        current = "filter"
    else:
        slug = request.GET.get("view") or "mine"
        view = selectors.BUILT_IN_VIEWS.get(slug)
        if view is None:
            raise Http404("No such view")
        where = view.where(agent)
        fan_out = view.fan_out(agent) if view.fan_out else None
        sort = form.chosen_sort() or view.sort
        title = view.label
        current = slug
    page = selectors.inbox_page(
        agent, where=where, sort=sort, cursor=request.GET.get("after", ""), fan_out=fan_out
    )
    base_query = [
        (key, item) for key, items in request.GET.lists() for item in items if key not in ("after", "partial")
    ]
    query_without_cursor = urlencode(base_query)
    context: dict[str, Any] = {
        "page": page,
        "rows_html": inbox_rows_html(
            rows := inbox_rows(page.rows), sort=page.sort, selectable=not agent.is_light
        ),
        "rows": rows,
        "title": title,
        "current_view": current,
        "saved_view": saved_view,
        "sort": page.sort,
        "sort_choices": SORT_CHOICES,
        "query": query_without_cursor,
        "next_url": f"?{urlencode([*base_query, ('after', page.next_cursor)])}" if page.next_cursor else "",
        "is_later_page": bool(request.GET.get("after")),
        "this_url": request.get_full_path(),
    }
    if request.htmx and request.GET.get("partial") == "list":
        response = render(request, "conversations/inbox.html#inbox-list", context)
    else:
        # Counting is never done while the page waits: counts from the last few seconds
        # are shown at once, otherwise the page asks for them once it has loaded.
        counts = selectors.cached_view_counts(agent)
        context["counts_pending"] = counts is None
        counts = counts or {}
        context.update(
            {
                "views_with_counts": [
                    (view, counts.get(view.slug, "")) for view in selectors.BUILT_IN_VIEWS.values()
                ],
                "saved_views": list(selectors.saved_views_for(agent)),
                "filter_form": form,
                "show_filters": has_adhoc,
                "teams": list(Team.objects.all()),
                "agents": assignable_agents(),
                "needs": list(ContactReason.objects.filter(is_active=True).select_related("parent")),
                "statuses": Conversation.Status.choices,
                "priorities": Conversation.Priority.choices,
                "channels": Conversation.Channel.choices,
                "current_filters": form.as_filters() if has_adhoc else {},
            }
        )
        response = render(request, "conversations/inbox.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_GET
def view_counts(request: HttpRequest) -> HttpResponse:
    """The count of each view, built-in and saved, as out-of-band swaps the inbox asks for
    once it has loaded."""
    agent = _agent(request)
    views = list(selectors.saved_views_for(agent))
    spans = [(f"view-count-{slug}", count) for slug, count in selectors.view_counts(agent).items()]
    spans += [(f"saved-count-{pk}", count) for pk, count in selectors.saved_view_counts(agent, views).items()]
    html = "".join(
        f'<span id="{span_id}" class="count" hx-swap-oob="true" '
        f'aria-label="{escape(count)} conversations">{escape(count)}</span>'
        for span_id, count in spans
    )
    response = HttpResponse(html)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def save_view(request: HttpRequest) -> HttpResponse:
    agent = _agent(request)
    filters_form = InboxFilterForm(request.POST)
    view_form = SavedViewForm(request.POST)
    if not (filters_form.is_valid() and view_form.is_valid()):
        flash.error(request, "The view could not be saved: check its name and filters.")
        return redirect(reverse("conversations:inbox"))
    try:
        view = services.save_view(
            owner=agent,
            name=view_form.cleaned_data["name"],
            filters=filters_form.as_filters(),
            sort=view_form.cleaned_data["sort"],
            is_shared=view_form.cleaned_data["is_shared"],
        )
    except ValidationError as error:
        flash.error(request, " ".join(error.messages))
        return redirect(reverse("conversations:inbox"))
    flash.success(request, f"Saved the view “{view.name}”.")
    return redirect(f"{reverse('conversations:inbox')}?saved={view.pk}")


@login_required
@require_POST
def delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    agent = _agent(request)
    view = selectors.get_saved_view_for(agent, pk)
    if view.owner_id != agent.pk and not agent.is_admin:
        raise Http404("No such view")
    services.delete_view(view, by=agent)
    flash.success(request, f"Deleted the view “{view.name}”.")
    return redirect(reverse("conversations:inbox"))


@login_required
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    agent = _agent(request)
    back = _safe_next(request, reverse("conversations:inbox"))
    numbers = [int(value) for value in request.POST.getlist("numbers") if value.isdigit()]
    if not numbers:
        flash.error(request, "Choose one or more conversations first.")
        return redirect(back)
    conversations = list(
        selectors.conversations_visible_to(agent).filter(number__in=numbers[:500]).select_related("customer")
    )
    action = request.POST.get("action", "")
    assignee = None
    if action == "assign":
        try:
            assignee = agent_from_choice(request.POST.get("assignee", ""))
        except ValidationError as error:
            flash.error(request, " ".join(error.messages))
            return redirect(back)
    try:
        result = services.apply_bulk_action(
            conversations,
            by=agent,
            action=action,
            assignee=assignee,
            tag=request.POST.get("tag", ""),
            status=request.POST.get("status", ""),
        )
    except ValidationError as error:
        flash.error(request, " ".join(error.messages))
        return redirect(back)
    selectors.forget_view_counts(agent)
    flash.success(request, f"Updated {result.changed} conversation{'s' if result.changed != 1 else ''}.")
    return redirect(back)


# --- conversation page ----------------------------------------------------------------


def _timeline_context(
    request: HttpRequest, conversation: Conversation, stale_messages: list[Message] | None = None
) -> dict[str, Any]:
    """What the timeline (and the live marker of what it shows) needs."""
    agent = _agent(request)
    load_images_for = {int(value) for value in request.GET.getlist("images") if value.isdigit()}
    events = selectors.change_events_of(conversation)
    messages, attachments = timeline_messages(conversation)
    timeline = build_timeline(messages, events, load_images_for, attachments)
    last_message = timeline.last_message
    rendered_timeline = timeline_html(
        timeline,
        TimelineContext(
            conversation=conversation,
            customer_name=str(conversation.customer),
            can_edit=not agent.is_light,
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


def _properties_context(request: HttpRequest, conversation: Conversation) -> dict[str, Any]:
    """What the properties panel needs."""
    custom_fields = list(CustomField.objects.filter(is_active=True))
    return {
        "conversation": conversation,
        "can_edit": not _agent(request).is_light,
        "statuses": Conversation.Status.choices,
        "priorities": Conversation.Priority.choices,
        "need_met_choices": Conversation.NeedMet.choices,
        "teams": list(Team.objects.all()),
        "agents": assignable_agents(),
        "needs": list(ContactReason.objects.filter(is_active=True).select_related("parent")),
        "tags_text": ", ".join(tag.name for tag in conversation.tags.all()),
        "custom_fields": [
            {"field": field, "value": conversation.custom_fields.get(field.key, "")}
            for field in custom_fields
        ],
    }


def _detail_context(request: HttpRequest, conversation: Conversation, **extra: Any) -> dict[str, Any]:
    agent = _agent(request)
    context = _timeline_context(request, conversation, extra.get("stale_messages"))
    context.update(_properties_context(request, conversation))
    last_message = context.pop("last_message")
    draft = Draft.objects.filter(conversation=conversation, agent=agent).first()
    seen_message_id = extra.pop("seen_message_id", None)
    if seen_message_id is None:
        seen_message_id = last_message.pk if last_message else 0
    macros = selectors.macros_for(agent, conversation)
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
            "previous_conversations": selectors.previous_conversations(agent, conversation),
            "customer_panels": customer_panels(request, conversation),
            "merged_into": conversation.merged_into,
        }
    )
    context.update(extra)
    return context


@login_required
@require_GET
def detail(request: HtmxHttpRequest, number: int) -> HttpResponse:
    agent = _agent(request)
    conversation = selectors.get_conversation_for(agent, number)
    partial = request.GET.get("partial") if request.htmx else None
    if partial == "timeline":
        response = render(
            request, "conversations/detail.html#timeline", _timeline_context(request, conversation)
        )
    elif partial == "properties":
        response = render(
            request, "conversations/detail.html#properties", _properties_context(request, conversation)
        )
    else:
        response = render(request, "conversations/detail.html", _detail_context(request, conversation))
    patch_vary_headers(response, ["HX-Request"])
    return response


def _uploads(request: HttpRequest) -> list[services.NewAttachment]:
    return [
        services.NewAttachment(
            filename=upload.name or "attachment",
            content=upload.read(),
            content_type=upload.content_type or "application/octet-stream",
        )
        for upload in request.FILES.getlist("attachments")
    ]


SENT_MESSAGES = {
    "reply": "Reply sent.",
    "note": "Note added.",
    "phone": "Phone call logged.",
    "walk_in": "Walk-in logged.",
}


@login_required
@require_POST
def send(request: HttpRequest, number: int) -> HttpResponse:
    agent = _agent(request)
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
        context = _detail_context(
            request,
            conversation,
            composer_text=text,
            composer_kind=kind,
            composer_status=form.cleaned_data["status"] or "",
            collision_with=[person.name for person in replying],
            seen_message_id=form.cleaned_data["seen_message_id"],
        )
        return render(request, "conversations/detail.html", context, status=409)
    try:
        message = services.send_from_composer(
            conversation,
            by=agent,
            kind=kind,
            text=text,
            seen_message_id=form.cleaned_data["seen_message_id"],
            status=form.cleaned_data["status"] or "",
            attachments=_uploads(request),
        )
    except services.StaleDraftError as stale:
        context = _detail_context(
            request,
            conversation,
            seen_message_id=stale.unseen[-1].pk,
            composer_text=text,
            composer_kind=kind,
            stale_messages=stale.unseen,
            composer_status=form.cleaned_data["status"] or "",
        )
        response = render(request, "conversations/detail.html", context, status=409)
        return response
    except ValidationError as error:
        flash.error(request, " ".join(error.messages))
        return redirect(conversation_url(conversation))
    selectors.forget_view_counts(agent)
    flash.success(request, SENT_MESSAGES.get(kind, "Saved."))
    return redirect(f"{conversation_url(conversation)}#m{message.pk}")


@login_required
@require_POST
def save_draft(request: HtmxHttpRequest, number: int) -> HttpResponse:
    agent = _agent(request)
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
@require_POST
def update_properties(request: HtmxHttpRequest, number: int) -> HttpResponse:
    agent = _agent(request)
    conversation = selectors.get_conversation_for(agent, number)
    if agent.is_light:
        raise PermissionDenied("Light agents can add internal notes only.")
    form = PropertiesForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            _apply_properties(conversation, form, request.POST, agent)
        except ValidationError as problem:
            error = " ".join(problem.messages)
    else:
        error = "; ".join(
            f"{form.fields[name].label or name.title() if name in form.fields else name}: "
            f"{' '.join(str(error) for error in errors)}"
            for name, errors in form.errors.items()
        )
    selectors.forget_view_counts(agent)
    if request.htmx:
        conversation = selectors.get_conversation_for(agent, number)
        context = {**_properties_context(request, conversation), "properties_error": error}
        response = render(request, "conversations/detail.html#properties", context)
        response["HX-Trigger"] = "goodwill:new-message"
        return response
    if error:
        flash.error(request, f"Not saved: {error}")
    else:
        flash.success(request, "Saved.")
    return redirect(conversation_url(conversation))


def _apply_properties(conversation: Conversation, form: PropertiesForm, posted: Any, agent: Agent) -> None:
    """Call the service of each field the form sent; services skip unchanged values. All or nothing."""
    with transaction.atomic():
        _apply_each_property(conversation, form, posted, agent)


def _apply_each_property(conversation: Conversation, form: PropertiesForm, posted: Any, agent: Agent) -> None:
    data = form.cleaned_data
    if "subject" in posted and data["subject"]:
        services.set_subject(conversation, data["subject"], by=agent)
    if "status" in posted and data["status"]:
        services.change_status(conversation, data["status"], by=agent)
    if "priority" in posted and data["priority"]:
        services.set_priority(conversation, data["priority"], by=agent)
    if "assignee" in posted:
        services.assign_conversation(conversation, to=agent_from_choice(data["assignee"]), by=agent)
    if "team" in posted:
        services.set_team(conversation, data["team"], by=agent)
    if "need" in posted:
        services.set_need(conversation, data["need"], by=agent)
    if "need_met" in posted:
        services.set_need_met(conversation, data["need_met"], by=agent)
    if "tags" in posted:
        services.set_tags(conversation, data["tags"].split(","), by=agent)
    custom = {
        field.key: data[f"cf_{field.key}"] for field in form.custom_fields if f"cf_{field.key}" in posted
    }
    if custom:
        services.set_custom_fields(conversation, custom, by=agent)


@login_required
@require_POST
def merge(request: HttpRequest, number: int) -> HttpResponse:
    agent = _agent(request)
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


def _message_of(agent: Agent, number: int, message_id: int) -> tuple[Conversation, Message]:
    conversation = selectors.get_conversation_for(agent, number)
    message = get_object_or_404(Message, pk=message_id, conversation=conversation)
    return conversation, message


@login_required
@require_POST
def split(request: HttpRequest, number: int, message_id: int) -> HttpResponse:
    agent = _agent(request)
    conversation, message = _message_of(agent, number, message_id)
    try:
        new = services.split_message(message, by=agent, subject=request.POST.get("subject", ""))
    except ValidationError as error:
        flash.error(request, " ".join(error.messages))
        return redirect(conversation_url(conversation))
    flash.success(request, f"Split the message into #{new.number}.")
    return redirect(conversation_url(new))


@login_required
@require_GET
def raw_message(request: HttpRequest, number: int, message_id: int) -> HttpResponseBase:
    agent = _agent(request)
    _conversation, message = _message_of(agent, number, message_id)
    if not message.raw_path or not default_storage.exists(message.raw_path):
        raise Http404("No original for this message")
    return FileResponse(
        default_storage.open(message.raw_path, "rb"),
        as_attachment=True,
        filename=f"message-{message.pk}.eml",
        content_type="message/rfc822",
    )


INLINE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf")


@login_required
@require_GET
@xframe_options_sameorigin
def attachment(request: HttpRequest, number: int, attachment_id: int) -> HttpResponseBase:
    agent = _agent(request)
    conversation = selectors.get_conversation_for(agent, number)
    item = get_object_or_404(Attachment, pk=attachment_id, message__conversation=conversation)
    inline = request.GET.get("inline") == "1" and item.content_type in INLINE_TYPES
    response = FileResponse(
        item.file.open("rb"),
        as_attachment=not inline,
        filename=item.filename,
        content_type=item.content_type if inline else "application/octet-stream",
    )
    if item.content_type != "application/pdf":
        # Browsers' PDF viewers need their own scripts; images and downloads need nothing.
        response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    return response


def conversation_url(conversation: Conversation) -> str:
    return reverse("conversations:detail", args=[conversation.number])


@login_required
@require_GET
def macro_text(request: HttpRequest, number: int, macro_id: int) -> HttpResponse:
    """A macro's text filled in for this conversation (for scripts; the page embeds them too)."""
    agent = _agent(request)
    conversation = selectors.get_conversation_for(agent, number)
    macro = get_object_or_404(Macro, Q(owner__isnull=True) | Q(owner=agent), pk=macro_id, is_active=True)
    if not agent.can_reply and macro.kind == Message.Kind.REPLY:
        raise PermissionDenied("Light agents can add internal notes only.")
    text = services.render_macro(macro, conversation=conversation, agent=agent)
    return HttpResponse(text, content_type="text/plain; charset=utf-8")
