"""An update never clears a field it did not name, whatever the body's format (issue 19, finding 3).

PATCH is partial for JSON, form-encoded and multipart bodies alike; POST leaves what it does not name
to the model's defaults; PUT replaces, so it must name every writable field.
"""

from urllib.parse import urlencode

import pytest

from accounts.models import User
from accounts.tests.factories import UserFactory
from interactions.tests.factories import CustomerFactory, GestureFactory
from recovery.models import Rule

pytestmark = pytest.mark.django_db

FORM = "application/x-www-form-urlencoded"


def form_patch(client, url, data):
    return client.patch(url, urlencode(data, doseq=True), content_type=FORM)


def test_a_form_encoded_patch_of_a_user_keeps_their_teams_and_leaves_them_active(api_as, admin_user, team, other_team):
    joost = UserFactory(username="joost", teams=[team, other_team])
    response = form_patch(api_as(admin_user), f"/api/users/{joost.id}/", {"first_name": "Joost2"})
    assert response.status_code == 200, response.content
    assert response.json()["teams"] == sorted([team.id, other_team.id])
    joost.refresh_from_db()
    assert joost.first_name == "Joost2" and joost.is_active is True
    assert set(joost.teams.all()) == {team, other_team}


def test_a_multipart_patch_of_a_user_is_partial_too(api_as, admin_user, team):
    joost = UserFactory(username="joost", teams=[team])
    response = api_as(admin_user).patch(f"/api/users/{joost.id}/", {"last_name": "Visser"}, format="multipart")
    assert response.status_code == 200, response.content
    joost.refresh_from_db()
    assert joost.last_name == "Visser" and joost.is_active is True and list(joost.teams.all()) == [team]


def test_a_form_can_still_switch_a_user_off_when_it_says_so(api_as, admin_user, team):
    joost = UserFactory(username="joost", teams=[team])
    response = form_patch(api_as(admin_user), f"/api/users/{joost.id}/", {"is_active": "false"})
    assert response.status_code == 200
    assert User.objects.get(pk=joost.pk).is_active is False


@pytest.mark.parametrize("kind", ["users", "teams", "customers", "gestures", "rules"])
def test_an_empty_form_patch_changes_nothing(api_as, admin_user, team, frontline, kind):
    objects = {
        "users": frontline,
        "teams": team,
        "customers": CustomerFactory(team=team, email="anna@example.com"),
        "gestures": GestureFactory(team=team, recurring=True),
        "rules": Rule.objects.create(team=team, name="Receipts required", description="Always"),
    }
    url = f"/api/{kind}/{objects[kind].pk}/"
    client = api_as(admin_user)
    before = client.get(url).json()
    for body in ("", urlencode({"unknown_field": "x"})):
        response = client.patch(url, body, content_type=FORM)
        assert response.status_code == 200, response.content
    assert client.get(url).json() == before


def test_a_form_encoded_rule_is_created_in_force(api_as, manager, team):
    response = api_as(manager).post("/api/rules/", urlencode({"team": team.id, "name": "Receipts required"}), content_type=FORM)
    assert response.status_code == 201, response.content
    assert response.json()["active"] is True
    assert Rule.objects.get(pk=response.json()["id"]).active is True


def test_a_form_encoded_gesture_is_created_active(api_as, manager, team):
    body = urlencode({"team": team.id, "name": "Free coffee", "base_level": 5})
    response = api_as(manager).post("/api/gestures/", body, content_type=FORM)
    assert response.status_code == 201, response.content
    assert response.json()["active"] is True and response.json()["recurring"] is False


def test_a_put_must_name_every_field(api_as, manager, team):
    rule = Rule.objects.create(team=team, name="Receipts required", description="Always")
    client = api_as(manager)
    missing = client.put(f"/api/rules/{rule.id}/", urlencode({"name": "Renamed"}), content_type=FORM)
    assert missing.status_code == 400
    assert set(missing.json()) == {"description", "active"}
    rule.refresh_from_db()
    assert (rule.name, rule.description, rule.active) == ("Receipts required", "Always", True)
    full = client.put(f"/api/rules/{rule.id}/", {"name": "Renamed", "description": "", "active": True}, format="json")
    assert full.status_code == 200, full.content

    team_put = client.put(f"/api/teams/{team.id}/", {"name": team.name}, format="json")
    assert team_put.status_code == 400 and "sla_criminal_fix_hours" in team_put.json()
