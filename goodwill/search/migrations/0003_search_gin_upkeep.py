"""PostgreSQL: GIN indexes without a pending list, and more lexemes in the planner's statistics.

Both settings are catalogue changes (no rewrite, no index rebuild). The migration then
merges whatever pending entries the indexes hold and re-samples the message vectors for
the new statistics (`ANALYZE` of one column: at 1M conversations, 4.3M messages, see
bench/README.md "Search on PostgreSQL at 1M: GIN upkeep and sized id ranges").
Nothing to do on SQLite.
"""

from django.db import migrations

from goodwill.search import schema


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for statement in schema.PG_TUNE:
            cursor.execute(statement)
        for name in schema.PG_INDEXES:
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [name])
        cursor.execute("ANALYZE conversations_message (search_vector)")
        cursor.execute("ANALYZE conversations_conversation")


def backwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for name in schema.PG_INDEXES:
            cursor.execute(f"ALTER INDEX {name} RESET (fastupdate)")
        cursor.execute("ALTER TABLE conversations_message ALTER COLUMN search_vector SET STATISTICS -1")
        cursor.execute("ALTER INDEX search_conversation_vector ALTER COLUMN 1 SET STATISTICS -1")


class Migration(migrations.Migration):
    dependencies = [("search", "0002_message_search_vector")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
