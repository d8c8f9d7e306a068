"""The append-only audit tables: every state change of a case, bend, level and setting."""

AUDIT_TABLES = (  # every append-only table; each migration of audit/ installs the triggers of its own
    "accounts_teamsettingchange",
    "interactions_levelchange",
    "recovery_caseevent",
    "recovery_bendevent",
    "audit_auditentry",  # 0002
    "interactions_interactioncorrection",  # 0003: corrections of an interaction's facts
)

FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION cxportal_refuse_audit_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit rows in % are append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def trigger_sql(table: str) -> str:
    return (
        f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}; "
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION cxportal_refuse_audit_change();"
    )


def drop_sql(table: str) -> str:
    return f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};"
