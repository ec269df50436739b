# Joint statistics for two built-in views' conditions, on PostgreSQL (SQLite has no equivalent
# and walks these views' indexes already). Status and `waiting_since IS NOT NULL`, status and
# `assignee IS NULL` are correlated (closed conversations wait for nobody; most of them have an
# assignee), so multiplying their shares under-estimated "Waiting longest" 200-fold (15 rows for
# 3,217 at 100k) and "Unassigned" 9-fold: the planner bitmap-read every match, joined their
# customers and sorted them (30 ms and 3.6 ms at 100k) instead of walking conv_open_waiting and
# conv_open_recent for one page (0.5 and 0.9 ms). bench/README.md, "Bad feedback".

from django.db import migrations

STATISTICS = {
    "conv_status_waiting_mcv": "status, waiting_since",
    "conv_status_assignee_mcv": "status, assignee_id",
}


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, columns in STATISTICS.items():
        schema_editor.execute(
            f"CREATE STATISTICS IF NOT EXISTS {name} (mcv) ON {columns} FROM conversations_conversation"
        )
    schema_editor.execute("ANALYZE conversations_conversation")


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in STATISTICS:
        schema_editor.execute(f"DROP STATISTICS IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("conversations", "0011_conversation_feedback_follow_up")]

    operations = [migrations.RunPython(create, drop)]
