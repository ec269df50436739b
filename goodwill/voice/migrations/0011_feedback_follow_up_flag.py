# Fills Conversation.feedback_follow_up (conversations 0011) from the surveys that wait for a
# follow-up; voice.services keeps it from here on.

from django.db import migrations


def flag(apps, schema_editor):  # type: ignore[no-untyped-def]
    Conversation = apps.get_model("conversations", "Conversation")
    Survey = apps.get_model("voice", "Survey")
    flagged = Survey.objects.filter(needs_follow_up=True, followed_up_at__isnull=True)
    Conversation.objects.filter(pk__in=flagged.values("conversation_id")).update(feedback_follow_up=True)


class Migration(migrations.Migration):
    dependencies = [
        ("conversations", "0011_conversation_feedback_follow_up"),
        ("voice", "0010_extra_mile_created"),
    ]

    operations = [migrations.RunPython(flag, migrations.RunPython.noop)]
