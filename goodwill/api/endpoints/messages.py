"""/api/v1/conversations/{number}/messages: read the thread, reply, add notes, fetch attachments."""

import base64
import binascii
import posixpath
from datetime import datetime
from typing import Annotated, Any, Literal

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import FileResponse, Http404, HttpRequest
from django.urls import reverse
from ninja import Field, Router, Status
from pydantic import StringConstraints

from goodwill.api.endpoints import agent_of
from goodwill.api.endpoints.conversations import agent_ref, customer_ref
from goodwill.api.pagination import DEFAULT_LIMIT, CursorParam, LimitParam, keyset_page
from goodwill.api.schemas import AgentRef, CustomerRef, Error, Id, Input, LongText, Output, Page, Str200
from goodwill.conversations import services
from goodwill.conversations.models import Attachment, Conversation, Message
from goodwill.conversations.selectors import get_conversation_for, messages_of

router = Router(tags=["messages"])

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
ContentType = Annotated[str, StringConstraints(max_length=150, pattern=r"^[A-Za-z0-9][\w.+-]*/[\w.+-]+$")]


class AttachmentOut(Output):
    id: int
    name: str
    size: int
    content_type: str
    url: str = Field(..., description="Download link; needs the same Bearer token.")


class ScoresOut(Output):
    """How the customer's message reads (listening). Agents only: never shown to the customer."""

    scored: bool = Field(..., description="False when the language is not covered; then no guess.")
    reason: str = Field(..., description="Why it was not scored, else empty.")
    language: str = Field(..., description='ISO 639-1 code ("en"), or empty when it could not be told.')
    sentiment: float | None = Field(None, description="-1 (upset) .. 1 (delighted); null when not scored.")
    polarity: str = Field(..., description='"neg", "neu", "pos", or empty when not scored.')
    emotions: dict[str, float] = Field(
        ..., description="anger, frustration, anxiety, sadness, confusion, joy, gratitude: each 0..1."
    )
    urgency: float = Field(..., description="0..1")
    urgency_cues: list[str]
    abusive: bool
    abuse_triggers: list[str] = Field(..., description="The words or pattern that made it abusive.")
    mood: str = Field(..., description='One word for the badge ("angry", "upset", "abusive"…), or empty.')
    model_version: str
    scored_at: datetime


SCORE_FIELDS = tuple(ScoresOut.model_fields)


class MessageOut(Output):
    id: int
    conversation: int = Field(..., description="The conversation's number.")
    direction: Message.Direction
    kind: Message.Kind
    channel: str
    author_agent: AgentRef | None = Field(None, description="The agent who wrote or logged it.")
    author_customer: CustomerRef | None = Field(None, description="The customer who wrote it.")
    text: str
    new_text: str = Field(..., description="What is new: quoted history and signature removed.")
    html: str = Field(..., description="Sanitised HTML body, if any.")
    created_at: datetime
    delivery: str = Field(..., description='Email delivery: "", queued, sent, failed or bounced.')
    delivery_error: str
    attachments: list[AttachmentOut]
    scores: ScoresOut | None = Field(
        None, description="Customer messages, once the worker has read them (a second or so); else null."
    )


