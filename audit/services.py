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
