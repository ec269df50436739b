"""Freshdesk: JSON dumps of its API v2 (companies.json, contacts.json, agents.json,
tickets.json, and conversations/<ticket id>.json holding GET /tickets/{id}/conversations).
The ticket's description is its first message. Attachment files are read from
attachments/<attachment id>/<name> when present."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from goodwill.data.importers.base import (
    Attach,
    Conv,
    ImportFailed,
    Msg,
    Org,
    Person,
    Source,
    need,
    records,
    safe_name,
    text_id,
    when,
)

STATUS = {2: "open", 3: "pending", 4: "solved", 5: "closed"}
CHANNEL = {1: "email", 2: "portal", 3: "phone", 7: "api", 9: "webform", 10: "email"}


class FreshdeskSource(Source):
    name = "freshdesk"

    def __init__(self, path: Any) -> None:
        super().__init__(path)
        if not (self.path / "tickets.json").exists():
            raise ImportFailed(f"{self.path}: no tickets.json (expected a directory of Freshdesk API dumps).")

    def organisations(self) -> Iterator[Org]:
        for where, item in records(self.path / "companies.json", "companies"):
            yield Org(
                ext=text_id(need(item, "id", where)),
                name=str(need(item, "name", where)),
                domains=[str(d) for d in item.get("domains") or []],
                notes=str(item.get("note") or item.get("description") or ""),
            )

    def people(self) -> Iterator[Person]:
        for where, item in records(self.path / "agents.json", "agents"):
            contact = item.get("contact") or {}
            yield Person(
                ext=text_id(need(item, "id", where)),
                email=str(contact.get("email") or ""),
                name=str(contact.get("name") or ""),
                is_agent=True,
                role="admin" if item.get("type") == "account_admin" else "agent",
            )
        for where, item in records(self.path / "contacts.json", "contacts"):
            yield Person(
                ext=text_id(need(item, "id", where)),
                email=str(item.get("email") or ""),
                name=str(item.get("name") or ""),
                phone=str(item.get("phone") or item.get("mobile") or ""),
                org=text_id(item.get("company_id")),
                time_zone="",
                language=str(item.get("language") or "")[:12],
            )

    def conversations(self) -> Iterator[Conv]:
        for where, item in records(self.path / "tickets.json", "tickets"):
            ticket_id = text_id(need(item, "id", where))
            status = item.get("status", 2)
            if not isinstance(status, int):
                raise ImportFailed(f"{where}: status must be a number, not {status!r}.")
            requester = text_id(item.get("requester_id"))
            created = when(item.get("created_at"), f"{where} created_at")
            first = Msg(
                ext=f"t{ticket_id}",
                author=requester,
                public=True,
                text=str(item.get("description_text") or ""),
                html=str(item.get("description") or ""),
                created_at=created,
                attachments=self._attachments(item.get("attachments")),
            )
            replies = [
                self._conversation(entry, f"conversations/{ticket_id}.json, #{n}")
                for n, (_where, entry) in enumerate(
                    records(self.path / "conversations" / f"{ticket_id}.json", "conversations"), 1
                )
            ]
            fields = {
                f"freshdesk_{key}": value
                for key, value in (item.get("custom_fields") or {}).items()
                if value not in (None, "", [])
            }
            yield Conv(
                ext=ticket_id,
                subject=str(item.get("subject") or ""),
                status=STATUS.get(status, "open"),
                requester=requester,
                priority=int(item.get("priority") or 2),
                assignee=text_id(item.get("responder_id")),
                tags=[str(tag) for tag in item.get("tags") or []],
                custom_fields=fields,
                created_at=created,
                updated_at=when(item.get("updated_at"), f"{where} updated_at"),
                channel=CHANNEL.get(item.get("source"), "email"),  # type: ignore[arg-type]
                messages=[first, *replies] if first.text or first.html else replies,
                skip_reason="spam in Freshdesk"
                if item.get("spam")
                else ("deleted in Freshdesk" if item.get("deleted") else ""),
            )

    def _attachments(self, items: Any) -> list[Attach]:
        return [
            Attach(
                filename=safe_name(a.get("name")),
                content_type=str(a.get("content_type") or "application/octet-stream"),
                path=self.path / "attachments" / text_id(a.get("id")) / safe_name(a.get("name")),
            )
            for a in items or []
            if isinstance(a, dict)
        ]

    def _conversation(self, entry: dict[str, Any], where: str) -> Msg:
        return Msg(
            ext=text_id(need(entry, "id", where)),
            author=text_id(entry.get("user_id")),
            public=not entry.get("private", False),
            text=str(entry.get("body_text") or ""),
            html=str(entry.get("body") or ""),
            created_at=when(entry.get("created_at"), f"{where} created_at"),
            attachments=self._attachments(entry.get("attachments")),
        )
