"""PostgreSQL refuses UPDATE and DELETE on the audit tables (a row trigger). TRUNCATE, used only by
test teardown and never by the app, is not a row operation and stays possible. SQLite (the embedded
default) has no such trigger: there the app's services and the admin are the guard."""

from django.db import migrations

from audit.tables import FUNCTION_SQL, drop_sql, trigger_sql

# The tables of this migration's time; later migrations add their own.
AUDIT_TABLES = ("accounts_teamsettingchange", "interactions_levelchange", "recovery_caseevent", "recovery_bendevent")


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION_SQL, params=None)
    for table in AUDIT_TABLES:
        schema_editor.execute(trigger_sql(table))


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in AUDIT_TABLES:
        schema_editor.execute(drop_sql(table))
    schema_editor.execute("DROP FUNCTION IF EXISTS cxportal_refuse_audit_change();")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("interactions", "0001_initial"),
        ("recovery", "0001_initial"),
    ]
    operations = [migrations.RunPython(install, uninstall)]
