"""/api/customers/ (with the expectation profile) and /api/gestures/ (managers write, frontline read)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from interactions import services
from interactions.levels import Level
from interactions.models import Customer, Gesture
from interactions.tests.factories import CustomerFactory, GestureFactory

pytestmark = pytest.mark.django_db

CUSTOMER_FIELDS = {
    "id", "team", "name", "email", "phone", "preferred_channel", "preferences", "personal_contact",
    "special_dates", "language", "expectation_profile",
}


def test_frontline_adds_a_customer_to_their_team(api_as, frontline, team):
    body = {
        "team": team.id, "name": "Noor Bakker", "email": "noor@example.com", "phone": "+31 6 1234 5678",
        "preferred_channel": "whatsapp", "preferences": "Window table, sparkling water", "personal_contact": frontline.id,
        "special_dates": [{"label": "Anniversary", "date": "06-14"}], "language": "nl",
    }
    response = api_as(frontline).post("/api/customers/", body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert CUSTOMER_FIELDS <= set(data)
    assert {k: data[k] for k in body} == body
    assert data["expectation_profile"] == []


def test_a_customer_cannot_be_added_to_another_team(api_as, frontline, other_team):
    response = api_as(frontline).post("/api/customers/", {"team": other_team.id, "name": "X"}, format="json")
    assert response.status_code == 400 and "team" in response.json()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": ""}, "name"),
        ({"email": "not-an-email"}, "email"),
        ({"preferred_channel": "pigeon"}, "preferred_channel"),
        ({"language": "fr"}, "language"),
        ({"special_dates": [{"label": "Birthday", "date": "02-30"}]}, "special_dates"),
        ({"special_dates": [{"label": "Birthday", "date": "tomorrow"}]}, "special_dates"),
        ({"special_dates": "06-14"}, "special_dates"),
        ({"personal_contact": 10**30}, "personal_contact"),
        ({"name": "A\x00B"}, "name"),
        ({"preferences": "x" * 2001}, "preferences"),
    ],
)
def test_bad_customer_input_is_a_400(api_as, frontline, team, change, field):
    response = api_as(frontline).post("/api/customers/", {"team": team.id, "name": "Noor", **change}, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()


def test_the_personal_contact_must_serve_the_customers_team(api_as, frontline, team, other_team):
    colleague_elsewhere = UserFactory(teams=[other_team, team])
    outsider = UserFactory(teams=[other_team])
    client = api_as(frontline)
    ok = client.post("/api/customers/", {"team": team.id, "name": "A", "personal_contact": colleague_elsewhere.id}, format="json")
    assert ok.status_code == 201
    bad = client.post("/api/customers/", {"team": team.id, "name": "B", "personal_contact": outsider.id}, format="json")
    assert bad.status_code == 400 and "personal_contact" in bad.json()


def test_a_customer_is_edited_but_never_moves_team(api_as, frontline, team, other_team):
    frontline.teams.add(other_team)
    customer = CustomerFactory(team=team)
    client = api_as(frontline)
    response = client.patch(f"/api/customers/{customer.id}/", {"name": "Renamed", "preferred_channel": "chat"}, format="json")
    assert response.status_code == 200 and response.json()["name"] == "Renamed"
    moved = client.patch(f"/api/customers/{customer.id}/", {"team": other_team.id}, format="json")
    assert moved.status_code == 400 and "team" in moved.json()
    assert Customer.objects.get(pk=customer.pk).team == team


def test_a_customer_without_history_can_be_deleted_one_with_history_cannot(api_as, frontline, team):
    client = api_as(frontline)
    fresh, served = CustomerFactory(team=team), CustomerFactory(team=team)
    services.interaction_log(actor=frontline, customer=served, channel="phone")
    assert client.delete(f"/api/customers/{fresh.id}/").status_code == 204
    conflict = client.delete(f"/api/customers/{served.id}/")
    assert conflict.status_code == 409 and conflict.json()["code"] == "customer_has_history"
    assert Customer.objects.filter(pk=served.pk).exists()


def test_the_expectation_profile_shows_every_active_gestures_standing_now(api_as, frontline, team):
    customer = CustomerFactory(team=team)
    bread = GestureFactory(team=team, name="Bread basket", base_level=5, recurring=True)
    cake = GestureFactory(team=team, name="Birthday cake", base_level=6)
    GestureFactory(team=team, name="Retired", active=False)
    now = timezone.now()
    for days_ago in (30, 20, 10):
        services.interaction_log(actor=frontline, customer=customer, channel="in_person", gestures=[bread.id], occurred_at=now - timedelta(days=days_ago))
    profile = {row["name"]: row for row in api_as(frontline).get(f"/api/customers/{customer.id}/").json()["expectation_profile"]}
    assert set(profile) == {"Bread basket", "Birthday cake"}
    assert profile["Bread basket"] == {
        "gesture": bread.id, "name": "Bread basket", "recurring": True, "effective_base_level": 5,
        "deliveries_in_window": 3, "standing": Level.EXPECTED, "standing_label": "Expected", "next_level": Level.BASIC,
        "omission_cap": Level.BASIC,
    }
    assert (profile["Birthday cake"]["standing"], profile["Birthday cake"]["next_level"]) == (None, Level.UNBELIEVABLE)


def test_the_expectation_profile_moves_as_deliveries_leave_the_window(api_as, frontline, team):
    team.familiarity_window_days = 30
    team.save()
    customer = CustomerFactory(team=team)
    cake = GestureFactory(team=team, base_level=6)
    services.interaction_log(actor=frontline, customer=customer, channel="phone", gestures=[cake.id], occurred_at=timezone.now() - timedelta(days=31))
    services.interaction_log(actor=frontline, customer=customer, channel="phone", gestures=[cake.id], occurred_at=timezone.now() - timedelta(days=29))
    rows = api_as(frontline).get("/api/customers/").json()["results"]
    (row,) = rows[0]["expectation_profile"]
    assert (row["deliveries_in_window"], row["standing"], row["next_level"]) == (1, 6, 5)


def test_customer_list_profiles_match_the_detail(api_as, frontline, team):
    customers = [CustomerFactory(team=team) for _ in range(3)]
    cake = GestureFactory(team=team, base_level=6)
    for i, customer in enumerate(customers):
        for d in range(i):
            services.interaction_log(actor=frontline, customer=customer, channel="phone", gestures=[cake.id], occurred_at=timezone.now() - timedelta(days=d + 1))
    client = api_as(frontline)
    listed = {row["id"]: row["expectation_profile"] for row in client.get("/api/customers/").json()["results"]}
    for customer in customers:
        assert listed[customer.id] == client.get(f"/api/customers/{customer.id}/").json()["expectation_profile"]
    assert [listed[c.id][0]["deliveries_in_window"] for c in customers] == [0, 1, 2]


def test_customer_search_and_team_filters(api_as, frontline, team):
    CustomerFactory(team=team, name="Zoe Visser")
    CustomerFactory(team=team, name="Ada Smith")
    client = api_as(frontline)
    assert [r["name"] for r in client.get("/api/customers/?search=viss").json()["results"]] == ["Zoe Visser"]
    assert client.get("/api/customers/?team=abc").status_code == 400


# --- Gestures ------------------------------------------------------------------------------------

GESTURE = {
    "name": "Welcome drink", "description": "On the house", "base_level": 5, "recurring": True, "channels": ["in_person"],
    "cost": "2.50",
}


def test_a_manager_creates_and_edits_a_gesture(api_as, manager, team):
    client = api_as(manager)
    response = client.post("/api/gestures/", {"team": team.id, **GESTURE}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert {k: body[k] for k in GESTURE} == GESTURE
    assert (body["base_level_label"], body["effective_base_level"], body["active"]) == ("Surprising", 5, True)
    edited = client.patch(f"/api/gestures/{body['id']}/", {"base_level": 6, "active": False}, format="json")
    assert edited.status_code == 200 and (edited.json()["base_level"], edited.json()["active"]) == (6, False)
    assert Gesture.objects.get(pk=body["id"]).corrected_at is not None  # a correction, for the re-score job


def test_frontline_read_gestures_but_cannot_write_them(api_as, frontline, team):
    gesture = GestureFactory(team=team)
    client = api_as(frontline)
    assert client.get(f"/api/gestures/{gesture.id}/").status_code == 200
    assert client.post("/api/gestures/", {"team": team.id, **GESTURE}, format="json").status_code == 403
    assert client.patch(f"/api/gestures/{gesture.id}/", {"name": "Mine"}, format="json").status_code == 403
    assert client.delete(f"/api/gestures/{gesture.id}/").status_code in (403, 405)


def test_a_manager_cannot_write_another_teams_gestures(api_as, manager, other_team):
    theirs = GestureFactory(team=other_team)
    client = api_as(manager)
    assert client.post("/api/gestures/", {"team": other_team.id, **GESTURE}, format="json").status_code == 400
    assert client.patch(f"/api/gestures/{theirs.id}/", {"name": "Mine"}, format="json").status_code == 404


def test_an_admin_writes_any_teams_gestures(api_as, admin_user, other_team):
    assert api_as(admin_user).post("/api/gestures/", {"team": other_team.id, **GESTURE}, format="json").status_code == 201


@pytest.mark.parametrize(
    ("change", "field"),
    [({"base_level": 4}, "base_level"), ({"base_level": "six"}, "base_level"), ({"recurring": "true"}, "recurring"),
     ({"cost": "-1"}, "cost"), ({"cost": "lots"}, "cost"), ({"name": ""}, "name"),
     ({"channels": []}, "channels"), ({"channels": ["pigeon"]}, "channels"), ({"channels": "in_person"}, "channels")],
)
def test_bad_gesture_input_is_a_400(api_as, manager, team, change, field):
    response = api_as(manager).post("/api/gestures/", {"team": team.id, **GESTURE, **change}, format="json")
    assert response.status_code == 400 and field in response.json(), response.content


def test_gesture_names_are_unique_per_team(api_as, manager, team):
    GestureFactory(team=team, name="Welcome drink")
    response = api_as(manager).post("/api/gestures/", {"team": team.id, **GESTURE}, format="json")
    assert response.status_code == 400
