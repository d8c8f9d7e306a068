"""Changes of roles, approval limits, team membership and team settings leave an append-only audit
entry with who and when (issue 19, notes)."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client

from accounts.tests.factories import UserFactory
from audit.models import AuditEntry

pytestmark = pytest.mark.django_db

def actions():
    return [(e.action, e.old_value, e.new_value) for e in AuditEntry.objects.order_by("id")]

def test_an_admin_changing_role_limit_membership_and_activity_is_on_the_trail(api_as, admin_user, team, other_team):
    joost = UserFactory(username="joost", teams=[team])
    response = api_as(admin_user).patch(
        f"/api/users/{joost.id}/",
        {"role": "manager", "approval_limit": "250.00", "teams": [other_team.id], "is_active": False},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert actions() == [
        ("user.role", "frontline", "manager"),
        ("user.approval_limit", "0.00", "250.00"),
        ("user.is_active", "True", "False"),
        ("user.team_added", "", str(other_team.id)),
        ("user.team_removed", str(team.id), ""),
    ]
    assert {e.actor_id for e in AuditEntry.objects.all()} == {admin_user.id}
    assert {e.actor_name for e in AuditEntry.objects.all()} == {"ada"}

def test_a_name_change_alone_leaves_no_entry(api_as, admin_user, team):
    joost = UserFactory(username="joost", teams=[team])
    api_as(admin_user).patch(f"/api/users/{joost.id}/", {"first_name": "Joost"}, format="json")
    assert not AuditEntry.objects.exists()

def test_creating_users_and_teams_and_changing_settings_is_on_the_trail(api_as, admin_user, manager, team):
    api_as(admin_user).post("/api/users/", {"username": "newbie", "password": "a-long-passphrase-42", "teams": [team.id]}, format="json")
    api_as(admin_user).post("/api/teams/", {"name": "Team C"}, format="json")
    api_as(manager).patch(f"/api/teams/{team.id}/", {"say_yes_threshold": "50"}, format="json")
    assert [a for a, _, _ in actions()] == ["user.created", "team.created", "team.say_yes_threshold"]
    assert AuditEntry.objects.get(action="team.say_yes_threshold").new_value == "50.00"

def test_the_trail_is_append_only(api_as, admin_user, team):
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger exists on PostgreSQL")
    joost = UserFactory(username="joost", teams=[team])
    api_as(admin_user).patch(f"/api/users/{joost.id}/", {"role": "manager"}, format="json")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.update(new_value="admin")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.all().delete()

def test_admins_read_the_trail_on_a_page_and_nobody_else_does(api_as, admin_user, manager, team):
    joost = UserFactory(username="joost", teams=[team])
    api_as(admin_user).patch(f"/api/users/{joost.id}/", {"role": "manager"}, format="json")
    client = Client()
    client.force_login(admin_user)
    page = client.get("/admin/audit/auditentry/")
    assert page.status_code == 200 and "user.role" in page.content.decode()
    manager.is_staff = True
    manager.save()
    client.force_login(manager)
    assert client.get("/admin/audit/auditentry/").status_code == 403


def test_gestures_rules_and_customers_are_on_the_trail_customers_without_their_personal_data(api_as, manager, frontline, team):
    manager_api = api_as(manager)
    gesture = manager_api.post("/api/gestures/", {"team": team.id, "name": "Coffee", "base_level": 5}, format="json").json()
    manager_api.patch(f"/api/gestures/{gesture['id']}/", {"base_level": 6}, format="json")
    rule = manager_api.post("/api/rules/", {"team": team.id, "name": "Receipts"}, format="json").json()
    manager_api.patch(f"/api/rules/{rule['id']}/", {"description": "Always"}, format="json")
    customer = api_as(frontline).post("/api/customers/", {"team": team.id, "name": "Zoe Visser"}, format="json").json()
    api_as(frontline).patch(f"/api/customers/{customer['id']}/", {"email": "zoe@example.com"}, format="json")
    assert actions() == [
        ("gesture.created", "", "Coffee"),
        ("gesture.base_level", "5", "6"),
        ("rule.created", "", "Receipts"),
        ("rule.description", "", "Always"),
        ("customer.created", "", ""),
        ("customer.email", "", ""),  # which field changed, never the address itself
    ]
    assert list(AuditEntry.objects.order_by("id").values_list("actor_name", flat=True)) == ["manny"] * 4 + ["fiona"] * 2
