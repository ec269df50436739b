"""The articles' full-text index (see knowledge/index.py)."""

from django.db import migrations

from goodwill.knowledge import index


def forwards(apps, schema_editor):
    index.install(schema_editor.connection)


def backwards(apps, schema_editor):
    index.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
