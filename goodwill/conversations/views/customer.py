"""The customer page of the agent workspace: who they are and every conversation with them.

It lives here, not in `customers`, because it shows conversations: customers is the lower layer
and never imports conversations. Feature apps add to it through `panels.register_customer_panel`
(customer memory adds the timeline, facts and duplicate suggestions); without any, the page
shows the customer's latest events itself.
"""

from __future__ import annotations

import base64
from datetime import datetime

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from goodwill.accounts.models import Agent
from goodwill.accounts.policy import Action, allows, require
from goodwill.conversations.panels import MAIN, SIDEBAR, customer_page_panels
from goodwill.conversations.visibility import conversations_visible_to, restricted_team_ids_hidden_from
from goodwill.core.models import Event
from goodwill.customers.forms import CustomerForm
from goodwill.customers.models import Customer
from goodwill.customers.services import update_customer

CONVERSATIONS_SHOWN = 25
EVENTS_SHOWN = 30


def _events_for(agent: Agent, customer: Customer) -> list[Event]:
    """The customer's latest events, without those of conversations the agent may not see."""
    hidden = restricted_team_ids_hidden_from(agent)
    events = Event.objects.filter(customer=customer).select_related("actor", "conversation")
    if hidden:
        events = events.filter(
            Q(conversation__isnull=True)
            | Q(conversation__team__isnull=True)
            | ~Q(conversation__team_id__in=hidden)
        )
    return list(events.order_by("-created_at", "-id")[:EVENTS_SHOWN])


def _cursor(last_message_at: datetime, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{last_message_at.isoformat()}|{pk}".encode()).decode().rstrip("=")


def _after(text: str) -> tuple[datetime, int]:
    """Raises ValueError for a cursor this page did not make."""
    try:
        at, pk = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode().split("|")
        return datetime.fromisoformat(at), int(pk)
    except (ValueError, UnicodeDecodeError) as error:
        raise ValueError("Not a page cursor.") from error


@login_required
@require_http_methods(["GET", "POST"])
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agent: Agent = request.user  # type: ignore[assignment]
    customer = get_object_or_404(
        Customer.objects.select_related("organisation").prefetch_related("identities"), pk=pk
    )
    form = CustomerForm(instance=customer)
    if request.method == "POST":
        require(agent, Action.EDIT_CUSTOMER)
        form = CustomerForm(request.POST, instance=Customer.objects.get(pk=pk))
        if form.is_valid():
            try:
                update_customer(
                    customer, by=agent, **{name: form.cleaned_data[name] for name in form.changed_data}
                )
            except ValidationError as error:
                flash.error(request, " ".join(error.messages))
            else:
                flash.success(request, "Saved.")
                return redirect(reverse("conversations:customer", args=[customer.pk]))
    # Newest first, a page at a time (keyset on the (customer, last_message_at) index).
    conversations = (
        conversations_visible_to(agent)
        .filter(customer=customer)
        .select_related("assignee", "team")
        .order_by("-last_message_at", "-id")
    )
    before = request.GET.get("before", "")
    if before:
        try:
            at, last = _after(before)
        except ValueError:
            return HttpResponseBadRequest("That page link is broken: start again from the customer page.")
        conversations = conversations.filter(last_message_at__lte=at).exclude(
            last_message_at=at, id__gte=last
        )
    page = list(conversations[: CONVERSATIONS_SHOWN + 1])
    older = _cursor(page[-2].last_message_at, page[-2].pk) if len(page) > CONVERSATIONS_SHOWN else ""
    main_panels = customer_page_panels(MAIN, request, customer)
    return render(
        request,
        "conversations/customer.html",
        {
            "customer": customer,
            "form": form,
            "conversations": page[:CONVERSATIONS_SHOWN],
            "older_conversations": older,
            "paged": bool(before),
            "main_panels": main_panels,
            "sidebar_panels": customer_page_panels(SIDEBAR, request, customer),
            "events": [] if main_panels else _events_for(agent, customer),
            "can_edit": allows(agent, Action.EDIT_CUSTOMER),
        },
    )
