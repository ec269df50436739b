"""Start a conversation: the agent writes first, to a customer on file or to a new address."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from goodwill.accounts.models import Team
from goodwill.accounts.policy import Action, require
from goodwill.conversations.forms import OutboundForm, send_first_message
from goodwill.conversations.services import open_outbound_conversation
from goodwill.conversations.views.common import current_agent
from goodwill.conversations.visibility import restricted_team_ids_hidden_from
from goodwill.customers.models import Customer
from goodwill.customers.services import find_or_create_customer_by_email


@login_required
@require_http_methods(["GET", "POST"])
def new_conversation(request: HttpRequest) -> HttpResponse:
    agent = current_agent(request)
    require(agent, Action.REPLY)
    teams = Team.objects.exclude(pk__in=restricted_team_ids_hidden_from(agent)).order_by("name")
    initial = {"customer": request.GET.get("customer") or None, "team": agent.teams.order_by("name").first()}
    form = OutboundForm(request.POST or None, initial=initial, teams=teams)
    customer = _customer_from(form.data.get("customer") if form.is_bound else initial["customer"])
    sent = send_first_message(
        request,
        form,
        lambda data: open_outbound_conversation(
            customer or find_or_create_customer_by_email(data["email"], name=data["name"]),
            by=agent,
            subject=data["subject"],
            text=data["text"],
            team=data["team"],
        ),
    )
    if sent is not None:
        return sent
    status = 400 if form.errors else 200
    return render(request, "conversations/new.html", {"form": form, "customer": customer}, status=status)


def _customer_from(raw: object) -> Customer | None:
    try:
        pk = int(str(raw))
    except (TypeError, ValueError):
        return None
    return Customer.objects.filter(pk=pk).first()
