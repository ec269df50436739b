"""The nearest SLA due time on each conversation (kept by the expectations app) and the
partial indexes that make "Breaching soon" and the "time left" sort range scans, over every
open conversation, per assignee and per team."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('conversations', '0007_all_indexes_in_model_state'),
    ]

    operations = [
        migrations.AddField(
            model_name='conversation',
            name='sla_due_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name='conversation',
            index=models.Index(condition=models.Q(models.Q(('status__in', ['solved', 'closed']), _negated=True), ('sla_due_at__isnull', False)), fields=['sla_due_at', 'id'], name='conv_open_sla_due'),
        ),
        migrations.AddIndex(
            model_name='conversation',
            index=models.Index(condition=models.Q(models.Q(('status__in', ['solved', 'closed']), _negated=True), ('sla_due_at__isnull', False)), fields=['assignee', 'sla_due_at', 'id'], name='conv_open_assignee_sla_due'),
        ),
        migrations.AddIndex(
            model_name='conversation',
            index=models.Index(condition=models.Q(models.Q(('status__in', ['solved', 'closed']), _negated=True), ('sla_due_at__isnull', False)), fields=['team', 'sla_due_at', 'id'], name='conv_open_team_sla_due'),
        ),
    ]
