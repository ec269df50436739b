"""The conversation timeline: messages, notes, logs and change events in time order, as HTML.

Rendered in Python rather than through template nodes: a 50-message conversation went through
some 19,000 template variable lookups, which alone cost more than the page's 50 ms budget on a
small machine. Every value from a message or a person is escaped here; the one piece of outside
HTML (a message's formatted original) is already sanitised and goes only into a sandboxed
iframe's escaped `srcdoc`, with remote images blocked unless the agent asked for them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, linebreaks
from django.utils.safestring import SafeString, mark_safe

from goodwill.conversations.badges import Badge, badges_html
from goodwill.conversations.models import Attachment, Conversation, Message
from goodwill.conversations.templatetags.workspace import describe_event, format_long
from goodwill.core.models import Event

REMOTE_IMAGE = re.compile(r"""(<img\b[^>]*?\bsrc\s*=\s*)(["']?)(https?:)""", re.IGNORECASE)


def html_document(html: str, *, load_images: bool) -> str:
    """A standalone document for a sandboxed iframe. Remote images stay blocked unless asked for."""
    images = "img-src data: https: http:" if load_images else "img-src data:"
    policy = f"default-src 'none'; style-src 'unsafe-inline'; {images}"
    return (
        '<!doctype html><html><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
        "<style>body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1d2330}img{max-width:100%}</style>"
        f"</head><body>{html}</body></html>"
    )


def has_remote_images(html: str) -> bool:
    return bool(REMOTE_IMAGE.search(html))


@dataclass
class TimelineItem:
    """One line of the timeline: a message (with what the page needs to show it) or an event."""

    at: datetime
    message: TimelineMessage | None = None
    event: Event | None = None
    attachments: list[Attachment] = field(default_factory=list)
    srcdoc: str = ""
    remote_images: bool = False
    images_loaded: bool = False
    has_history: bool = False
    badges: list[Badge] = field(default_factory=list)
    mask: str = ""  # why the body is hidden until the agent opens it (see register_mask)

    @property
    def type(self) -> str:
        return "message" if self.message is not None else "event"


@dataclass
class Timeline:
    items: list[TimelineItem] = field(default_factory=list)

    @property
    def messages(self) -> list[TimelineMessage]:
        return [item.message for item in self.items if item.message is not None]

    @property
    def last_message(self) -> TimelineMessage | None:
        return max(self.messages, key=lambda message: message.pk, default=None)


@dataclass(frozen=True, slots=True)
class TimelineMessage:
    """What the timeline shows of a message, read as plain values: building 50 model
    instances with their authors costs several times the query itself."""

    pk: int
    direction: str
    kind: str
    channel: str
    text: str
    new_text: str
    html: str
    raw_path: str
    delivery: str
    created_at: datetime
    author_agent_id: int | None
    author_agent_name: str
    author_customer_id: int | None
    author_customer_name: str

    @property
    def display_text(self) -> str:
        return self.new_text or self.text

    def get_channel_display(self) -> str:
        return str(CHANNEL_LABELS.get(self.channel, self.channel))

    def get_delivery_display(self) -> str:
        return str(DELIVERY_LABELS.get(self.delivery, self.delivery))


CHANNEL_LABELS = dict(Conversation.Channel.choices)
DELIVERY_LABELS = dict(Message.Delivery.choices)
MESSAGE_COLUMNS = (
    "id",
    "direction",
    "kind",
    "channel",
    "text",
    "new_text",
    "html",
    "raw_path",
    "delivery",
    "created_at",
    "author_agent_id",
    "author_agent__name",
    "author_agent__email",
    "author_customer_id",
    "author_customer__name",
)


def timeline_messages(
    conversation: Conversation,
) -> tuple[list[TimelineMessage], dict[int, list[Attachment]]]:
    """Every message of the conversation with its authors' names, and the attachments by
    message id (one query for the whole conversation, grouped here)."""
    messages = []
    rows = conversation.messages.order_by("created_at", "id").values_list(*MESSAGE_COLUMNS)
    for (
        pk,
        direction,
        kind,
        channel,
        text,
        new_text,
        html,
        raw_path,
        delivery,
        created_at,
        agent_id,
        agent_name,
        agent_email,
        customer_id,
        customer_name,
    ) in rows:
        messages.append(
            TimelineMessage(
                pk=pk,
                direction=direction,
                kind=kind,
                channel=channel,
                text=text,
                new_text=new_text,
                html=html,
                raw_path=raw_path,
                delivery=delivery,
                created_at=created_at,
                author_agent_id=agent_id,
                author_agent_name=agent_name or (agent_email or "").split("@")[0],
                author_customer_id=customer_id,
                author_customer_name=customer_name or "",
            )
        )
    attachments: dict[int, list[Attachment]] = {}
    if messages:
        for attachment in Attachment.objects.filter(message__conversation_id=conversation.pk).order_by("id"):
            attachments.setdefault(attachment.message_id, []).append(attachment)
    return messages, attachments


def build_timeline(
    messages: Iterable[TimelineMessage],
    events: Iterable[Event],
    load_images_for: set[int],
    attachments: dict[int, list[Attachment]] | None = None,
    badges: dict[int, list[Badge]] | None = None,
) -> Timeline:
    """Messages and change events in time order; `badges` by message id (see conversations.badges)."""
    attachments = attachments or {}
    badges = badges or {}
    items: list[TimelineItem] = []
    for message in messages:
        item = TimelineItem(
            at=message.created_at,
            message=message,
            attachments=attachments.get(message.pk, []),
            badges=badges.get(message.pk, []),
        )
        if message.html:
            item.images_loaded = message.pk in load_images_for
            item.srcdoc = html_document(message.html, load_images=item.images_loaded)
            item.remote_images = has_remote_images(message.html)
        item.has_history = bool(message.new_text) and message.new_text.strip() != message.text.strip()
        items.append(item)
    for event in events:
        # The first message already says the conversation started.
        if event.kind != Event.Kind.CONVERSATION_OPENED:
            items.append(TimelineItem(at=event.created_at, event=event))
    items.sort(key=lambda item: item.at)
    return Timeline(items)


MARKER = 987_654_321


def _message_url(name: str, number: int) -> str:
    """A per-message URL of this conversation with `{}` for the message or file id, reversed once."""
    return reverse(name, args=[number, MARKER]).replace(str(MARKER), "{}")


@dataclass(frozen=True)
class TimelineContext:
    """What every line needs to know about the page it is on."""

    conversation: Conversation
    customer_name: str
    can_edit: bool
    csrf_token: str
    stale_ids: frozenset[int]


def timeline_html(timeline: Timeline, context: TimelineContext) -> SafeString:
    """The <li> of every timeline item; an empty timeline says so."""
    if not timeline.items:
        return mark_safe('<li class="empty">No messages yet.</li>')
    renderer = _Renderer(context, message_total=len(timeline.messages))
    return mark_safe("\n".join(renderer.item(item) for item in timeline.items))  # noqa: S308 - escaped


class _Renderer:
    def __init__(self, context: TimelineContext, *, message_total: int) -> None:
        self.context = context
        number = context.conversation.number
        self.attachment_url = _message_url("conversations:attachment", number)
        self.raw_url = _message_url("conversations:raw", number)
        self.split_url = _message_url("conversations:split", number)
        self.zone = timezone.get_current_timezone()
        self.customer_id = context.conversation.customer_id
        # A message can be split out only if something stays behind.
        self.can_split = context.can_edit and message_total > 1
        self.csrf_input = (
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(context.csrf_token)}">'
        )

    def when(self, moment: datetime) -> tuple[str, str]:
        return moment.isoformat(), format_long(moment.astimezone(self.zone))

    def item(self, item: TimelineItem) -> str:
        if item.message is not None:
            return self.message(item, item.message)
        assert item.event is not None
        return self.event(item.event)

    def event(self, event: Event) -> str:
        actor = event.actor.display_name if event.actor_id and event.actor else "Goodwill"
        iso, long = self.when(event.created_at)
        return (
            f'<li class="event"><p><strong>{escape(actor)}</strong> {escape(describe_event(event))} '
            f'<time datetime="{iso}">{escape(long)}</time></p></li>'
        )

    def author(self, message: TimelineMessage) -> str:
        if message.direction == Message.Direction.INBOUND:
            if message.author_customer_id is None or message.author_customer_id == self.customer_id:
                return self.context.customer_name
            return message.author_customer_name or f"Customer {message.author_customer_id}"
        return message.author_agent_name if message.author_agent_id else "Goodwill"

    @staticmethod
    def kind_label(message: TimelineMessage) -> str:
        logged_by = f", logged by {message.author_agent_name}" if message.author_agent_id else ""
        if message.kind == Message.Kind.NOTE:
            return "Internal note"
        if message.kind == Message.Kind.PHONE:
            return f"Phone call{logged_by}"
        if message.kind == Message.Kind.WALK_IN:
            return f"Walk-in{logged_by}"
        if message.direction == Message.Direction.OUTBOUND:
            return "Reply"
        return message.get_channel_display()

    def message(self, item: TimelineItem, message: TimelineMessage) -> str:
        pk = message.pk
        iso, long = self.when(message.created_at)
        classes = f"msg msg-{escape(message.direction)} kind-{escape(message.kind)}"
        if pk in self.context.stale_ids:
            classes += " is-new"
        delivery = ""
        if message.delivery and message.delivery != Message.Delivery.SENT:
            delivery = (
                f'<span class="delivery delivery-{escape(message.delivery)}">'
                f"{escape(message.get_delivery_display())}</span>"
            )
        parts = [
            f'<li class="{classes}" id="m{pk}"><article aria-labelledby="m{pk}-author">',
            f'<header class="msg-head"><strong id="m{pk}-author">{escape(self.author(message))}</strong>'
            f'<span class="msg-kind">{escape(self.kind_label(message))}</span>'
            f'<time datetime="{iso}" title="{escape(long)}">{escape(long)}</time>{delivery}'
            f"{badges_html(item.badges)}</header>",
            f'<div class="msg-body">{linebreaks(message.display_text, autoescape=True)}</div>',
        ]
        if item.mask:
            parts[-1] = (
                f'<details class="msg-masked"><summary>{escape(item.mask)} Show the message</summary>'
                f"{parts[-1]}</details>"
            )
        if item.has_history:
            parts.append(
                '<details class="msg-more"><summary>Show quoted history</summary>'
                f'<pre class="msg-full">{escape(message.text)}</pre></details>'
            )
        if message.html:
            parts.append(self.formatted_original(item, message, long))
        if item.attachments:
            parts.append(self.attachments(item.attachments))
        parts.append(self.actions(message))
        parts.append("</article></li>")
        return "".join(parts)

    @staticmethod
    def formatted_original(item: TimelineItem, message: TimelineMessage, long: str) -> str:
        load_link = ""
        if item.remote_images and not item.images_loaded:
            load_link = (
                f'<p><a href="?images={message.pk}#m{message.pk}">Load remote images</a> '
                '<span class="muted">(they tell the sender you opened the message)</span></p>'
            )
        return (
            f'<details class="msg-more"{" open" if item.images_loaded else ""}>'
            "<summary>Show formatted original</summary>"
            f'<iframe class="msg-html" sandbox srcdoc="{escape(item.srcdoc)}" '
            f'title="Formatted original of the message from {escape(long)}" loading="lazy"></iframe>'
            f"{load_link}</details>"
        )

    def attachments(self, files: list[Attachment]) -> str:
        rows = []
        for file in files:
            url = escape(self.attachment_url.format(file.pk))
            name = escape(file.filename)
            preview = ""
            if file.is_image and file.content_type != "image/svg+xml":
                preview = (
                    f'<a href="{url}?inline=1" class="thumb"><img src="{url}?inline=1" alt="{name}" '
                    'loading="lazy" width="160" height="120"></a>'
                )
            elif file.content_type == "application/pdf":
                preview = (
                    f'<details class="pdf-preview"><summary>Preview {name}</summary>'
                    f'<iframe src="{url}?inline=1" title="Preview of {name}" loading="lazy"></iframe></details>'
                )
            rows.append(
                f'<li>{preview}<a href="{url}" download>Download {name}</a> '
                f'<span class="muted">{escape(filesizeformat(file.size))}</span></li>'
            )
        return f'<ul class="attachments" role="list" aria-label="Attachments">{"".join(rows)}</ul>'

    def actions(self, message: TimelineMessage) -> str:
        links = []
        if message.raw_path:
            links.append(f'<a href="{escape(self.raw_url.format(message.pk))}">Download original (.eml)</a>')
        if self.can_split and message.direction == Message.Direction.INBOUND:
            links.append(
                f'<form method="post" action="{escape(self.split_url.format(message.pk))}" '
                'data-confirm="Move this message into a new conversation?">'
                f'{self.csrf_input}<button type="submit" class="link-button">Split into a new conversation</button>'
                "</form>"
            )
        if not links:
            return ""
        return f'<footer class="msg-actions">{"".join(links)}</footer>'


# Masks other apps put over a message's body for one agent (listening hides abusive text for
# agents who asked): provider(agent_id, message_ids) -> {message id: why it is hidden}.
MaskProvider = Callable[[int, list[int]], dict[int, str]]
_mask_providers: list[MaskProvider] = []


def register_mask(provider: MaskProvider) -> MaskProvider:
    if provider not in _mask_providers:
        _mask_providers.append(provider)
    return provider


def unregister_mask(provider: MaskProvider) -> None:
    _mask_providers[:] = [existing for existing in _mask_providers if existing is not provider]


def apply_masks(timeline: Timeline, agent_id: int) -> None:
    """Let every registered provider hide message bodies on this agent's timeline."""
    ids = [item.message.pk for item in timeline.items if item.message is not None]
    if not ids:
        return
    for provider in _mask_providers:
        masks = provider(agent_id, ids)
        for item in timeline.items:
            if item.message is not None and item.message.pk in masks:
                item.mask = masks[item.message.pk]
