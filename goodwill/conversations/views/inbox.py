"""The inbox: the list and its rows, view counts, saved views and bulk actions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET, require_POST

from goodwill.accounts.models import Agent
from goodwill.accounts.policy import Action, allows
from goodwill.conversations import counts, navigation, selectors, services
from goodwill.conversations.badges import ROW, Badge, badges_for, badges_html
from goodwill.conversations.forms import SORT_CHOICES, InboxFilterForm, SavedViewForm
from goodwill.conversations.inbox_rows import InboxConversation
from goodwill.conversations.models import Conversation
from goodwill.conversations.templatetags.workspace import format_long, format_short
from goodwill.conversations.views import inbox_nav
from goodwill.conversations.views.common import agent_from_choice, assignable_agents, current_agent, safe_next
from goodwill.core.http import HtmxHttpRequest

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
    badges: tuple[Badge, ...] = ()


STATUS_LABELS = dict(Conversation.Status.choices)
PRIORITY_LABELS = dict(Conversation.Priority.choices)


def inbox_rows(conversations: list[InboxConversation]) -> list[InboxRow]:
    url = reverse("conversations:detail", args=[999999999]).replace("999999999", "{}")
    zone = timezone.get_current_timezone()
    today = timezone.localtime(timezone=zone).date()
    badges = badges_for(ROW, [c.pk for c in conversations])
    rows = []
    for c in conversations:
        last = c.last_message_at.astimezone(zone)
        rows.append(
            InboxRow(
                number=c.number,
                url=url.format(c.number),
                subject=c.subject,
                customer=c.customer_name,
                status=c.status,
                status_label=str(STATUS_LABELS.get(c.status, c.status)),
                priority=c.priority,
                priority_label=str(PRIORITY_LABELS.get(c.priority, c.priority)),
                team=c.team_name,
                assignee=c.assignee_name,
                tags=c.tag_names,
                iso=c.last_message_at.isoformat(),
                short=format_short(last, today),
                long=format_long(last),
                waiting=format_short(c.waiting_since.astimezone(zone), today) if c.waiting_since else "",
                badges=tuple(badges.get(c.pk, ())),
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
            f'<span class="status status-{escape(row.status)}">{escape(row.status_label)}</span>{priority}'
            f"{badges_html(row.badges)}{team}"
            f'<span class="conv-assignee">{escape(row.assignee or "Unassigned")}</span>{tags}</span></a>'
            f'<time class="conv-time" datetime="{escape(row.iso)}" title="{escape(row.long)}">{when}</time></li>'
        )
    return mark_safe("\n".join(parts))  # noqa: S308 - every value above is escaped


@login_required
@require_GET
def inbox(request: HtmxHttpRequest) -> HttpResponse:
    agent = current_agent(request)
    saved_view = None
    fan_out = None
    has_adhoc = any(key in request.GET for key in (*FILTER_KEYS, *selectors.INBOX_FILTERS)) or any(
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
            rows := inbox_rows(page.rows), sort=page.sort, selectable=allows(agent, Action.BULK_EDIT)
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
        context.update(_navigation_context(request, agent, form, has_adhoc, context))
        response = render(request, "conversations/inbox.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _navigation_context(
    request: HtmxHttpRequest, agent: Agent, form: InboxFilterForm, has_adhoc: bool, context: dict[str, Any]
) -> dict[str, Any]:
    """The full page's views, counts and filter form (a list refresh needs none of it)."""
    # Counting is never done while the page waits: counts from the last few seconds
    # are shown at once, otherwise the page asks for them once it has loaded.
    cached = counts.cached_view_counts(agent)
    shown = cached or {}
    saved_views = navigation.saved_view_links(agent)
    views_with_counts = [(view, shown.get(view.slug, "")) for view in selectors.BUILT_IN_VIEWS.values()]
    token = get_token(request)
    return {
        "views_with_counts": views_with_counts,
        "views_nav": inbox_nav.views_nav_html(
            views_with_counts=views_with_counts,
            current_view=context["current_view"],
            saved_views=saved_views,
            saved_view=context["saved_view"],
            agent=agent,
            counts_pending=cached is None,
            csrf_token=token,
        ),
        "filter_box": inbox_nav.filter_form_html(
            show_filters=has_adhoc,
            current_filters=form.as_filters() if has_adhoc else {},
            teams=navigation.team_choices(),
            needs=navigation.need_choices(),
            filter_form=form,
            query=request.GET,
            sort=context["sort"],
            agent=agent,
            csrf_token=token,
        ),
        "agents": assignable_agents(),
        "statuses": Conversation.Status.choices,
    }


@login_required
@require_GET
def view_counts(request: HttpRequest) -> HttpResponse:
    """The count of each view, built-in and saved, as out-of-band swaps the inbox asks for
    once it has loaded."""
    agent = current_agent(request)
    views = list(selectors.saved_views_for(agent))
    spans = [(f"view-count-{slug}", count) for slug, count in counts.view_counts(agent).items()]
    spans += [(f"saved-count-{pk}", count) for pk, count in counts.saved_view_counts(agent, views).items()]
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
    agent = current_agent(request)
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
    agent = current_agent(request)
    view = selectors.get_saved_view_for(agent, pk)
    if view.owner_id != agent.pk and not agent.is_admin:
        raise Http404("No such view")
    services.delete_view(view, by=agent)
    flash.success(request, f"Deleted the view “{view.name}”.")
    return redirect(reverse("conversations:inbox"))


@login_required
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    agent = current_agent(request)
    back = safe_next(request, reverse("conversations:inbox"))
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
    counts.forget_view_counts(agent)
    flash.success(request, f"Updated {result.changed} conversation{'s' if result.changed != 1 else ''}.")
    return redirect(back)
