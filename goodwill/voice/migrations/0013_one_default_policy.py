# One default survey policy (a row without a team): two could be made by concurrent submits.

import django.db.models.lookups
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_team_accepts_internal_requests"),
        ("voice", "0012_keep_one_default_policy"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="surveypolicy",
            constraint=models.UniqueConstraint(
                django.db.models.lookups.IsNull(models.F("team"), True),
                condition=models.Q(("team__isnull", True)),
                name="voice_one_default_policy",
            ),
        ),
    ]
