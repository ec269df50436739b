"""The full-text indexes behind search, one set per database engine.

SQLite: FTS5 external-content tables, kept in step with the base tables by SQL
triggers (so bulk inserts and raw updates are indexed too). A message is indexed by
what is new in it (quotes and signature removed), falling back to its full text.
No SQL view is involved on purpose: a view naming a base table makes SQLite refuse the
table rename at the end of Django's table-remaking migrations. Such a migration drops
the triggers with the old table; `ensure_sqlite_triggers` (run after every migrate)
puts them back and rebuilds.

PostgreSQL: a generated `search_vector` column on messages and GIN indexes on it and
on `to_tsvector('simple', …)` expressions of subjects and names. The database keeps
them current by itself; queries repeat the exact same expressions so the planner can
use the indexes.
"""

# SQL here is assembled from constants and %s placeholders only; user input is always a parameter.
# ruff: noqa: S608

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

# --- SQLite -------------------------------------------------------------------------

MESSAGE_BODY = "COALESCE(NULLIF({row}.new_text, ''), {row}.text)"
TOKENIZE = "unicode61 remove_diacritics 2"

SQLITE_TABLES = {
    "search_message_fts": ("new_text", "conversations_message"),
    "search_conversation_fts": ("subject", "conversations_conversation"),
    "search_customer_fts": ("name, preferred_name", "customers_customer"),
}

# Rebuild statements: FTS5's own 'rebuild' reads raw columns, messages need the fallback.
SQLITE_REBUILD = {
    "search_message_fts": (
        "INSERT INTO search_message_fts(rowid, new_text) "
        f"SELECT id, {MESSAGE_BODY.format(row='conversations_message')} FROM conversations_message"
    ),
    "search_conversation_fts": "INSERT INTO search_conversation_fts(search_conversation_fts) VALUES ('rebuild')",
    "search_customer_fts": "INSERT INTO search_customer_fts(search_customer_fts) VALUES ('rebuild')",
}

SQLITE_CREATE = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS search_message_fts USING fts5("
    f"new_text, content='conversations_message', content_rowid='id', tokenize='{TOKENIZE}')",
    f"CREATE VIRTUAL TABLE IF NOT EXISTS search_conversation_fts USING fts5("
    f"subject, content='conversations_conversation', content_rowid='id', tokenize='{TOKENIZE}')",
    f"CREATE VIRTUAL TABLE IF NOT EXISTS search_customer_fts USING fts5("
    f"name, preferred_name, content='customers_customer', content_rowid='id', tokenize='{TOKENIZE}')",
]


