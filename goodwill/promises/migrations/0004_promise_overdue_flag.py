# Fills Conversation.promise_overdue (conversations 0013) from the open promises past their due
# time; promises.services.refresh_overdue_flags keeps it from here on.

from django.db import migrations


def flag(apps, schema_editor):  # type: ignore[no-untyped-def]
    Conversation = apps.get_model("conversations", "Conversation")
    Promise = apps.get_model("promises", "Promise")
    overdue = Promise.objects.filter(state="open", overdue_at__isnull=False)
    Conversation.objects.filter(pk__in=overdue.values("conversation_id")).update(promise_overdue=True)


class Migration(migrations.Migration):
    dependencies = [
        ("conversations", "0013_conversation_promise_overdue"),
        ("promises", "0003_promise_team"),
    ]

    operations = [migrations.RunPython(flag, migrations.RunPython.noop)]
