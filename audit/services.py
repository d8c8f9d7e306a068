"""Writing the audit trail: called by the service that makes the change, in its transaction."""

from .models import AuditEntry


def audit_record(*, actor, action: str, subject: str, old="", new="", team_id: int | None = None) -> AuditEntry:
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        actor_name=actor.get_username() if actor is not None else "",
        action=action,
        subject=subject[:200],
        team_id=team_id,
        old_value=str(old),
        new_value=str(new),
    )


def audit_changes(*, actor, kind: str, subject: str, before: dict, after: dict, team_id: int | None = None, values: bool = True) -> int:
    """One row per field whose value changed (`kind.field`). `values=False` records which fields
    changed but not their values: a customer's personal data stays out of a trail that is never erased."""
    changed = [field for field in after if before.get(field) != after[field]]
    for field in changed:
        audit_record(
            actor=actor, action=f"{kind}.{field}", subject=subject, team_id=team_id,
            old=before.get(field, "") if values else "", new=after[field] if values else "",
        )
    return len(changed)
