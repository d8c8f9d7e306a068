"""Writes of accounts and teams. Admins create teams and users; managers tune their teams."""

import hashlib
import secrets
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record

from .models import ApiToken, Team, TeamSettingChange, User
from .selectors import user_manages


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc


def _require_admin(actor):
    if not actor.is_admin:
        raise PermissionDenied("Only an admin can do this.")


def say_yes_threshold_cap(actor: User) -> Decimal:
    """The highest say-yes threshold this actor may set: a manager their own approval limit, an admin
    the deployment's maximum. A threshold above the setter's limit would approve what they could not."""
    deployment_max = Decimal(str(settings.SAY_YES_THRESHOLD_MAX))
    return deployment_max if actor.is_admin else min(actor.approval_limit, deployment_max)


def _check_say_yes_threshold(actor: User, threshold: Decimal) -> None:
    cap = say_yes_threshold_cap(actor)
    if threshold > cap:
        who = _("the deployment's maximum") if actor.is_admin else _("your approval limit")
        raise ValidationError(
            {"say_yes_threshold": [_("At most %(cap)s (%(who)s).") % {"cap": cap, "who": who}]}
        )


@transaction.atomic
def team_create(*, actor: User, name: str, timezone_name: str = "UTC", **team_settings) -> Team:
    _require_admin(actor)
    team = Team(name=name, timezone=timezone_name, **team_settings)
    _check_say_yes_threshold(actor, Decimal(str(team.say_yes_threshold)))
    team.full_clean()
    team.save()
    audit_record(actor=actor, action="team.created", subject=_team_subject(team), new=team.name, team_id=team.id)
    return team


@transaction.atomic
def team_update_settings(*, actor: User, team: Team, changes: dict) -> Team:
    """Change team settings, one audit row per changed value. Rubric numbers mark the team for re-scoring."""
    if not user_manages(actor, team.id):
        raise PermissionDenied("Only the team's managers or an admin can change its settings.")
    team = Team.objects.select_for_update().get(pk=team.pk)
    changed = []
    for field, new in changes.items():
        if field not in Team.SETTINGS:
            continue
        old = getattr(team, field)
        if isinstance(old, Decimal):
            new = Decimal(str(new))
        if old != new:
            setattr(team, field, new)
            changed.append((field, old, new))
    if not changed:
        return team
    if any(field == "say_yes_threshold" for field, _old, _new in changed):
        _check_say_yes_threshold(actor, team.say_yes_threshold)
    team.full_clean()
    if any(field in Team.RUBRIC_SETTINGS for field, _old, _new in changed):
        team.rubric_changed_at = timezone.now()
    team.save()
    TeamSettingChange.objects.bulk_create(
        TeamSettingChange(team=team, actor=actor, field=f, old_value=str(o), new_value=str(n)) for f, o, n in changed
    )
    for field, old, new in changed:
        audit_record(actor=actor, action=f"team.{field}", subject=_team_subject(team), old=old, new=new, team_id=team.id)
    return team


def _team_subject(team: Team) -> str:
    return f"team {team.pk} ({team.name})"


def _user_subject(user: User) -> str:
    return f"user {user.pk} ({user.get_username()})"


# What an admin changes about a user that decides what they may do: each change is an audit entry.
AUDITED_USER_FIELDS = ("role", "approval_limit", "is_active")


@transaction.atomic
def user_create(
    *,
    actor: User,
    username: str,
    password: str,
    email: str = "",
    role: str = User.Role.FRONTLINE,
    teams=(),
    approval_limit: Decimal = Decimal("0"),
    first_name: str = "",
    last_name: str = "",
    language: str = "",
) -> User:
    _require_admin(actor)
    user = User(
        username=username,
        email=email,
        role=role,
        approval_limit=approval_limit,
        first_name=first_name,
        last_name=last_name,
        language=language,
    )
    _check_password(password, user)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    user.teams.set(teams)
    audit_record(
        actor=actor, action="user.created", subject=_user_subject(user),
        new=f"role={user.role} approval_limit={user.approval_limit} teams={sorted(t.pk for t in user.teams.all())}",
    )
    return user


@transaction.atomic
def user_update(*, actor: User, user: User, changes: dict) -> User:
    """Admins change anyone; a user changes their own name, email, language and password."""
    own_fields = {"first_name", "last_name", "email", "language", "password"}
    if not actor.is_admin and (actor.pk != user.pk or set(changes) - own_fields):
        raise PermissionDenied("You can only change your own name, email, language and password.")
    teams = changes.pop("teams", None)
    password = changes.pop("password", None)
    before = {field: getattr(user, field) for field in AUDITED_USER_FIELDS}
    for field, value in changes.items():
        setattr(user, field, value)
    if password:
        _check_password(password, user)
        user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    if password:
        # A new password ends every way in made with the old one: the sessions end by themselves
        # (Django signs them with the password hash), the API tokens are deleted here.
        tokens_revoke_all(user=user)
        audit_record(actor=actor, action="user.password", subject=_user_subject(user), new="changed")
    for field, old in before.items():
        if getattr(user, field) != old:
            audit_record(actor=actor, action=f"user.{field}", subject=_user_subject(user), old=old, new=getattr(user, field))
    if teams is not None:
        old_teams = set(user.teams.values_list("pk", flat=True))
        new_teams = {t.pk if hasattr(t, "pk") else int(t) for t in teams}
        user.teams.set(teams)
        for team_id in sorted(new_teams - old_teams):
            audit_record(actor=actor, action="user.team_added", subject=_user_subject(user), new=team_id, team_id=team_id)
        for team_id in sorted(old_teams - new_teams):
            audit_record(actor=actor, action="user.team_removed", subject=_user_subject(user), old=team_id, team_id=team_id)
    return user


# --- API tokens ------------------------------------------------------------------------------


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_create(*, user: User) -> str:
    """A new API token for this user (one per login, so each device has its own); only its digest is
    stored, and it works for API_TOKEN_TTL_DAYS."""
    token = secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user,
        digest=token_digest(token),
        password_mark=user.get_session_auth_hash(),
        expires_at=timezone.now() + timedelta(days=settings.API_TOKEN_TTL_DAYS),
    )
    return token


def token_revoke(*, token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk).delete()


def tokens_revoke_all(*, user: User) -> int:
    return ApiToken.objects.filter(user=user).delete()[0]
