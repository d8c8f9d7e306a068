"""The team's rules: added and changed by its managers, every change audited."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import user_manages
from audit.services import audit_changes, audit_record

from ..models import Rule


def _clean_rule(rule: Rule) -> None:
    try:
        rule.full_clean()
    except ValidationError as exc:
        if "__all__" in getattr(exc, "error_dict", {}):
            raise ValidationError({"name": [_("This team already has a rule with this name.")]}) from exc
        raise


@transaction.atomic
def rule_create(*, actor: User, team, name: str, description: str = "", active: bool = True) -> Rule:
    if not user_manages(actor, team.id):
        raise PermissionDenied(_("Only the team's managers can add rules."))
    rule = Rule(team=team, name=name, description=description, active=active)
    _clean_rule(rule)
    rule.save()
    audit_record(actor=actor, action="rule.created", subject=f"rule {rule.pk} {rule.name}", new=rule.name, team_id=team.id)
    return rule


@transaction.atomic
def rule_update(*, actor: User, rule: Rule, changes: dict) -> Rule:
    if not user_manages(actor, rule.team_id):
        raise PermissionDenied(_("Only the team's managers can change rules."))
    rule = Rule.objects.select_for_update().get(pk=rule.pk)
    changes.pop("team", None)  # a rule stays with its team: its bends were asked there
    before = {field: getattr(rule, field) for field in changes}
    for field, value in changes.items():
        setattr(rule, field, value)
    _clean_rule(rule)
    rule.save()
    audit_changes(
        actor=actor, kind="rule", subject=f"rule {rule.pk} {rule.name}", before=before,
        after={field: getattr(rule, field) for field in changes}, team_id=rule.team_id,
    )
    return rule
