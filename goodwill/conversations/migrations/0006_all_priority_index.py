"""(priority, last_message_at, id) over every conversation, for "Highest priority" filters.

With 0005's (last_message_at, id) and conv_created, the sorts "recent", "oldest",
"created" and "priority" have an index in their order over all conversations, so a
filtered page walks one and stops after a page. ("waiting" has none on purpose: a
partial index on waiting_since lures SQLite away from conv_open_waiting for the
built-in view.) Same caution as 0005: plain SQL, not in the model's Meta.indexes, lost
by a SQLite table remake.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("conversations", "0005_all_recent_index"),
    ]

    operations = [
        migrations.RunSQL(
            sql="CREATE INDEX IF NOT EXISTS conv_all_priority ON conversations_conversation "
            "(priority, last_message_at, id)",
            reverse_sql="DROP INDEX IF EXISTS conv_all_priority",
        ),
    ]
