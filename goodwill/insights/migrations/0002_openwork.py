# Workload's "open now" from a table of the open conversations (issue 15), filled from them here.

from django.db import migrations, models


def fill_open_work(apps, schema_editor):
    """One set-based INSERT … SELECT over the open conversations (their partial index), never the
    history; the refresh and the rebuild keep the table afterwards."""
    conversation = apps.get_model("conversations", "Conversation")._meta.db_table
    customer = apps.get_model("customers", "Customer")._meta.db_table
    open_work = apps.get_model("insights", "OpenWork")._meta.db_table
    schema_editor.execute(
        f"INSERT INTO {open_work} (conversation_id, team_id, channel, need_id, agent_id, organisation_id, internal) "
        f"SELECT c.id, COALESCE(c.team_id, 0), c.channel, COALESCE(c.need_id, 0), COALESCE(c.assignee_id, 0), "
        f"COALESCE(k.organisation_id, 0), k.is_internal FROM {conversation} c JOIN {customer} k ON k.id = c.customer_id "
        f"WHERE c.status NOT IN ('solved', 'closed')"
    )


class Migration(migrations.Migration):

    dependencies = [
        ('conversations', '0009_saved_view_any_sort'),
        ('customers', '0002_organisation_value'),
        ('insights', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='OpenWork',
            fields=[
                ('team_id', models.IntegerField(default=0)),
                ('channel', models.CharField(blank=True, max_length=10)),
                ('need_id', models.IntegerField(default=0)),
                ('agent_id', models.IntegerField(default=0)),
                ('organisation_id', models.IntegerField(default=0)),
                ('internal', models.BooleanField(default=False)),
                ('conversation_id', models.BigIntegerField(primary_key=True, serialize=False)),
            ],
            options={
                'indexes': [models.Index(fields=['team_id', 'agent_id'], name='insights_open_team'), models.Index(fields=['agent_id'], name='insights_open_agent'), models.Index(fields=['organisation_id'], name='insights_open_org')],
            },
        ),
        migrations.RunPython(fill_open_work, migrations.RunPython.noop),
    ]
