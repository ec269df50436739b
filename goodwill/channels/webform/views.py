"""/forms/<slug>/: the public web form, its thank-you page and its embed script.

No sign-in and no session: the form is protected by its own signed, single-use token (see
services), so it is exempt from Django's CSRF cookie check — inside another site's iframe
the browser would not send that cookie anyway. Framing is refused (CSP frame-ancestors and
X-Frame-Options) except by the origins the admin allowed for this form.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from goodwill.channels.webform import services
from goodwill.channels.webform.forms import VisitorForm
from goodwill.channels.webform.models import WebForm
from goodwill.conversations.services import NewAttachment
from goodwill.core import uploads
from goodwill.core.http import UNKNOWN_CLIENT, client_ip


def _active_form(slug: str) -> WebForm:
    form = WebForm.objects.filter(slug=slug, is_active=True).prefetch_related("fields").first()
    if form is None:
        raise Http404("No such form")
    return form


def _frame_policy(response: HttpResponse, form: WebForm) -> HttpResponse:
    """Only the allowed origins may frame the form; everyone else gets the site-wide 'none'."""
    origins = form.origins()
    if origins:
        response._csp_replace = {"frame-ancestors": origins}  # type: ignore[attr-defined]
        response.xframe_options_exempt = True  # type: ignore[attr-defined]
    response["Cache-Control"] = "private, no-store"
    return response


def _embedded_from(request: HttpRequest, form: WebForm) -> str:
    """The allowed origin the form is shown in, from the page's Referer (GET) or the form (POST)."""
    claimed = request.POST.get("embedded_from", "") if request.method == "POST" else ""
    if not claimed:
        referer = urlsplit(request.META.get("HTTP_REFERER", ""))
        claimed = f"{referer.scheme}://{referer.netloc}".lower() if referer.netloc else ""
    return claimed if claimed in form.origins() else ""


def _page(request: HttpRequest, form: WebForm, visitor_form: VisitorForm, *, status: int = 200) -> HttpResponse:
    context: dict[str, Any] = {
        "web_form": form,
        "form": visitor_form,
        "embed": request.GET.get("embed") == "1" or request.POST.get("embed") == "1",
        "embedded_from": _embedded_from(request, form),
        "limits": uploads.limits_text(),
        "extra_names": [f"x_{spec.key}" for spec in visitor_form.extra_fields],
    }
    return _frame_policy(render(request, "webform/form.html", context, status=status), form)


def _fresh(form: WebForm, posted: VisitorForm | None = None) -> VisitorForm:
    """A form with a new token; a refused post keeps everything the visitor typed."""
    data = posted.data.copy() if posted is not None and posted.is_bound else None  # type: ignore[attr-defined]
    token = services.issue_token(form)
    if data is None:
        return VisitorForm(form, initial={"token": token})
    data["token"] = token
    fresh = VisitorForm(form, data)
    if posted is not None and posted.is_bound:
        fresh._errors = posted._errors  # type: ignore[attr-defined]  # keep the messages shown
    return fresh


def _attachments(request: HttpRequest, form: WebForm) -> list[NewAttachment]:
    if not form.allow_attachments:
        return []
    return [
        NewAttachment(
            filename=(upload.name or "attachment")[-200:],
            content=upload.read(),
            content_type=upload.content_type or "application/octet-stream",
        )
        for upload in uploads.accepted_files(request, "attachments")
    ]


@csrf_exempt
@require_http_methods(["GET", "POST"])
def form_page(request: HttpRequest, slug: str) -> HttpResponse:
    form = _active_form(slug)
    if request.method == "GET":
        return _page(request, form, _fresh(form))
    address = client_ip(request)
    ip = None if address == UNKNOWN_CLIENT else address
    visitor_form = VisitorForm(form, request.POST)  # the text first: refused files are not kept
    try:
        services.count_post(ip)
        services.check_honeypot(request.POST.get("website", ""))
        nonce = services.check_token(form, request.POST.get("token", ""))
        files = _attachments(request, form)
    except services.Refused as refused:
        visitor_form.is_valid()
        visitor_form.add_error(None, refused.message)
        return _page(request, form, _fresh(form, visitor_form), status=refused.status)
    except uploads.UploadRefused as error:
        visitor_form.is_valid()
        visitor_form.add_error(None, " ".join(error.messages) + " Your text is kept below.")
        return _page(request, form, _fresh(form, visitor_form), status=413)
    visitor_form = VisitorForm(form, request.POST, request.FILES)
    if not visitor_form.is_valid():
        return _page(request, form, _fresh(form, visitor_form), status=400)
    answers, labels = visitor_form.answers()
    data = visitor_form.cleaned_data
    visitor = services.Visitor(
        email=data["email"], message=data["message"], name=data.get("name", ""),
        subject=data.get("subject", ""), answers=answers, labels=labels,
    )
    try:
        services.submit(form, visitor, nonce=nonce, attachments=files, ip=ip,
                        origin=_embedded_from(request, form))
    except services.Refused as refused:
        visitor_form.add_error(None, refused.message)
        return _page(request, form, _fresh(form, visitor_form), status=refused.status)
    target = reverse("webform:sent", args=[form.slug])
    return redirect(f"{target}?embed=1" if request.POST.get("embed") == "1" else target)


@require_GET
def sent(request: HttpRequest, slug: str) -> HttpResponse:
    form = _active_form(slug)
    context = {"web_form": form, "embed": request.GET.get("embed") == "1"}
    return _frame_policy(render(request, "webform/sent.html", context), form)


@require_GET
def embed_script(request: HttpRequest, slug: str) -> HttpResponse:
    """The snippet's script: puts the form in an iframe that grows with its content."""
    form = _active_form(slug)
    base = settings.BASE_URL.rstrip("/")
    source = render_to_string(
        "webform/embed.js",
        {"slug": form.slug, "origin": f"{urlsplit(base).scheme}://{urlsplit(base).netloc}",
         "src": f"{base}{reverse('webform:form', args=[form.slug])}?embed=1", "title": form.title},
    )
    response = HttpResponse(source, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response
