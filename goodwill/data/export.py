"""A customer's data as a ZIP: JSON plus the original files (GDPR right of access).

Layout (README section "Your data"):

    README.txt                     what is inside
    customer.json                  profile, identities, organisation
    conversations/<number>.json    one conversation with its messages, in order
    attachments/<message id>/<filename>
    raw/<message id>.eml           the email as it arrived, for messages the customer sent
    records/<app>.<model>.json     (team export only) every other row that refers to the
                                   customer or their conversations: events, facts, promises,
                                   scores, … found by walking the model graph

Two audiences. The team's export (customer page, API, `goodwill export-customer`) is the
complete answer to an access request and holds everything. The customer's own download
from the portal holds what they wrote and were sent: no internal notes, no records.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import PurePosixPath
from typing import IO, Any

from django.core import serializers
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from goodwill.conversations.models import Attachment, Conversation, Message
from goodwill.customers.models import Customer, Identity
from goodwill.data.graph import collect

TEAM = "team"
CUSTOMER = "customer"

README = """Your data from Goodwill, exported {when}.

customer.json                  your profile and the addresses we know you by
conversations/<number>.json    each conversation with its messages, oldest first
attachments/<message>/<file>   files attached to those messages
raw/<message>.eml              emails exactly as we received them
{records}"""
RECORDS_LINE = "records/<kind>.json           every other record that refers to you (notes, events, …)\n"


def _dump(data: Any) -> str:
    return json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)


def _customer_json(customer: Customer, audience: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": customer.pk,
        "name": customer.name,
        "preferred_name": customer.preferred_name,
        "pronunciation": customer.pronunciation,
        "organisation": customer.organisation.name if customer.organisation else None,
        "language": customer.language,
        "time_zone": customer.time_zone,
        "preferred_channel": customer.preferred_channel,
        "created_at": customer.created_at,
        "last_contact_at": customer.last_contact_at,
        "identities": [
            {"kind": identity.kind, "value": identity.value, "is_primary": identity.is_primary}
            for identity in Identity.objects.filter(customer=customer)
        ],
    }
    if audience == TEAM:
        data["notes"] = customer.notes
        data["is_internal"] = customer.is_internal
    return data


def _message_json(message: Message, audience: str) -> dict[str, Any]:
    author = message.author_agent.name if message.author_agent else None
    if message.author_customer_id:
        author = message.author_customer.name if message.author_customer else None
    data: dict[str, Any] = {
        "id": message.pk,
        "created_at": message.created_at,
        "direction": message.direction,
        "kind": message.kind,
        "channel": message.channel,
        "author": author,
        "text": message.text,
        "html": message.html,
        "message_id": message.message_id,
        "attachments": [
            {
                "filename": item.filename,
                "content_type": item.content_type,
                "size": item.size,
                "file": f"attachments/{message.pk}/{item.pk}-{PurePosixPath(item.filename).name}",
            }
            for item in message.attachments.all()
        ],
    }
    if message.raw_path:
        data["raw"] = f"raw/{message.pk}.eml"
    if audience == TEAM:
        data["delivery"] = message.delivery
    return data


def _copy(archive: zipfile.ZipFile, name: str, target: str) -> bool:
    if not name or not default_storage.exists(name):
        return False
    with default_storage.open(name, "rb") as source, archive.open(target, "w") as out:
        while chunk := source.read(1 << 20):
            out.write(chunk)
    return True


def _conversation(
    archive: zipfile.ZipFile, conversation: Conversation, customer: Customer, audience: str
) -> None:
    messages = (
        Message.objects.filter(conversation=conversation)
        .select_related("author_agent", "author_customer")
        .prefetch_related("attachments")
    )
    if audience == CUSTOMER:
        messages = messages.exclude(kind=Message.Kind.NOTE)
    items = []
    for message in messages:
        data = _message_json(message, audience)
        for attachment, described in zip(message.attachments.all(), data["attachments"], strict=True):
            _copy(archive, attachment.file.name or "", described["file"])
        mine = message.author_customer_id == customer.pk or message.direction == Message.Direction.INBOUND
        if "raw" in data and (audience == TEAM or mine):
            if not _copy(archive, message.raw_path, data["raw"]):
                del data["raw"]
        elif "raw" in data:
            del data["raw"]
        items.append(data)
    body = {
        "number": conversation.number,
        "subject": conversation.subject,
        "status": conversation.status,
        "channel": conversation.channel,
        "created_at": conversation.created_at,
        "last_message_at": conversation.last_message_at,
        "messages": items,
    }
    if audience == TEAM:
        body["tags"] = list(conversation.tags.values_list("name", flat=True))
        body["custom_fields"] = conversation.custom_fields
        body["priority"] = conversation.priority
    archive.writestr(f"conversations/{conversation.number}.json", _dump(body))


def _records(archive: zipfile.ZipFile, customer: Customer) -> dict[str, int]:
    rows = collect(customer)
    written = {}
    covered = {Customer, Identity, Conversation, Message, Attachment}
    for model in rows.models():
        if model in covered or model._meta.auto_created:
            continue
        objects = list(rows.objects(model))
        data = serializers.serialize("python", objects)
        archive.writestr(f"records/{model._meta.label_lower}.json", _dump(data))
        written[model._meta.label_lower] = len(objects)
    return written


def write_export(customer: Customer, out: IO[bytes], *, audience: str = TEAM) -> dict[str, Any]:
    """Write the ZIP to `out`; returns a summary (counts of what went in)."""
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        when = timezone.now().strftime("%Y-%m-%d %H:%M UTC")
        archive.writestr(
            "README.txt", README.format(when=when, records=RECORDS_LINE if audience == TEAM else "")
        )
        archive.writestr("customer.json", _dump(_customer_json(customer, audience)))
        conversations = Conversation.objects.filter(customer=customer).order_by("created_at", "id")
        count = 0
        for conversation in conversations.iterator(chunk_size=200):
            _conversation(archive, conversation, customer, audience)
            count += 1
        records = _records(archive, customer) if audience == TEAM else {}
    return {"conversations": count, "records": records}
