"""Zendesk: the account's JSON export (organizations.json, users.json, tickets.json; each
newline-delimited JSON or an API page like {"tickets": [...]}), tickets carrying their
`comments`. Attachment files are read from attachments/<attachment id>/<file_name> when
the export directory has them (Zendesk exports only their URLs)."""

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

STATUS = {
    "new": "new",
    "open": "open",
    "pending": "pending",
    "hold": "on_hold",
    "solved": "solved",
    "closed": "closed",
}
PRIORITY = {"low": 1, "normal": 2, "high": 3, "urgent": 4, None: 2}
CHANNEL = {
    "email": "email",
    "web": "webform",
    "web_form": "webform",
    "voice": "phone",
    "api": "api",
    "mobile": "api",
}


class ZendeskSource(Source):
    name = "zendesk"

    def __init__(self, path: Any) -> None:
        super().__init__(path)
        if not (self.path / "tickets.json").exists():
            raise ImportFailed(f"{self.path}: no tickets.json (expected a Zendesk JSON export directory).")

    def organisations(self) -> Iterator[Org]:
        for where, item in records(self.path / "organizations.json", "organizations"):
            yield Org(
                ext=text_id(need(item, "id", where)),
                name=str(need(item, "name", where)),
                domains=[str(d) for d in item.get("domain_names") or []],
                notes=str(item.get("notes") or ""),
            )

    def people(self) -> Iterator[Person]:
        for where, item in records(self.path / "users.json", "users"):
            role = item.get("role") or "end-user"
            yield Person(
                ext=text_id(need(item, "id", where)),
                email=str(item.get("email") or ""),
                name=str(item.get("name") or ""),
                phone=str(item.get("phone") or ""),
                org=text_id(item.get("organization_id")),
                is_agent=role in ("agent", "admin"),
                role="admin" if role == "admin" else "agent",
                time_zone=str(item.get("iana_time_zone") or ""),
                language=str(item.get("locale") or "")[:12],
            )

    def conversations(self) -> Iterator[Conv]:
        for where, item in records(self.path / "tickets.json", "tickets"):
            ticket_id = text_id(need(item, "id", where))
            status = str(item.get("status") or "open")
            if status not in STATUS and status != "deleted":
                raise ImportFailed(f"{where}: unknown ticket status {status!r}.")
            comments = item.get("comments")
            if comments is None:
                comments = []
            if not isinstance(comments, list):
                raise ImportFailed(f"{where}: 'comments' must be a list.")
            fields = {}
            for field in item.get("custom_fields") or []:
                if isinstance(field, dict) and field.get("value") not in (None, "", []):
                    fields[f"zendesk_field_{field.get('id')}"] = field["value"]
            via = (item.get("via") or {}).get("channel") or "email"
            yield Conv(
                ext=ticket_id,
                subject=str(item.get("subject") or item.get("raw_subject") or ""),
                status=STATUS.get(status, "closed"),
                requester=text_id(item.get("requester_id")),
                priority=PRIORITY.get(item.get("priority"), 2),
                assignee=text_id(item.get("assignee_id")),
                tags=[str(tag) for tag in item.get("tags") or []],
                custom_fields=fields,
                created_at=when(item.get("created_at"), f"{where} created_at"),
                updated_at=when(item.get("updated_at"), f"{where} updated_at"),
                channel=CHANNEL.get(via, "email"),
                messages=[self._comment(c, f"{where}, comment #{n}") for n, c in enumerate(comments, 1)],
                skip_reason="deleted in Zendesk" if status == "deleted" else "",
            )

    def _comment(self, comment: Any, where: str) -> Msg:
        if not isinstance(comment, dict):
            raise ImportFailed(f"{where}: expected an object.")
        system = (comment.get("metadata") or {}).get("system") or {}
        return Msg(
            ext=text_id(need(comment, "id", where)),
            author=text_id(comment.get("author_id")),
            public=bool(comment.get("public", True)),
            text=str(comment.get("plain_body") or comment.get("body") or ""),
            html=str(comment.get("html_body") or ""),
            created_at=when(comment.get("created_at"), f"{where} created_at"),
            message_id=str(system.get("message_id") or ""),
            attachments=[
                Attach(
                    filename=str(a.get("file_name") or "attachment"),
                    content_type=str(a.get("content_type") or "application/octet-stream"),
                    path=self.path / "attachments" / text_id(a.get("id")) / safe_name(a.get("file_name")),
                )
                for a in comment.get("attachments") or []
                if isinstance(a, dict)
            ],
        )
