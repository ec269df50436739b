"""Full-text indexes: FTS5 tables and triggers on SQLite, GIN expression indexes on PostgreSQL."""

from django.db import migrations

from goodwill.search import schema


def forwards(apps, schema_editor):
    schema.install(schema_editor.connection)


def backwards(apps, schema_editor):
    schema.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("conversations", "0001_initial"),
        ("customers", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
