"""Two covering indexes the radar reads its periods from (docs/radar.md, "What the radar adds to the
database"): a team's interactions of a period and a gesture's deliveries of a period, with the
columns the radar counts, so PostgreSQL answers from the index alone instead of visiting one table
page per row (the rows of a period lie scattered over the table). PostgreSQL only: SQLite has no
INCLUDE, and its test databases are small. Built CONCURRENTLY: logging goes on while they build."""

from django.db import migrations

INDEXES = {
    "radar_interaction_period": "interactions_interaction (team_id, occurred_at) INCLUDE (customer_id, level, id)",
    "radar_delivery_period": "interactions_gesturedelivery (gesture_id, delivered_at) INCLUDE (customer_id)",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {definition}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [
        ("radar", "0001_initial"),
        ("interactions", "0007_merge_0006_customer_voice_0006_occasions"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
