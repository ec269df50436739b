"""PostgreSQL: index messages through a stored generated tsvector column (see schema.py)."""

from django.db import migrations

from goodwill.search import schema


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema.create(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_search_indexes")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=False)]