class AttachmentIn(Input):
    name: Annotated[Str200, StringConstraints(min_length=1)]
    content_type: ContentType = "application/octet-stream"
    content_base64: Annotated[str, StringConstraints(max_length=MAX_ATTACHMENT_BYTES * 4 // 3 + 4)]


class MessageIn(Input):
    kind: Literal["reply", "note"]
    text: LongText = ""
    html: LongText = Field("", description="Replies only; sanitised before it is stored.")
    status: Conversation.Status | None = Field(None, description="Replies only: the status to set with it.")
    attachments: Annotated[list[AttachmentIn], Field(max_length=10)] = Field(
        default_factory=list, description="Replies only."
    )


def attachment_out(number: int, attachment: Attachment) -> dict[str, Any]:
    return {
        "id": attachment.pk,
        "name": attachment.filename,
        "size": attachment.size,
        "content_type": attachment.content_type,
        "url": reverse("api:download_attachment", kwargs={"number": number, "attachment_id": attachment.pk}),
    }


def message_out(number: int, message: Message) -> dict[str, Any]:
    return {
        "id": message.pk,
        "conversation": number,
        "direction": message.direction,
        "kind": message.kind,
        "channel": message.channel,
        "author_agent": agent_ref(message.author_agent),
        "author_customer": customer_ref(message.author_customer) if message.author_customer else None,
        "text": message.text,
        "new_text": message.new_text,
        "html": message.html,
        "created_at": message.created_at,
        "delivery": message.delivery,
        "delivery_error": message.delivery_error,
        "attachments": [attachment_out(number, item) for item in message.attachments.all()],
        "scores": _scores(message),
    }


def _scores(message: Message) -> dict[str, Any] | None:
    """The listening score, read through its relation (the API does not import listening)."""
    if message.direction != Message.Direction.INBOUND:
        return None
    try:
        score = message.listening_score  # type: ignore[attr-defined]
    except ObjectDoesNotExist:
        return None
    return {name: getattr(score, name) for name in SCORE_FIELDS}


def _decoded(item: AttachmentIn) -> services.NewAttachment:
    name = posixpath.basename(item.name.replace("\\", "/")).strip()
    if name in ("", ".", ".."):
        raise ValidationError({"attachments": f"Not a usable file name: {item.name!r}."})
    try:
        content = base64.b64decode(item.content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError({"attachments": f"{name}: content_base64 is not base64."})
    if len(content) > MAX_ATTACHMENT_BYTES:
        raise ValidationError({"attachments": f"{name} is larger than 20 MB."})
    return services.NewAttachment(filename=name, content=content, content_type=item.content_type)


@router.get(
    "/{number}/messages",
    response={200: Page[MessageOut], 400: Error, 404: Error, 422: Error},
    summary="List a conversation's messages",
)
def list_messages(
    request: HttpRequest, number: Id, cursor: CursorParam = None, limit: LimitParam = DEFAULT_LIMIT
) -> dict[str, Any]:
    """Oldest first, internal notes included."""
    conversation = get_conversation_for(agent_of(request), number)
    rows, next_cursor = keyset_page(
        messages_of(conversation)
        .select_related("listening_score")
        .prefetch_related("author_customer__identities"),
        resource=f"messages:{conversation.pk}",
        cursor=cursor,
        limit=limit,
        field="created_at",
    )
    return {"items": [message_out(number, row) for row in rows], "next": next_cursor}


@router.post(
    "/{number}/messages",
    response={201: MessageOut, 403: Error, 404: Error, 422: Error},
    summary="Reply to the customer or add an internal note",
)
def create_message(request: HttpRequest, number: Id, payload: MessageIn) -> Status[dict[str, Any]]:
    """A reply goes to the customer (by email for email, portal and web-form conversations);
    a note is for agents only. Light agents may add notes only."""
    agent = agent_of(request)
    conversation = get_conversation_for(agent, number)
    if payload.kind == "note":
        extras = [name for name in ("html", "status", "attachments") if getattr(payload, name)]
        if extras:
            raise ValidationError({name: "Notes take text only." for name in extras})
        message = services.add_note(conversation, by=agent, text=payload.text)
    else:
        message = services.add_reply(
            conversation,
            by=agent,
            text=payload.text,
            html=payload.html,
            status=payload.status,
            attachments=[_decoded(item) for item in payload.attachments],
        )
    stored = messages_of(conversation).prefetch_related("author_customer__identities").get(pk=message.pk)
    return Status(201, message_out(number, stored))


@router.get(
    "/{number}/attachments/{attachment_id}",
    response={200: None, 404: Error, 422: Error},
    url_name="download_attachment",
    summary="Download an attachment",
)
def download_attachment(request: HttpRequest, number: Id, attachment_id: Id) -> FileResponse:
    conversation = get_conversation_for(agent_of(request), number)
    attachment = Attachment.objects.filter(pk=attachment_id, message__conversation=conversation).first()
    if attachment is None:
        raise Http404("No such attachment.")
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404("The attachment's file is missing.")
    return FileResponse(
        handle, as_attachment=True, filename=attachment.filename, content_type=attachment.content_type
    )
