"""An index for the lists' pages: a team's interactions newest first by id.

On PostgreSQL it is built CONCURRENTLY, so logging goes on while a large table is indexed (the
migration is therefore not atomic); SQLite builds it the ordinary way.
"""

from django.db import migrations, models

INDEX = models.Index(fields=["team", "-id"], name="interaction_team_newest")


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS interaction_team_newest ON interactions_interaction (team_id, id DESC)"
        )
    else:
        schema_editor.add_index(apps.get_model("interactions", "Interaction"), INDEX)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX CONCURRENTLY IF EXISTS interaction_team_newest")
    else:
        schema_editor.remove_index(apps.get_model("interactions", "Interaction"), INDEX)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("interactions", "0003_channels_reasons_corrections")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddIndex(model_name="interaction", index=INDEX)],
            database_operations=[migrations.RunPython(create, drop)],
        )
    ]
