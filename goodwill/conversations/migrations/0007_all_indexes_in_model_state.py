"""0005 and 0006 created conv_all_recent and conv_all_priority in plain SQL; now the model
declares them too, so a SQLite table remake rebuilds them. No change to the database."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("conversations", "0006_all_priority_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddIndex(
                    model_name="conversation",
                    index=models.Index(fields=["last_message_at", "id"], name="conv_all_recent"),
                ),
                migrations.AddIndex(
                    model_name="conversation",
                    index=models.Index(fields=["priority", "last_message_at", "id"], name="conv_all_priority"),
                ),
            ],
            database_operations=[],
        ),
    ]
