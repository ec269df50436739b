"""Pages of the data app: a customer's data (export, erase), retention, and the portal download."""

from __future__ import annotations

import tempfile

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from goodwill.accounts.models import Agent, Team
from goodwill.accounts.policy import Action, require
from goodwill.channels.portal import selectors as portal_selectors
from goodwill.channels.portal import services as portal_services
from goodwill.customers.models import Customer
from goodwill.data import retention as retention_service
from goodwill.data.erasure import erase_customer
from goodwill.data.export import CUSTOMER, TEAM, write_export
from goodwill.data.forms import ErasureForm, RetentionForm
from goodwill.data.models import Erasure, RetentionPolicy


def _zip_response(customer: Customer, audience: str) -> FileResponse:
    spool = tempfile.SpooledTemporaryFile(max_size=32 << 20)  # noqa: SIM115 - FileResponse closes it
    write_export(customer, spool, audience=audience)
    spool.seek(0)
    response = FileResponse(
        spool, as_attachment=True, filename=f"customer-{customer.pk}-data.zip", content_type="application/zip"
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def customer_data(request: HttpRequest, pk: int) -> HttpResponse:
    agent: Agent = request.user  # type: ignore[assignment]
    require(agent, Action.ADMINISTER)
    customer = get_object_or_404(Customer, pk=pk)
    form = ErasureForm()
    if request.method == "POST":
        form = ErasureForm(request.POST)
        if form.is_valid():
            erasure = erase_customer(
                customer, keep_conversations=form.cleaned_data["mode"] == "anonymise", actor=agent
            )
            flash.success(request, f"Customer erased ({erasure.get_mode_display().lower()}).")
            return redirect(reverse("conversations:inbox"))
    context = {
        "customer": customer,
        "form": form,
        "conversation_count": customer.conversations.count(),
        "erasures": Erasure.objects.all()[:10],
    }
    return render(request, "data/customer.html", context, status=422 if form.errors else 200)


@login_required
@require_GET
def customer_export(request: HttpRequest, pk: int) -> HttpResponseBase:
    require(request.user, Action.ADMINISTER)  # type: ignore[arg-type]
    customer = get_object_or_404(Customer, pk=pk)
    return _zip_response(customer, TEAM)


@login_required
@require_http_methods(["GET", "POST"])
def retention(request: HttpRequest) -> HttpResponse:
    agent: Agent = request.user  # type: ignore[assignment]
    require(agent, Action.ADMINISTER)
    teams: list[Team | None] = [None, *Team.objects.order_by("name")]
    policies = {policy.team_id: policy for policy in RetentionPolicy.objects.all()}
    rows = []
    status = 200
    for team in teams:
        team_id = team.pk if team else None
        policy = policies.get(team_id) or RetentionPolicy(team=team)
        prefix = f"team-{team_id or 'none'}"
        form = RetentionForm(instance=policy, prefix=prefix)
        if request.method == "POST" and request.POST.get("scope") == prefix:
            form = RetentionForm(request.POST, instance=policy, prefix=prefix)
            if form.is_valid():
                form.save()
                flash.success(
                    request, f"Retention saved for {policy.team or 'conversations without a team'}."
                )
                return redirect(reverse("data:retention"))
            status = 422
        report = retention_service.dry_run(policy) if policy.pk else None
        rows.append({"team": team, "prefix": prefix, "form": form, "policy": policy, "report": report})
    return render(request, "data/retention.html", {"rows": rows}, status=status)


@require_GET
def portal_export(request: HttpRequest) -> HttpResponseBase:
    """The signed-in portal customer downloads their own data (no notes, no internal records)."""
    customer = portal_selectors.customer_for_session(request.session.get(portal_services.SESSION_KEY))
    if customer is None:
        return redirect(reverse("portal:home"))
    return _zip_response(customer, CUSTOMER)
