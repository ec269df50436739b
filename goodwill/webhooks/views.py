"""Admins define webhooks, read their delivery log, send a test, switch them on and off."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from goodwill.accounts.models import Agent
from goodwill.accounts.policy import Action, require
from goodwill.webhooks import services
from goodwill.webhooks.forms import WebhookForm
from goodwill.webhooks.models import Webhook, WebhookAttempt, WebhookDelivery
from goodwill.webhooks.signing import REPLAY_WINDOW

LOG_SIZE = 50


def _admin(request: HttpRequest) -> Agent:
    agent: Agent = request.user  # type: ignore[assignment]
    require(agent, Action.ADMINISTER)
    return agent


@login_required
@require_GET
def webhook_list(request: HttpRequest) -> HttpResponse:
    _admin(request)
    return render(request, "webhooks/list.html", {"webhooks": Webhook.objects.all()})


@login_required
@require_http_methods(["GET", "POST"])
def webhook_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """New webhook, or the page of one: its settings, secret, and delivery log."""
    agent = _admin(request)
    webhook = get_object_or_404(Webhook, pk=pk) if pk is not None else None
    form = WebhookForm(request.POST or None, instance=webhook)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        if saved.created_by_id is None:
            saved.created_by = agent
        saved.save()
        messages.success(request, f"Saved the webhook “{saved.name}”.")
        return redirect("webhooks:detail", pk=saved.pk)
    deliveries = []
    if webhook is not None:
        deliveries = list(
            WebhookDelivery.objects.filter(webhook=webhook)
            .defer("body")
            .prefetch_related(Prefetch("attempt_log", queryset=WebhookAttempt.objects.order_by("number")))[
                :LOG_SIZE
            ]
        )
    context = {"webhook": webhook, "form": form, "deliveries": deliveries, "replay_window": REPLAY_WINDOW}
    return render(request, "webhooks/detail.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def send_test(request: HttpRequest, pk: int) -> HttpResponse:
    _admin(request)
    webhook = get_object_or_404(Webhook, pk=pk)
    services.send_test(webhook)
    messages.success(
        request, "Test queued: the worker sends it in a moment; its answer shows in the log below."
    )
    return redirect("webhooks:detail", pk=webhook.pk)


@login_required
@require_POST
def switch(request: HttpRequest, pk: int) -> HttpResponse:
    agent = _admin(request)
    webhook = get_object_or_404(Webhook, pk=pk)
    if request.POST.get("on") == "1":
        services.switch_on(webhook, by=agent)
        messages.success(request, f"Switched “{webhook.name}” on.")
    else:
        services.switch_off(webhook, by=agent)
        messages.success(request, f"Switched “{webhook.name}” off.")
    return redirect("webhooks:detail", pk=webhook.pk)


@login_required
@require_http_methods(["GET", "POST"])
def webhook_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _admin(request)
    webhook = get_object_or_404(Webhook, pk=pk)
    if request.method == "POST":
        webhook.delete()
        messages.success(request, f"Deleted the webhook “{webhook.name}”.")
        return redirect("webhooks:list")
    return render(request, "webhooks/delete.html", {"webhook": webhook})
