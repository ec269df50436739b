"""The customer page of the agent workspace: who they are and every conversation with them.

It lives here, not in `customers`, because it shows conversations: customers is the lower layer
and never imports conversations.
"""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from goodwill.accounts.models import Agent
from goodwill.accounts.policy import Action, allows, require
from goodwill.conversations.visibility import conversations_visible_to, restricted_team_ids_hidden_from
from goodwill.core.models import Event
from goodwill.customers.forms import CustomerForm
from goodwill.customers.models import Customer
from goodwill.customers.services import update_customer

CONVERSATIONS_SHOWN = 50
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


@login_required
@require_http_methods(["GET", "POST"])
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agent: Agent = request.user  # type: ignore[assignment]
    customer = get_object_or_404(Customer.objects.select_related("organisation"), pk=pk)
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
    conversations = list(
        conversations_visible_to(agent)
        .filter(customer=customer)
        .select_related("assignee", "team")
        .order_by("-last_message_at", "-id")[:CONVERSATIONS_SHOWN]
    )
    return render(
        request,
        "conversations/customer.html",
        {
            "customer": customer,
            "form": form,
            "conversations": conversations,
            "events": _events_for(agent, customer),
            "can_edit": allows(agent, Action.EDIT_CUSTOMER),
        },
    )
