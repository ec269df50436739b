"""Customer memory pages and form posts: facts, the timeline, merges, organisations."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from goodwill.accounts.models import Agent
from goodwill.accounts.policy import Action, allows, require
from goodwill.conversations.models import Message
from goodwill.conversations.visibility import can_see_conversation, get_conversation_for
from goodwill.customers.models import Customer, Organisation
from goodwill.memory.forms import FactForm, MergeForm
from goodwill.memory.merge import merge_customers
from goodwill.memory.models import Fact
from goodwill.memory.organisations import organisation_page
from goodwill.memory.panels import DRAFT_KEY
from goodwill.memory.rules import find_date, suggest_category
from goodwill.memory.selectors import get_fact_for
from goodwill.memory.services import add_fact, edit_fact, mark_outdated
from goodwill.memory.timeline import Cursor, customer_timeline


def _agent(request: HttpRequest) -> Agent:
    return request.user  # type: ignore[return-value]


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(fallback)


def _errors(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return " ".join(message for messages in error.message_dict.values() for message in messages)
    return " ".join(error.messages)


def _source(request: HttpRequest, form: FactForm) -> tuple[Message | None, object]:
    """The message (and its conversation) a fact was learned from, if the agent may see it."""
    agent = _agent(request)
    message_id, number = form.cleaned_data.get("message"), form.cleaned_data.get("conversation")
    message = conversation = None
    if message_id:
        message = (
            Message.objects.select_related("conversation", "conversation__team").filter(pk=message_id).first()
        )
        if message is None or not can_see_conversation(agent, message.conversation):
            raise Http404("No such message")
        conversation = message.conversation
    elif number:
        conversation = get_conversation_for(agent, number)
    return message, conversation


@login_required
@require_POST
def add(request: HttpRequest, pk: int) -> HttpResponse:
    agent = _agent(request)
    customer = get_object_or_404(Customer, pk=pk)
    fallback = reverse("conversations:customer", args=[pk])
    require(agent, Action.EDIT_CUSTOMER)
    form = FactForm(request.POST)
    if not form.is_valid():
        request.session[DRAFT_KEY] = {
            key: request.POST.get(key, "") for key in ("category", "text", "date", "message")
        }
        flash.error(
            request, "Not saved: " + " ".join(str(e) for errors in form.errors.values() for e in errors)
        )
        return _back(request, fallback)
    message, conversation = _source(request, form)
    data = form.cleaned_data
    try:
        add_fact(
            customer,
            category=data["category"],
            text=data["text"],
            date=data["date"],
            by=agent,
            message=message,
            conversation=conversation,  # type: ignore[arg-type]
            is_shareable=data["is_shareable"],
        )
    except ValidationError as error:
        request.session[DRAFT_KEY] = {
            key: request.POST.get(key, "") for key in ("category", "text", "date", "message")
        }
        flash.error(request, f"Not saved: {_errors(error)}")
    else:
        flash.success(request, "Remembered.")
    return _back(request, fallback)


@login_required
@require_GET
def fact_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One fact: where it was learned, its earlier wording, and (for agents) the edit form."""
    agent = _agent(request)
    fact = get_fact_for(agent, pk)
    fact = Fact.objects.select_related(
        "customer", "learned_by", "outdated_by", "source_conversation", "team"
    ).get(pk=fact.pk)
    context = {
        "fact": fact,
        "revisions": fact.revisions.select_related("changed_by"),
        "categories": Fact.Category.choices,
        "can_edit": allows(agent, Action.EDIT_CUSTOMER),
    }
    return render(request, "memory/fact.html", context)


@login_required
@require_POST
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    agent = _agent(request)
    fact = get_fact_for(agent, pk)
    fallback = reverse("memory:fact", args=[fact.pk])
    form = FactForm(request.POST)
    if not form.is_valid():
        flash.error(
            request, "Not saved: " + " ".join(str(e) for errors in form.errors.values() for e in errors)
        )
        return _back(request, fallback)
    data = form.cleaned_data
    try:
        edit_fact(
            fact,
            by=agent,
            category=data["category"],
            text=data["text"],
            date=data["date"],
            is_shareable=data["is_shareable"],
        )
    except ValidationError as error:
        flash.error(request, f"Not saved: {_errors(error)}")
    else:
        flash.success(request, "Fact updated; the earlier wording is kept in its history.")
    return _back(request, fallback)


@login_required
@require_POST
def outdated(request: HttpRequest, pk: int) -> HttpResponse:
    agent = _agent(request)
    fact = get_fact_for(agent, pk)
    mark_outdated(fact, by=agent, outdated=request.POST.get("outdated", "1") != "0")
    return _back(request, reverse("conversations:customer", args=[fact.customer_id]))


@login_required
@require_GET
def suggest(request: HttpRequest) -> JsonResponse:
    """The category (and date) the offline rules suggest for selected text."""
    text = request.GET.get("text", "")[:500]
    today = timezone.localdate(timezone=_agent(request).zone)
    found = find_date(text, today=today)
    return JsonResponse(
        {"category": suggest_category(text, today=today), "date": found.isoformat() if found else ""}
    )


@login_required
@require_GET
def timeline(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_object_or_404(Customer, pk=pk)
    cursor = None
    if request.GET.get("cursor"):
        try:
            cursor = Cursor.decode(request.GET["cursor"])
        except ValueError:
            return HttpResponseBadRequest("That page link is broken: start again from the customer page.")
    entries, following = customer_timeline(_agent(request), customer, cursor=cursor)
    context = {
        "customer": customer,
        "panel": {
            "entries": entries,
            "cursor": cursor,
            "next_url": f"{reverse('memory:timeline', args=[pk])}?cursor={following.encode()}"
            if following
            else "",
        },
    }
    template = "memory/_timeline_items.html" if request.htmx else "memory/timeline.html"  # type: ignore[attr-defined]
    response = render(request, template, context)
    response["Vary"] = "HX-Request"
    return response


@login_required
@require_POST
def merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Fold customer `other` into customer `pk` (the survivor)."""
    agent = _agent(request)
    require(agent, Action.EDIT_CUSTOMER)
    survivor = get_object_or_404(Customer, pk=pk)
    form = MergeForm(request.POST)
    page = reverse("conversations:customer", args=[pk])
    if not form.is_valid():
        flash.error(request, "Not merged: give the id of the customer record to merge into this one.")
        return redirect(page)
    other = Customer.objects.filter(pk=form.cleaned_data["other"]).first()
    if other is None:
        flash.error(request, "Not merged: there is no customer with that id (already merged?).")
        return redirect(page)
    try:
        record = merge_customers(survivor, other, by=agent, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        flash.error(request, f"Not merged: {_errors(error)}")
    else:
        moved = sum(record.moved.values())
        flash.success(
            request,
            f"Merged {record.merged_name or 'the other record'} into this customer ({moved} rows moved).",
        )
    return redirect(page)


@login_required
@require_GET
def organisation(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_object_or_404(Organisation, pk=pk)
    try:
        context = organisation_page(
            _agent(request),
            org,
            people_after=request.GET.get("people", ""),
            conversations_after=request.GET.get("conversations", ""),
        )
    except ValueError:
        return HttpResponseBadRequest("That page link is broken: start again from the organisation page.")
    return render(request, "memory/organisation.html", context)
