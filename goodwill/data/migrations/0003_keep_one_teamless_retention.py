# Before the constraint that works (0004): keep one retention policy for conversations without a
# team. The old constraint (a unique index on team where team is null) let concurrent saves make
# several, since NULLs never collide.

from django.db import migrations


def keep_one(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Keep the switched-on one if any (else the oldest): it is the one the nightly run applied first."""
    RetentionPolicy = apps.get_model("data", "RetentionPolicy")
    teamless = list(
        RetentionPolicy.objects.filter(team__isnull=True)
        .order_by("-is_active", "pk")
        .values_list("pk", flat=True)
    )
    if len(teamless) > 1:
        RetentionPolicy.objects.filter(pk__in=teamless[1:]).delete()


class Migration(migrations.Migration):
    dependencies = [("data", "0002_data_export")]

    operations = [migrations.RunPython(keep_one, migrations.RunPython.noop)]