def _sqlite_triggers() -> dict[str, str]:
    new_body = MESSAGE_BODY.format(row="new")
    old_body = MESSAGE_BODY.format(row="old")
    return {
        "search_message_ai": (
            "CREATE TRIGGER IF NOT EXISTS search_message_ai AFTER INSERT ON conversations_message BEGIN "
            f"INSERT INTO search_message_fts(rowid, new_text) VALUES (new.id, {new_body}); END"
        ),
        "search_message_ad": (
            "CREATE TRIGGER IF NOT EXISTS search_message_ad AFTER DELETE ON conversations_message BEGIN "
            "INSERT INTO search_message_fts(search_message_fts, rowid, new_text) "
            f"VALUES ('delete', old.id, {old_body}); END"
        ),
        "search_message_au": (
            "CREATE TRIGGER IF NOT EXISTS search_message_au AFTER UPDATE ON conversations_message "
            "WHEN old.text IS NOT new.text OR old.new_text IS NOT new.new_text OR old.id IS NOT new.id BEGIN "
            "INSERT INTO search_message_fts(search_message_fts, rowid, new_text) "
            f"VALUES ('delete', old.id, {old_body}); "
            f"INSERT INTO search_message_fts(rowid, new_text) VALUES (new.id, {new_body}); END"
        ),
        "search_conversation_ai": (
            "CREATE TRIGGER IF NOT EXISTS search_conversation_ai AFTER INSERT ON conversations_conversation "
            "BEGIN INSERT INTO search_conversation_fts(rowid, subject) VALUES (new.id, new.subject); END"
        ),
        "search_conversation_ad": (
            "CREATE TRIGGER IF NOT EXISTS search_conversation_ad AFTER DELETE ON conversations_conversation "
            "BEGIN INSERT INTO search_conversation_fts(search_conversation_fts, rowid, subject) "
            "VALUES ('delete', old.id, old.subject); END"
        ),
        "search_conversation_au": (
            "CREATE TRIGGER IF NOT EXISTS search_conversation_au AFTER UPDATE ON conversations_conversation "
            "WHEN old.subject IS NOT new.subject OR old.id IS NOT new.id BEGIN "
            "INSERT INTO search_conversation_fts(search_conversation_fts, rowid, subject) "
            "VALUES ('delete', old.id, old.subject); "
            "INSERT INTO search_conversation_fts(rowid, subject) VALUES (new.id, new.subject); END"
        ),
        "search_customer_ai": (
            "CREATE TRIGGER IF NOT EXISTS search_customer_ai AFTER INSERT ON customers_customer BEGIN "
            "INSERT INTO search_customer_fts(rowid, name, preferred_name) "
            "VALUES (new.id, new.name, new.preferred_name); END"
        ),
        "search_customer_ad": (
            "CREATE TRIGGER IF NOT EXISTS search_customer_ad AFTER DELETE ON customers_customer BEGIN "
            "INSERT INTO search_customer_fts(search_customer_fts, rowid, name, preferred_name) "
            "VALUES ('delete', old.id, old.name, old.preferred_name); END"
        ),
        "search_customer_au": (
            "CREATE TRIGGER IF NOT EXISTS search_customer_au AFTER UPDATE ON customers_customer "
            "WHEN old.name IS NOT new.name OR old.preferred_name IS NOT new.preferred_name "
            "OR old.id IS NOT new.id BEGIN "
            "INSERT INTO search_customer_fts(search_customer_fts, rowid, name, preferred_name) "
            "VALUES ('delete', old.id, old.name, old.preferred_name); "
            "INSERT INTO search_customer_fts(rowid, name, preferred_name) "
            "VALUES (new.id, new.name, new.preferred_name); END"
        ),
    }


SQLITE_TRIGGERS = _sqlite_triggers()

# --- PostgreSQL ---------------------------------------------------------------------

# Messages carry a stored, generated tsvector column: checking a row against the query
# is then cheap, so for a common word PostgreSQL can walk messages newest-first and stop
# after a page, instead of collecting every match from the GIN index and sorting them.
PG_MESSAGE_BODY = "COALESCE(NULLIF({row}.new_text, ''), {row}.\"text\")"
PG_MESSAGE_VECTOR = "{row}.search_vector"
PG_CONVERSATION_VECTOR = "to_tsvector('simple'::regconfig, {row}.subject)"
PG_CUSTOMER_VECTOR = "to_tsvector('simple'::regconfig, {row}.name || ' ' || {row}.preferred_name)"

PG_CREATE = [
    "ALTER TABLE conversations_message ADD COLUMN IF NOT EXISTS search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, "
    + PG_MESSAGE_BODY.format(row="conversations_message")
    + ")) STORED",
    "CREATE INDEX IF NOT EXISTS search_message_tsv ON conversations_message USING gin (search_vector)",
    "CREATE INDEX IF NOT EXISTS search_conversation_vector ON conversations_conversation USING gin ("
    + PG_CONVERSATION_VECTOR.format(row="conversations_conversation")
    + ")",
    "CREATE INDEX IF NOT EXISTS search_customer_vector ON customers_customer USING gin ("
    + PG_CUSTOMER_VECTOR.format(row="customers_customer")
    + ")",
    # The first version indexed an expression instead of the stored column.
    "DROP INDEX IF EXISTS search_message_vector",
]

