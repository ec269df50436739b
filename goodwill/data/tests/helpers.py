"""Building a customer with everything (mail, attachments, notes, events) and looking for them afterwards."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import connection

from goodwill.accounts.models import Agent
from goodwill.channels.email.intake import ingest_many
from goodwill.conversations.models import Conversation
from goodwill.conversations.services import add_note, add_reply
from goodwill.core.events import subscribed

ADDRESS = "dana.erasable@example.org"
PHONE = "+4930555123"


def mail(
    *,
    sender: str = ADDRESS,
    msgid: str = "m1@example.org",
    subject: str = "Broken kettle",
    body: str = "My kettle broke. Call me on +4930555123.",
    in_reply_to: str = "",
) -> bytes:
    head = (
        f"From: Dana Erasable <{sender}>\r\nTo: support@goodwill.test\r\nSubject: {subject}\r\n"
        f"Message-ID: <{msgid}>\r\nMIME-Version: 1.0\r\n"
    )
    if in_reply_to:
        head += f"In-Reply-To: <{in_reply_to}>\r\n"
    return (
        head
        + 'Content-Type: multipart/mixed; boundary="B"\r\n\r\n--B\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n'
        f'{body}\r\n--B\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename="receipt.txt"\r\n\r\n'
        f"Receipt for {sender}\r\n--B--\r\n"
    ).encode()


def customer_with_everything(agent: Agent) -> Conversation:
    """Two emails with attachments (raw mail stored), a reply naming them, an internal note."""
    with subscribed({}):
        ingest_many(
            [mail(), mail(msgid="m2@example.org", body="Any news? Dana", in_reply_to="m1@example.org")]
        )
        conversation = Conversation.objects.get(customer__identities__value=ADDRESS)
        from goodwill.customers.services import add_identity

        add_identity(conversation.customer, kind="phone", value=PHONE)
        add_reply(
            conversation, by=agent, text="Hello Dana, we will send a new kettle to dana.erasable@example.org."
        )
        add_note(conversation, by=agent, text="Dana Erasable called from +4930555123, very upset.")
    return conversation


def table_hits(needle: str) -> list[str]:
    """Every table and column (of every table in the database, not just models) holding `needle`."""
    hits = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            if table.endswith(("_fts_data", "_fts_idx", "_fts_docsize", "_fts_config", "_fts_content")):
                continue  # FTS5 internals are binary token data; searched through MATCH instead
            columns = [col.name for col in connection.introspection.get_table_description(cursor, table)]
            for column in columns:
                cast = f'CAST("{column}" AS TEXT)'
                cursor.execute(
                    f'SELECT COUNT(*) FROM "{table}" WHERE LOWER({cast}) LIKE %s', [f"%{needle.lower()}%"]
                )  # noqa: S608
                if cursor.fetchone()[0]:
                    hits.append(f"{table}.{column}")
    return hits


def file_hits(needle: str) -> list[str]:
    root = Path(settings.MEDIA_ROOT)
    found = []
    for path in root.rglob("*") if root.exists() else []:
        if path.is_file() and needle.encode().lower() in path.read_bytes().lower():
            found.append(str(path.relative_to(root)))
    return found


def search_hits(word: str) -> int:
    """Matches of `word` in the full-text index itself (FTS5 MATCH / tsvector @@)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            total = 0
            for table in ("search_message_fts", "search_conversation_fts", "search_customer_fts"):
                cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE {table} MATCH %s", [f'"{word}"'])  # noqa: S608
                total += cursor.fetchone()[0]
            return total
        cursor.execute(
            "SELECT COUNT(*) FROM conversations_message WHERE search_vector @@ plainto_tsquery('simple', %s)",
            [word],
        )
        return int(cursor.fetchone()[0])
