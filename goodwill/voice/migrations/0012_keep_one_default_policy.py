# Before the one-default constraint (0012): merge the default survey policies made by concurrent submits.

from django.db import migrations


def keep_one_default(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Keep the oldest default (the one that was in use); its missing languages come from the others."""
    SurveyPolicy = apps.get_model("voice", "SurveyPolicy")
    SurveyWording = apps.get_model("voice", "SurveyWording")
    defaults = list(
        SurveyPolicy.objects.filter(team__isnull=True).order_by("pk").values_list("pk", flat=True)
    )
    if len(defaults) < 2:
        return
    kept, extra = defaults[0], defaults[1:]
    languages = set(SurveyWording.objects.filter(policy_id=kept).values_list("language", flat=True))
    for wording in SurveyWording.objects.filter(policy_id__in=extra).order_by("policy_id", "pk"):
        if wording.language not in languages:
            SurveyWording.objects.filter(pk=wording.pk).update(policy_id=kept)
            languages.add(wording.language)
    SurveyPolicy.objects.filter(pk__in=extra).delete()


class Migration(migrations.Migration):
    """Apart from the constraint (0012): on PostgreSQL an index cannot be built in the transaction
    that deleted rows another table's deferred foreign keys point at."""

    dependencies = [("voice", "0011_feedback_follow_up_flag")]

    operations = [migrations.RunPython(keep_one_default, migrations.RunPython.noop)]
