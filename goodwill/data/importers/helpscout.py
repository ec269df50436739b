"""Help Scout: conversations JSON from the Mailbox API 2.0 (a list, an API page
{"_embedded": {"conversations": [...]}}, or one conversation a line), each with its
threads embedded (`?embed=threads`). Customers and users come from the conversations
(and users.json when present). Customer and user ids are separate number spaces in Help
Scout, so they are kept apart here ("c…" / "u…")."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from goodwill.data.importers.base import (
    Attach,
    Conv,
    ImportFailed,
    Msg,
    Person,
    Source,
    need,
    records,
    safe_name,
    text_id,
    when,
)

STATUS = {"active": "open", "open": "open", "pending": "pending", "closed": "closed", "spam": "closed"}
MESSAGE_TYPES = {"customer", "message", "note", "phone", "chat", "reply"}


def _person_id(who: dict[str, Any]) -> str:
    prefix = "u" if who.get("type") == "user" else "c"
    return prefix + text_id(who.get("id"))


def _name(who: dict[str, Any]) -> str:
    return " ".join(part for part in (who.get("first"), who.get("last")) if part)


class HelpScoutSource(Source):
    name = "helpscout"

    def __init__(self, path: Any) -> None:
        super().__init__(path)
        self.file = self.path / "conversations.json" if self.path.is_dir() else self.path
        if not self.file.exists():
            raise ImportFailed(
                f"{self.path}: no conversations.json (expected a Help Scout conversations export)."
            )

    def _raw(self) -> Iterator[tuple[str, dict[str, Any]]]:
        return records(self.file, "conversations")

    def people(self) -> Iterator[Person]:
        seen: set[str] = set()
        if self.path.is_dir():
            for where, user in records(self.path / "users.json", "users"):
                ext = "u" + text_id(need(user, "id", where))
                seen.add(ext)
                yield Person(ext=ext, email=str(user.get("email") or ""), name=_name(user), is_agent=True)
        for _where, item in self._raw():
            people = [item.get("primaryCustomer") or {}]
            for thread in (item.get("_embedded") or {}).get("threads") or []:
                if isinstance(thread, dict):
                    people += [thread.get("createdBy") or {}, thread.get("customer") or {}]
            for who in people:
                if not isinstance(who, dict) or who.get("id") is None:
                    continue
                ext = _person_id(who)
                if ext in seen:
                    continue
                seen.add(ext)
                yield Person(
                    ext=ext, email=str(who.get("email") or ""), name=_name(who), is_agent=ext.startswith("u")
                )

    def conversations(self) -> Iterator[Conv]:
        for where, item in self._raw():
            ext = text_id(need(item, "id", where))
            status = str(item.get("status") or "active")
            if status not in STATUS:
                raise ImportFailed(f"{where}: unknown conversation status {status!r}.")
            threads = (item.get("_embedded") or {}).get("threads")
            if threads is None:
                threads = []
            if not isinstance(threads, list):
                raise ImportFailed(f"{where}: '_embedded.threads' must be a list.")
            customer = item.get("primaryCustomer") or {}
            fields = {
                f"helpscout_{text_id(field.get('name') or field.get('id')).lower().replace(' ', '_')}": field.get(
                    "text"
                )
                or field.get("value")
                for field in item.get("customFields") or []
                if isinstance(field, dict) and (field.get("text") or field.get("value"))
            }
            messages = [
                self._thread(thread, f"{where}, thread #{n}")
                for n, thread in enumerate(threads, 1)
                if isinstance(thread, dict)
                and thread.get("type") in MESSAGE_TYPES
                and thread.get("state") != "draft"
            ]
            assignee = item.get("assignee") or {}
            yield Conv(
                ext=ext,
                subject=str(item.get("subject") or ""),
                status=STATUS[status],
                requester=_person_id({"type": "customer", "id": customer.get("id")})
                if customer.get("id")
                else "",
                assignee=("u" + text_id(assignee.get("id"))) if assignee.get("id") else "",
                tags=[
                    str(t.get("tag")) for t in item.get("tags") or [] if isinstance(t, dict) and t.get("tag")
                ],
                custom_fields={key: value for key, value in fields.items() if key},
                created_at=when(item.get("createdAt"), f"{where} createdAt"),
                updated_at=when(item.get("closedAt") or item.get("userUpdatedAt"), f"{where} updated"),
                channel={"phone": "phone", "chat": "api"}.get(str(item.get("type")), "email"),
                messages=sorted(messages, key=lambda m: (m.created_at is None, m.created_at)),
                skip_reason="spam in Help Scout" if status == "spam" else "",
            )

    def _thread(self, thread: dict[str, Any], where: str) -> Msg:
        author = thread.get("createdBy") or {}
        attachments = (thread.get("_embedded") or {}).get("attachments") or []
        return Msg(
            ext=text_id(need(thread, "id", where)),
            author=_person_id(author) if author.get("id") is not None else "",
            public=thread.get("type") != "note",
            text="",
            html=str(thread.get("body") or ""),
            created_at=when(thread.get("createdAt"), f"{where} createdAt"),
            attachments=[
                Attach(
                    filename=safe_name(a.get("filename")),
                    content_type=str(a.get("mimeType") or "application/octet-stream"),
                    path=self.path / "attachments" / text_id(a.get("id")) / safe_name(a.get("filename")),
                )
                for a in attachments
                if isinstance(a, dict)
            ],
        )