# New rows go straight into the GIN indexes. With the default pending list (up to 4 MB,
# merged only when full or by VACUUM), every search scanned the whole list of recent rows:
# after some thousands of new messages each search read hundreds of pending pages.
# Planner statistics keep the 10,000 most common lexemes, not 1,000 (ANALYZE samples
# 300,000 rows instead of 30,000), so words down to about 0.03% of rows carry a frequency
# that `postgres.pg_plan` can size its id ranges from and counts can be estimated from.
PG_STATISTICS = 1000
PG_TUNE = [
    *(
        f"ALTER INDEX {name} SET (fastupdate = off)"
        for name in ("search_message_tsv", "search_conversation_vector", "search_customer_vector")
    ),
    f"ALTER TABLE conversations_message ALTER COLUMN search_vector SET STATISTICS {PG_STATISTICS}",
    f"ALTER INDEX search_conversation_vector ALTER COLUMN 1 SET STATISTICS {PG_STATISTICS}",
]
PG_INDEXES = ["search_message_tsv", "search_conversation_vector", "search_customer_vector"]
PG_DROP = [
    "DROP INDEX IF EXISTS search_message_tsv",
    "ALTER TABLE conversations_message DROP COLUMN IF EXISTS search_vector",
    "DROP INDEX IF EXISTS search_conversation_vector",
    "DROP INDEX IF EXISTS search_customer_vector",
]


# --- both -------------------------------------------------------------------------


def install(connection: BaseDatabaseWrapper) -> None:
    """Create the indexes (and, on SQLite, fill them from the base tables)."""
    create(connection)
    rebuild(connection)


def create(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for statement in SQLITE_CREATE:
                cursor.execute(statement)
            for statement in SQLITE_TRIGGERS.values():
                cursor.execute(statement)
        elif connection.vendor == "postgresql":
            for statement in PG_CREATE + PG_TUNE:
                cursor.execute(statement)


def uninstall(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name in SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            for table in SQLITE_TABLES:
                cursor.execute(f"DROP TABLE IF EXISTS {table}")
        elif connection.vendor == "postgresql":
            for statement in PG_DROP:
                cursor.execute(statement)


def drop_pg_indexes(connection: BaseDatabaseWrapper) -> None:
    """Drop only the GIN indexes (for a bulk load); `create` puts them back.

    The generated column stays: COPY fills it row by row, while adding it after the
    load would rewrite the whole message table and every index on it.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for name in PG_INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")


def missing_sqlite_triggers(connection: BaseDatabaseWrapper) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'search\\_%' ESCAPE '\\'"
        )
        present = {row[0] for row in cursor.fetchall()}
    return [name for name in SQLITE_TRIGGERS if name not in present]


def rebuild(connection: BaseDatabaseWrapper) -> None:
    """Refill the SQLite indexes from the base tables; on PostgreSQL refresh planner statistics."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for table, statement in SQLITE_REBUILD.items():
                cursor.execute(f"INSERT INTO {table}({table}) VALUES ('delete-all')")
                cursor.execute(statement)
                cursor.execute(f"INSERT INTO {table}({table}) VALUES ('optimize')")
        elif connection.vendor == "postgresql":
            # The expression indexes are always current; the planner needs fresh statistics
            # on them after bulk loads to choose between the GIN index and a scan by id.
            cursor.execute("ANALYZE conversations_message, conversations_conversation, customers_customer")


def drop_sqlite_triggers(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for name in SQLITE_TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def ensure_sqlite_triggers(connection: BaseDatabaseWrapper) -> bool:
    """Recreate triggers a table-remaking migration dropped; rebuild if any were missing."""
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'search_message_fts'")
        if cursor.fetchone() is None:
            return False  # search's migration has not run (yet)
    if not missing_sqlite_triggers(connection):
        return False
    create(connection)
    rebuild(connection)
    return True
