"""The customer portal: magic-link sign-in, the customer's conversations, replies and new requests.

Customers are not Django users: the signed-in customer's id lives in the session under
its own key, so an agent signed in in the same browser is untouched.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.contrib import messages as flash
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.forms import Form
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from goodwill.channels.portal import selectors, services
from goodwill.channels.portal.forms import NewRequestForm, ReplyForm, SignInForm
from goodwill.conversations.services import NewAttachment
from goodwill.core import uploads
from goodwill.core.http import UNKNOWN_CLIENT, client_ip
from goodwill.customers.models import Customer
from goodwill.promises.selectors import portal_promises
from goodwill.voice.services import portal_survey

PAGE_SIZE = 20

View = Callable[..., HttpResponseBase]


def _client_ip(request: HttpRequest) -> str | None:
    """The client's address for per-IP limits (proxy-aware, GOODWILL_TRUSTED_PROXIES); None if unknown."""
    ip = client_ip(request)
    return None if ip == UNKNOWN_CLIENT else ip


def _signed_in_customer(request: HttpRequest) -> Customer | None:
    return selectors.customer_for_session(request.session.get(services.SESSION_KEY))


def _show_times_for(customer: Customer) -> None:
    """Times in the customer's own zone when known; the middleware resets it after the request."""
    if not customer.time_zone:
        return
    try:
        timezone.activate(ZoneInfo(customer.time_zone))
    except (ZoneInfoNotFoundError, ValueError):
        return


