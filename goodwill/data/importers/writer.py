"""Writing imported records: in batches, each one transaction, keyed by source ids so a second
run imports nothing and an interrupted run carries on where it stopped."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from goodwill.accounts.models import Agent
from goodwill.channels.email.models import EmailDetails, MessageKey
from goodwill.channels.email.parsing import normalise_message_id
from goodwill.channels.email.text import html_to_text
from goodwill.conversations.models import Conversation, CustomField, Message, Tag
from goodwill.conversations.services.attachments import NewAttachment, store_attachments
from goodwill.core.html import sanitise_html
from goodwill.core.models import Counter, Event
from goodwill.core.services import record_event
from goodwill.customers.models import Customer, Identity, Organisation
from goodwill.data.importers.base import Conv, ImportFailed, Org, Person, Source
from goodwill.data.importers.rows import Inserter, reserve_ids
from goodwill.data.models import ImportedObject, ImportRun
from goodwill.data.progress import Progress

BATCH = 1000
STATUSES = set(Conversation.Status.values)
CHANNELS = set(Conversation.Channel.values)


@dataclass
class Report:
    source: str
    counts: dict[str, int] = field(default_factory=dict)
    skipped: list[dict[str, str]] = field(default_factory=list)

    def add(self, name: str, amount: int = 1) -> None:
        self.counts[name] = self.counts.get(name, 0) + amount

    def skip(self, kind: str, ext: str, reason: str) -> None:
        self.skipped.append({"kind": kind, "id": ext, "reason": reason})

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source, "imported": self.counts, "skipped": self.skipped}


@contextmanager
def _keep_given_timestamps() -> Iterator[None]:
    """Imported rows keep their original created/updated times (auto_now would overwrite them)."""
    fields: list[Any] = [Conversation._meta.get_field(name) for name in ("created_at", "updated_at")]
    saved = [(item, item.auto_now, item.auto_now_add) for item in fields]
    for item in fields:
        item.auto_now = item.auto_now_add = False
    try:
        yield
    finally:
        for item, auto_now, auto_now_add in saved:
            item.auto_now, item.auto_now_add = auto_now, auto_now_add


def validate(source: Source) -> int:
    """Read the whole export once; raises ImportFailed on the first problem. Returns the number of conversations."""
    for _org in source.organisations():
        pass
    for _person in source.people():
        pass
    total = 0
    progress = Progress(f"Checking the {source.name} export")
    for conv in source.conversations():
        if conv.status not in STATUSES:
            raise ImportFailed(f"conversation {conv.ext}: unknown status {conv.status!r}.")
        total += 1
        progress.advance()
    progress.finish()
    return total


class Writer:
    def __init__(self, source: Source) -> None:
        self.source = source
        self.name = source.name
        self.report = Report(source.name)
        self.map: dict[str, dict[str, int]] = {
            "organisation": {},
            "customer": {},
            "agent": {},
            "conversation": {},
        }
        for kind, ext, pk in ImportedObject.objects.filter(source=self.name).values_list(
            "kind", "external_id", "object_id"
        ):
            self.map.setdefault(kind, {})[ext] = pk
        self.tags: dict[str, int] = dict(Tag.objects.values_list("name", "pk"))
        self.inserters = {
            model: Inserter(model) for model in (Conversation, Message, EmailDetails, MessageKey)
        }

    def _remember(self, kind: str, pairs: list[tuple[str, int]]) -> None:
        ImportedObject.objects.bulk_create(
            [ImportedObject(source=self.name, kind=kind, external_id=ext, object_id=pk) for ext, pk in pairs],
            ignore_conflicts=True,
        )
        self.map[kind].update(pairs)

    # --- organisations and people ---------------------------------------------------------

    def organisations(self, orgs: list[Org]) -> None:
        new = [org for org in orgs if org.ext not in self.map["organisation"]]
        with transaction.atomic():
            existing = {name.lower(): pk for name, pk in Organisation.objects.values_list("name", "pk")}
            pairs, rows = [], []
            for org in new:
                if org.name.lower() in existing:
                    pairs.append((org.ext, existing[org.name.lower()]))
                else:
                    rows.append(
                        (
                            org,
                            Organisation(
                                name=org.name[:200], domains=",".join(org.domains)[:500], notes=org.notes
                            ),
                        )
                    )
            Organisation.objects.bulk_create([row for _org, row in rows])
            pairs += [(org.ext, row.pk) for org, row in rows]
            self._remember("organisation", pairs)
        self.report.add("organisations", len(rows))

    def people(self, people: list[Person]) -> None:
        agents = [p for p in people if p.is_agent and p.ext not in self.map["agent"]]
        customers = [p for p in people if not p.is_agent and p.ext not in self.map["customer"]]
        with transaction.atomic():
            self._agents(agents)
        for start in range(0, len(customers), BATCH):
            with transaction.atomic():
                self._customers(customers[start : start + BATCH])

    def _agents(self, agents: list[Person]) -> None:
        pairs = []
        for person in agents:
            if not person.email:
                self.report.skip("agent", person.ext, "no email address")
                continue
            email = person.email.strip().lower()
            agent = Agent.objects.filter(email__iexact=email).first()
            if agent is None:
                role = person.role if person.role in Agent.Role.values else Agent.Role.AGENT
                # Inactive, without a password, until someone invites them.
                agent = Agent.objects.create(
                    email=email,
                    name=person.name[:150],
                    role=role,
                    is_active=False,
                    password=make_password(None),
                )
                self.report.add("agents")
            pairs.append((person.ext, agent.pk))
        self._remember("agent", pairs)

    def _customers(self, people: list[Person]) -> None:
        emails = {p.email.strip().lower() for p in people if p.email}
        known = dict(
            Identity.objects.filter(kind=Identity.Kind.EMAIL, value__in=emails).values_list(
                "value", "customer_id"
            )
        )
        pairs, new = [], []
        for person in people:
            email = person.email.strip().lower()
            if email and email in known:
                pairs.append((person.ext, known[email]))
                continue
            customer = Customer(
                name=person.name[:200],
                organisation_id=self.map["organisation"].get(person.org),
                time_zone=person.time_zone[:64],
                language=person.language[:12],
            )
            new.append((person, email, customer))
            if email:
                known[email] = -1  # the same address twice in one export: one customer
        Customer.objects.bulk_create([customer for _p, _e, customer in new])
        identities, seen = [], set()
        for person, email, customer in new:
            pairs.append((person.ext, customer.pk))
            if email and email not in seen:
                seen.add(email)
                identities.append(
                    Identity(customer=customer, kind=Identity.Kind.EMAIL, value=email, is_primary=True)
                )
            phone = Identity.normalise_phone(person.phone)
            if phone and not Identity.objects.filter(kind=Identity.Kind.PHONE, value=phone).exists():
                identities.append(Identity(customer=customer, kind=Identity.Kind.PHONE, value=phone))
        Identity.objects.bulk_create(identities, ignore_conflicts=True)
        self._remember("customer", pairs)
        self.report.add("customers", len(new))

    # --- conversations ----------------------------------------------------------------------

    def conversations(self, total: int) -> None:
        progress = Progress(f"Importing from {self.name}", total)
        batch: list[Conv] = []
        with _keep_given_timestamps():
            for conv in self.source.conversations():
                progress.advance()
                if conv.ext in self.map["conversation"]:
                    self.report.add("already_imported")
                    continue
                if conv.skip_reason:
                    self.report.skip("conversation", conv.ext, conv.skip_reason)
                    continue
                if not conv.messages:
                    self.report.skip("conversation", conv.ext, "no messages")
                    continue
                if conv.requester not in self.map["customer"]:
                    self.report.skip(
                        "conversation", conv.ext, f"requester {conv.requester or '(none)'} not in the export"
                    )
                    continue
                batch.append(conv)
                if len(batch) >= BATCH:
                    self._write(batch)
                    batch = []
            if batch:
                self._write(batch)
        progress.finish()

    def _numbers(self, count: int) -> int:
        """Reserve `count` conversation numbers; returns the first."""
        Counter.objects.get_or_create(name="conversation", defaults={"value": 0})
        Counter.objects.filter(name="conversation").update(value=F("value") + count)
        return Counter.objects.get(name="conversation").value - count + 1

    def _custom_field_keys(self, convs: list[Conv]) -> None:
        keys = {key for conv in convs for key in conv.custom_fields}
        existing = set(CustomField.objects.filter(key__in=keys).values_list("key", flat=True))
        CustomField.objects.bulk_create(
            [
                CustomField(key=key, label=key.replace("_", " ").capitalize())
                for key in sorted(keys - existing)
            ],
            ignore_conflicts=True,
        )

    def _write(self, convs: list[Conv]) -> None:
        with transaction.atomic():
            self._custom_field_keys(convs)
            first = self._numbers(len(convs))
            rows = [self._conversation(conv, first + index) for index, conv in enumerate(convs)]
            for row, pk in zip(rows, reserve_ids(Conversation, len(rows)), strict=True):
                row.pk = pk
            self.inserters[Conversation].insert(
                [
                    {item.attname: getattr(row, item.attname) for item in self.inserters[Conversation].fields}
                    for row in rows
                ]
            )
            self._tags(convs, rows)
            self._messages(convs, rows)
            self._remember(
                "conversation", [(conv.ext, row.pk) for conv, row in zip(convs, rows, strict=True)]
            )
        self.report.add("conversations", len(convs))

    def _conversation(self, conv: Conv, number: int) -> Conversation:
        times = [m.created_at for m in conv.messages if m.created_at]
        created = conv.created_at or (min(times) if times else timezone.now())
        last = max(times) if times else created
        inbound = [
            m.created_at for m in conv.messages if m.created_at and m.public and self._is_customer(m.author)
        ]
        replies = [
            m.created_at
            for m in conv.messages
            if m.created_at and m.public and not self._is_customer(m.author)
        ]
        fields = {"original_number": conv.ext, "original_system": self.name, **conv.custom_fields}
        done = conv.status in Conversation.FINISHED_STATUSES
        return Conversation(
            number=number,
            subject=(conv.subject or "(no subject)")[:300],
            status=conv.status,
            priority=conv.priority if conv.priority in (1, 2, 3, 4) else 2,
            channel=conv.channel if conv.channel in CHANNELS else Conversation.Channel.EMAIL,
            customer_id=self.map["customer"][conv.requester],
            assignee_id=self.map["agent"].get(conv.assignee),
            custom_fields=fields,
            message_count=len(conv.messages),
            last_message_at=last,
            last_inbound_at=max(inbound) if inbound else None,
            first_response_at=min(replies) if replies else None,
            solved_at=(conv.updated_at or last) if done else None,
            closed_at=(conv.updated_at or last) if conv.status == Conversation.Status.CLOSED else None,
            created_at=created,
            updated_at=conv.updated_at or last,
        )

    def _is_customer(self, author: str) -> bool:
        return author in self.map["customer"] and author not in self.map["agent"]

    def _tags(self, convs: list[Conv], rows: list[Conversation]) -> None:
        names = {name[:60] for conv in convs for name in conv.tags if name}
        missing = sorted(names - self.tags.keys())
        if missing:
            Tag.objects.bulk_create([Tag(name=name) for name in missing], ignore_conflicts=True)
            self.tags.update(Tag.objects.filter(name__in=missing).values_list("name", "pk"))
        through = Conversation.tags.through
        links = [
            through(conversation_id=row.pk, tag_id=self.tags[name[:60]])
            for conv, row in zip(convs, rows, strict=True)
            for name in dict.fromkeys(conv.tags)
            if name
        ]
        through.objects.bulk_create(links, ignore_conflicts=True)
        self.report.add("tags", len(links))

    def _messages(self, convs: list[Conv], rows: list[Conversation]) -> None:
        values: list[dict[str, Any]] = []
        sources = []
        for conv, row in zip(convs, rows, strict=True):
            for item in sorted(conv.messages, key=lambda m: m.created_at or row.created_at):
                customer = self._is_customer(item.author)
                direction = (
                    Message.Direction.INTERNAL
                    if not item.public
                    else (Message.Direction.INBOUND if customer else Message.Direction.OUTBOUND)
                )
                values.append(
                    {
                        "conversation_id": row.pk,
                        "direction": direction,
                        "kind": Message.Kind.REPLY if item.public else Message.Kind.NOTE,
                        "channel": row.channel,
                        "author_agent_id": None if customer else self.map["agent"].get(item.author),
                        "author_customer_id": self.map["customer"].get(item.author) if customer else None,
                        "text": item.text or (html_to_text(item.html) if item.html else ""),
                        "html": sanitise_html(item.html) if item.html else "",
                        "message_id": normalise_message_id(item.message_id)[:500] if item.message_id else "",
                        "created_at": item.created_at or row.created_at,
                    }
                )
                sources.append((conv, item))
        for value, pk in zip(values, reserve_ids(Message, len(values)), strict=True):
            value["id"] = pk
        self.inserters[Message].insert(values)
        notes = sum(1 for value in values if value["kind"] == Message.Kind.NOTE)
        self.report.add("messages", len(values) - notes)
        self.report.add("internal_notes", notes)
        self._email_identity(values)
        for value, (conv, item) in zip(values, sources, strict=True):
            if item.attachments:
                self._attachments(
                    Message(id=value["id"], conversation_id=value["conversation_id"]), conv, item
                )

    def _email_identity(self, messages: list[dict[str, Any]]) -> None:
        """Imported Message-IDs thread future replies (EmailDetails) and stop doubles (MessageKey)."""
        with_id = [m for m in messages if m["message_id"]]
        now = timezone.now()
        details = [
            {"message_id": m["id"], "message_id_header": m["message_id"], "created_at": now} for m in with_id
        ]
        for value, pk in zip(details, reserve_ids(EmailDetails, len(details)), strict=True):
            value["id"] = pk
        self.inserters[EmailDetails].insert(details)
        keys = [
            {
                "key": "mid:"
                + hashlib.sha256(m["message_id"].encode("utf-8", "surrogateescape")).hexdigest(),
                "message_id": m["id"],
                "created_at": now,
            }
            for m in with_id
        ]
        for value, pk in zip(keys, reserve_ids(MessageKey, len(keys)), strict=True):
            value["id"] = pk
        self.inserters[MessageKey].insert(keys, ignore_conflicts=True)

    def _attachments(self, message: Message, conv: Conv, item: Any) -> None:
        files = []
        for attach in item.attachments:
            if attach.path is None or not attach.path.is_file():
                self.report.skip(
                    "attachment",
                    f"{conv.ext}/{item.ext}/{attach.filename}",
                    "file not in the export (only its URL)",
                )
                continue
            files.append(NewAttachment(attach.filename[:255], attach.path.read_bytes(), attach.content_type))
        store_attachments(message, files)
        self.report.add("attachments", len(files))


def run_import(source: Source) -> Report:
    """Validate the whole export, then import it. Safe to run again (nothing doubles) and to
    interrupt (committed batches stay; the next run imports the rest)."""
    total = validate(source)
    run = ImportRun.objects.create(source=source.name, path=str(source.path)[:500])
    writer = Writer(source)
    writer.organisations(list(source.organisations()))
    writer.people(list(source.people()))
    writer.conversations(total)
    run.finished_at = timezone.now()
    run.counts = writer.report.counts
    run.skipped = writer.report.skipped[:1000]
    run.save()
    record_event(
        Event.Kind.OTHER,
        subject=run,
        after={
            "action": "data.imported",
            "source": source.name,
            "counts": writer.report.counts,
            "skipped": len(writer.report.skipped),
        },
    )
    return writer.report


def slug_key(prefix: str, name: str) -> str:
    return f"{prefix}_{slugify(name).replace('-', '_')}"[:60]
