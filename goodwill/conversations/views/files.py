"""Files of a conversation: a message's original (.eml) and attachments."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET

from goodwill.conversations import selectors
from goodwill.conversations.models import Attachment
from goodwill.conversations.views.common import current_agent, message_of


@login_required
@require_GET
def raw_message(request: HttpRequest, number: int, message_id: int) -> HttpResponseBase:
    agent = current_agent(request)
    _conversation, message = message_of(agent, number, message_id)
    if not message.raw_path or not default_storage.exists(message.raw_path):
        raise Http404("No original for this message")
    return FileResponse(
        default_storage.open(message.raw_path, "rb"),
        as_attachment=True,
        filename=f"message-{message.pk}.eml",
        content_type="message/rfc822",
    )


INLINE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf")


@login_required
@require_GET
@xframe_options_sameorigin
def attachment(request: HttpRequest, number: int, attachment_id: int) -> HttpResponseBase:
    agent = current_agent(request)
    conversation = selectors.get_conversation_for(agent, number)
    item = get_object_or_404(Attachment, pk=attachment_id, message__conversation=conversation)
    inline = request.GET.get("inline") == "1" and item.content_type in INLINE_TYPES
    response = FileResponse(
        item.file.open("rb"),
        as_attachment=not inline,
        filename=item.filename,
        content_type=item.content_type if inline else "application/octet-stream",
    )
    if item.content_type != "application/pdf":
        # Browsers' PDF viewers need their own scripts; images and downloads need nothing.
        response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    return response