def customer_required(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        customer = _signed_in_customer(request)
        if customer is None:
            return redirect("portal:home")
        _show_times_for(customer)
        return view(request, customer, *args, **kwargs)

    return wrapper


ResponseType = TypeVar("ResponseType", bound=HttpResponseBase)


def _no_store(response: ResponseType) -> ResponseType:
    response["Cache-Control"] = "private, no-store"
    # Keeps the sign-in token out of other sites' logs; "no-referrer" would make the
    # browser send "Origin: null" with the confirm form, which CSRF checks refuse.
    response["Referrer-Policy"] = "same-origin"
    return response


def _attachments(files: list[UploadedFile]) -> list[NewAttachment]:
    return [
        NewAttachment(
            filename=(upload.name or "attachment")[-200:],
            content=upload.read(),
            content_type=upload.content_type or "application/octet-stream",
        )
        for upload in files
    ]


@require_http_methods(["GET", "POST"])
def home(request: HttpRequest) -> HttpResponse:
    customer = _signed_in_customer(request)
    if customer is not None:
        _show_times_for(customer)
        return conversation_list(request, customer)
    form = SignInForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.request_sign_in_link(form.cleaned_data["email"], ip=_client_ip(request))
        except services.TooManyRequests:
            form.add_error(None, "Too many sign-in links were asked for. Please try again in an hour.")
            status = 429
        else:
            return redirect("portal:link_sent")
    return render(request, "portal/sign_in.html", {"form": form}, status=status)


@require_GET
def link_sent(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/link_sent.html",
        {"minutes": int(services.LINK_LIFETIME.total_seconds() // 60)},
    )


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest, token: str) -> HttpResponse:
    """GET only asks to confirm: mail scanners that follow links must not use them up."""
    if request.method == "POST":
        customer = services.redeem_sign_in_link(token)
        if customer is not None:
            request.session.cycle_key()
            request.session[services.SESSION_KEY] = customer.pk
            return redirect("portal:home")
        return _no_store(render(request, "portal/link_invalid.html", status=410))
    if not services.link_is_usable(token):
        return _no_store(render(request, "portal/link_invalid.html", status=410))
    return _no_store(render(request, "portal/confirm_sign_in.html"))


@require_http_methods(["GET", "POST"])
def staff_sign_in(request: HttpRequest) -> HttpResponse:
    """Colleagues with a Goodwill account open the portal as themselves (an internal customer)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if request.method == "POST":
        customer = services.colleague_for_agent(request.user)  # type: ignore[arg-type]
        request.session[services.SESSION_KEY] = customer.pk
        return redirect("portal:new")
    return _no_store(render(request, "portal/staff_sign_in.html", {"agent": request.user}))


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    request.session.pop(services.SESSION_KEY, None)
    request.session.cycle_key()
    flash.success(request, "You are signed out.")
    return redirect("portal:home")


def conversation_list(request: HttpRequest, customer: Customer) -> HttpResponse:
    paginator = Paginator(selectors.conversations_of(customer), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    rows = [(conversation, selectors.status_words(conversation.status)) for conversation in page]
    return _no_store(render(request, "portal/list.html", {"customer": customer, "page": page, "rows": rows}))


FormType = TypeVar("FormType", bound=Form)

TOO_MANY_POSTS = (
    "You have sent a lot in the last hour. Please wait a little and send again; "
    "your text is kept below."
)


def _posted_form(
    request: HttpRequest, customer: Customer, form_class: type[FormType], **form_kwargs: Any
) -> tuple[FormType, int]:
    """The submitted form, or with its text kept and why it was refused: 429 too often, 413 too big."""
    try:
        services.count_post(customer, ip=_client_ip(request))
        uploads.accepted_files(request, "attachments")
    except services.TooManyRequests:
        refused, status = TOO_MANY_POSTS, 429
    except uploads.UploadRefused as error:
        refused, status = " ".join(error.messages) + " Your text is kept below.", 413
    else:
        return form_class(request.POST, request.FILES, **form_kwargs), 200
    form = form_class(request.POST, **form_kwargs)  # the text only: refused files are not kept
    form.add_error(None, refused)
    return form, status


@require_http_methods(["GET", "POST"])
@customer_required
def new_request(request: HttpRequest, customer: Customer) -> HttpResponse:
    teams = services.teams_for_internal_requests() if customer.is_internal else []
    form, status = NewRequestForm(teams=teams), 200
    if request.method == "POST":
        form, status = _posted_form(request, customer, NewRequestForm, teams=teams)
    if status == 200 and form.is_bound and form.is_valid():
        try:
            conversation = services.start_request(
                customer,
                subject=form.cleaned_data["subject"],
                text=form.cleaned_data["text"],
                attachments=_attachments(form.cleaned_data["attachments"]),
                team=form.cleaned_data.get("team"),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            flash.success(request, f"Thank you. Your request #{conversation.number} has reached us.")
            return redirect("portal:conversation", number=conversation.number)
    context = {"customer": customer, "form": form}
    return _no_store(render(request, "portal/new_request.html", context, status=status))


@require_http_methods(["GET", "POST"])
@customer_required
def conversation(request: HttpRequest, customer: Customer, number: int) -> HttpResponse:
    found = selectors.get_conversation_of(customer, number)
    if found.number != number:
        return redirect("portal:conversation", number=found.number)
    form, status = ReplyForm(), 200
    if request.method == "POST":
        form, status = _posted_form(request, customer, ReplyForm)
    if status == 200 and form.is_bound and form.is_valid():
        try:
            services.reply_from_portal(
                found,
                customer=customer,
                text=form.cleaned_data["text"],
                attachments=_attachments(form.cleaned_data["attachments"]),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            flash.success(request, "Your reply has been sent.")
            return redirect("portal:conversation", number=found.number)
    context = {
        "customer": customer,
        "conversation": found,
        "status_words": selectors.status_words(found.status),
        "messages_list": selectors.public_messages(found),
        "form": form,
        "promises": portal_promises(customer, found.pk),  # due dates only
        "survey": portal_survey(customer, found.pk),
    }
    return _no_store(render(request, "portal/conversation.html", context, status=status))


@require_GET
@customer_required
def attachment(request: HttpRequest, customer: Customer, number: int, attachment_id: int) -> HttpResponseBase:
    item = selectors.get_attachment_of(customer, number, attachment_id)
    response = FileResponse(
        item.file.open("rb"),
        as_attachment=True,
        filename=item.filename,
        content_type="application/octet-stream",
    )
    response["Content-Security-Policy"] = "default-src 'none'"
    response["X-Content-Type-Options"] = "nosniff"
    return _no_store(response)
