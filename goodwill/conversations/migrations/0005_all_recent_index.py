"""An index on (last_message_at, id) over every conversation, whatever its status.

The open-only partial indexes cover the built-in views. A filter that does not limit
the status (an ad-hoc `?tag=…` or `?channel=…`, a saved view) sorted by latest or oldest
activity walks this one and stops after a page, instead of sorting every matching row.

Plain SQL, the same on SQLite and PostgreSQL, and not in the model's Meta.indexes.
Caution: a later SQLite table-remaking migration on conversations_conversation rebuilds
only the indexes the model declares and would lose this one;
test_selectors_inbox.test_a_tag_filter_walks_the_all_recent_index notices.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("conversations", "0004_open_priority_index"),
    ]

    operations = [
        migrations.RunSQL(
            sql="CREATE INDEX IF NOT EXISTS conv_all_recent ON conversations_conversation (last_message_at, id)",
            reverse_sql="DROP INDEX IF EXISTS conv_all_recent",
        ),
    ]
