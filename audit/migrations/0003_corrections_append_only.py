"""Corrections of an interaction's facts join the append-only audit tables (PostgreSQL trigger)."""

from django.db import migrations

from audit.tables import drop_sql, trigger_sql

TABLE = "interactions_interactioncorrection"


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(trigger_sql(TABLE))


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(drop_sql(TABLE))


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_audit_trail"),
        ("interactions", "0003_channels_reasons_corrections"),
    ]
    operations = [migrations.RunPython(install, uninstall)]
