"""Thin views: schedule a call-back from a conversation, log the call, or cancel it."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from goodwill.accounts.models import Agent
from goodwill.callbacks import services
from goodwill.callbacks.forms import CancelForm, LogCallForm, ScheduleForm
from goodwill.callbacks.models import CallBack
from goodwill.conversations.visibility import get_conversation_for


def _back(conversation_number: int) -> HttpResponse:
    return redirect(f"{reverse('conversations:detail', args=[conversation_number])}#callbacks")


def _callback_for(agent: Agent, pk: int) -> CallBack:
    callback = CallBack.objects.select_related("conversation", "customer").filter(pk=pk).first()
    if callback is None:
        raise Http404("No such call-back")
    get_conversation_for(agent, callback.conversation.number)  # 404 unless the agent may see it
    return callback


@login_required
@require_POST
def schedule(request: HttpRequest, number: int) -> HttpResponse:
    agent: Agent = request.user  # type: ignore[assignment]
    conversation = get_conversation_for(agent, number)
    form = ScheduleForm(request.POST, conversation=conversation)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.schedule_callback(
                conversation, by=agent, due_at=data["due_at"], phone=data["phone"], owner=data["owner"],
                note=data["note"], confirm_to_customer=data["confirm_to_customer"],
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            flash.success(request, "Call-back scheduled.")
            return _back(number)
    context = {"conversation": conversation, "form": form}
    return render(request, "callbacks/schedule.html", context, status=400)


@login_required
@require_POST
def log_call(request: HttpRequest, pk: int) -> HttpResponse:
    agent: Agent = request.user  # type: ignore[assignment]
    callback = _callback_for(agent, pk)
    form = LogCallForm(request.POST)
    if form.is_valid():
        try:
            services.log_call(callback, by=agent, text=form.cleaned_data["text"])
        except ValidationError as error:
            flash.error(request, " ".join(error.messages))
        else:
            flash.success(request, "Call logged; the call-back is closed.")
    else:
        flash.error(request, "Say what the call was about.")
    return _back(callback.conversation.number)


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    agent: Agent = request.user  # type: ignore[assignment]
    callback = _callback_for(agent, pk)
    form = CancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.cancel_callback(callback, by=agent, reason=reason)
    except ValidationError as error:
        flash.error(request, " ".join(error.messages))
    else:
        flash.success(request, "Call-back cancelled.")
    return _back(callback.conversation.number)
