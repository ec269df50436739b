"""Pages of the data app: a customer's data (export, erase), retention, and the portal download."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from goodwill.accounts.models import Agent, Team
from goodwill.accounts.policy import Action, require
from goodwill.channels.portal import selectors as portal_selectors
from goodwill.channels.portal import services as portal_services
from goodwill.customers.models import Customer
from goodwill.data import export_files
from goodwill.data import retention as retention_service
from goodwill.data.erasure import erase_customer
from goodwill.data.export import CUSTOMER, TEAM
from goodwill.data.forms import ErasureForm, RetentionForm
from goodwill.data.models import DataExport, Erasure, RetentionPolicy


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
        **_exports_context(customer),
    }
    return render(request, "data/customer.html", context, status=422 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def customer_exports(request: HttpRequest, pk: int) -> HttpResponse:
    """The export list (polled by htmx while one is being prepared); POST asks for a new one."""
    agent: Agent = request.user  # type: ignore[assignment]
    require(agent, Action.ADMINISTER)
    customer = get_object_or_404(Customer, pk=pk)
    if request.method == "POST":
        export_files.request_export(customer, audience=TEAM, by=agent)
        if not request.htmx:  # type: ignore[attr-defined]
            flash.success(request, "Export requested: it is prepared in the background and listed below.")
            return redirect(reverse("data:customer", args=[customer.pk]) + "#export-title")
    response = render(request, "data/_exports.html", {"customer": customer, **_exports_context(customer)})
    response["Vary"] = "HX-Request"
    return response


def _exports_context(customer: Customer) -> dict[str, object]:
    exports = export_files.latest_exports(customer, TEAM)
    return {"exports": exports, "pending": any(export.is_pending for export in exports)}


def _file_response(export: DataExport) -> FileResponse:
    name = export.file.name or ""
    if not export_files.downloadable(export) or not default_storage.exists(name):
        raise Http404("This export is not ready, or has expired.")
    response = FileResponse(
        default_storage.open(name, "rb"),
        as_attachment=True,
        filename=f"customer-{export.customer_id}-data.zip",
        content_type="application/zip",
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def export_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A team export's ZIP, for admins only; a customer's own export is never served here."""
    require(request.user, Action.ADMINISTER)  # type: ignore[arg-type]
    export = get_object_or_404(DataExport, pk=pk, audience=TEAM)
    return _file_response(export)


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
            if not form.is_valid():
                status = 422
            elif retention_service.save_policy(form):
                flash.success(
                    request, f"Retention saved for {policy.team or 'conversations without a team'}."
                )
                return redirect(reverse("data:retention"))
            else:
                status = 409  # another admin saved this scope's first policy meanwhile
        report = retention_service.dry_run(policy) if policy.pk else None
        rows.append({"team": team, "prefix": prefix, "form": form, "policy": policy, "report": report})
    return render(request, "data/retention.html", {"rows": rows}, status=status)


def _portal_customer(request: HttpRequest) -> Customer | None:
    return portal_selectors.customer_for_session(request.session.get(portal_services.SESSION_KEY))


@require_http_methods(["GET", "POST"])
def portal_export(request: HttpRequest) -> HttpResponse:
    """The signed-in portal customer asks for their own data (no notes, no internal records),
    sees it being prepared, and downloads it when ready."""
    customer = _portal_customer(request)
    if customer is None:
        return redirect(reverse("portal:home"))
    if request.method == "POST":
        export_files.request_export(customer, audience=CUSTOMER)
        return redirect(reverse("data:portal_export"))
    exports = export_files.latest_exports(customer, CUSTOMER, limit=3)
    context = {"customer": customer, "exports": exports, "pending": any(e.is_pending for e in exports)}
    response = render(request, "data/portal_export.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def portal_export_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Only the customer's own portal export, to that customer's session; anything else is a 404."""
    customer = _portal_customer(request)
    if customer is None:
        return redirect(reverse("portal:home"))
    export = get_object_or_404(DataExport, pk=pk, audience=CUSTOMER, customer=customer)
    return _file_response(export)
