"""The interactions API: team scoping, strict input, the response contract, flat query counts."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from interactions import services
from interactions.levels import Level
from interactions.models import Interaction
from interactions.tests.factories import CustomerFactory, GestureFactory, bulk_history
from recovery.models import RecoveryCase

pytestmark = pytest.mark.django_db

INTERACTION_FIELDS = {
    "id", "customer", "team", "channel", "occurred_at", "summary", "promise_kept", "issues", "matched_preference",
    "gestures", "level", "level_label", "assessed_level", "customer_level", "recovery_case", "feedback_url",
}


@pytest.fixture
def foreign_customer(other_team):
    return CustomerFactory(team=other_team)


def post(client, **body):
    return client.post("/api/interactions/", body, format="json")


# --- Logging -------------------------------------------------------------------------------------


def test_logging_answers_with_the_level_and_the_case_it_opened(api_as, frontline, customer):
    response = post(api_as(frontline), customer=customer.id, channel="phone", promise_kept=False, summary="Missed the callback")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert INTERACTION_FIELDS <= set(body)
    assert (body["level"], body["level_label"], body["assessed_level"], body["customer_level"]) == (1, "Criminal", 1, None)
    assert body["recovery_case"] == RecoveryCase.objects.get(interaction_id=body["id"]).id
    assert body["team"] == customer.team_id
    assert body["feedback_url"].startswith("http") and "/feedback/" in body["feedback_url"]


def test_logging_with_gestures_lists_their_ids_and_lifts_the_level(api_as, frontline, customer, team):
    drink, cake = GestureFactory(team=team, base_level=5), GestureFactory(team=team, base_level=6)
    body = post(api_as(frontline), customer=customer.id, channel="in_person", gestures=[cake.id, drink.id]).json()
    assert body["gestures"] == sorted([drink.id, cake.id])
    assert (body["level"], body["recovery_case"]) == (Level.UNBELIEVABLE, None)


def test_read_only_fields_sent_on_write_are_ignored(api_as, frontline, customer):
    response = post(
        api_as(frontline), customer=customer.id, channel="email", id=999999, level=6, level_label="Unbelievable",
        assessed_level=6, customer_level=6, recovery_case=12345, feedback_url="https://evil.example/",
        omitted_gestures=[1], logged_by=1,
    )
    assert response.status_code == 201
    body = response.json()
    assert body["id"] != 999999
    assert (body["level"], body["assessed_level"], body["customer_level"], body["recovery_case"]) == (3, 3, None, None)
    assert "evil" not in body["feedback_url"]
    assert Interaction.objects.get(pk=body["id"]).logged_by == frontline


def test_team_is_derived_from_the_customer(api_as, frontline, customer, team):
    assert post(api_as(frontline), customer=customer.id, channel="chat", team=team.id).status_code == 201
    response = post(api_as(frontline), customer=customer.id, channel="chat", team=team.id + 1000)
    assert response.status_code == 400 and "team" in response.json()


def test_a_backdated_interaction_keeps_its_occurred_at(api_as, frontline, customer):
    at = (timezone.now() - timedelta(days=3)).replace(microsecond=0)
    body = post(api_as(frontline), customer=customer.id, channel="phone", occurred_at=at.isoformat()).json()
    assert Interaction.objects.get(pk=body["id"]).occurred_at == at


LONG = "x" * 200_000


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"channel": "fax"}, "channel"),
        ({"channel": None}, "channel"),
        ({"issues": ["rude"]}, "issues"),
        ({"issues": "late"}, "issues"),
        ({"issues": [["late"]]}, "issues"),
        ({"promise_kept": "false"}, "promise_kept"),
        ({"promise_kept": "true"}, "promise_kept"),
        ({"promise_kept": 0}, "promise_kept"),
        ({"promise_kept": None}, "promise_kept"),
        ({"matched_preference": "yes"}, "matched_preference"),
        ({"occurred_at": "yesterday"}, "occurred_at"),
        ({"occurred_at": "2026-13-45T10:00:00Z"}, "occurred_at"),
        ({"occurred_at": "2999-01-01T10:00:00Z"}, "occurred_at"),
        ({"occurred_at": "0001-01-01T00:00:00Z"}, "occurred_at"),
        ({"summary": LONG}, "summary"),
        ({"summary": "fine\x00then"}, "summary"),
        ({"summary": 12}, None),  # DRF accepts a number as text: not an error, just checking no 500
        ({"gestures": ["cake"]}, "gestures"),
        ({"gestures": [10**30]}, "gestures"),
        ({"gestures": 5}, "gestures"),
        ({"customer": None}, "customer"),
        ({"customer": "abc"}, "customer"),
        ({"customer": 10**30}, "customer"),
        ({"customer": 987654321}, "customer"),
        ({"customer": True}, "customer"),
        ({"team": "A"}, "team"),
    ],
)
def test_bad_input_is_a_400_with_field_messages(api_as, frontline, customer, change, field):
    body = {"customer": customer.id, "channel": "phone", **change}
    response = post(api_as(frontline), **body)
    if field is None:
        assert response.status_code in (201, 400)
        return
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert not Interaction.objects.exists()


def test_a_missing_customer_is_a_400(api_as, frontline):
    response = post(api_as(frontline), channel="phone")
    assert response.status_code == 400 and "customer" in response.json()


def test_malformed_json_is_a_400(api_as, frontline):
    response = api_as(frontline).post("/api/interactions/", '{"customer": 1, "channel": ', content_type="application/json")
    assert response.status_code == 400
    assert "detail" in response.json()


def test_a_body_that_is_not_an_object_is_a_400(api_as, frontline):
    response = api_as(frontline).post("/api/interactions/", "[1, 2]", content_type="application/json")
    assert response.status_code == 400


def test_a_gesture_of_another_team_is_a_400(api_as, frontline, customer, other_team):
    theirs = GestureFactory(team=other_team)
    response = post(api_as(frontline), customer=customer.id, channel="phone", gestures=[theirs.id])
    assert response.status_code == 400 and "gestures" in response.json()


def test_an_inactive_gesture_is_a_400(api_as, frontline, customer, team):
    retired = GestureFactory(team=team, active=False)
    response = post(api_as(frontline), customer=customer.id, channel="phone", gestures=[retired.id])
    assert response.status_code == 400 and "gestures" in response.json()


# --- Team scoping --------------------------------------------------------------------------------


def test_cannot_log_for_another_teams_customer_and_it_reads_as_nonexistent(api_as, frontline, foreign_customer):
    foreign = post(api_as(frontline), customer=foreign_customer.id, channel="phone").json()
    missing = post(api_as(frontline), customer=foreign_customer.id + 10_000, channel="phone").json()
    assert foreign["customer"] == [m.replace(str(foreign_customer.id + 10_000), str(foreign_customer.id)) for m in missing["customer"]]
    assert not Interaction.objects.exists()


def test_another_teams_interaction_is_a_404_and_not_in_lists(api_as, frontline, other_frontline, foreign_customer):
    theirs = services.interaction_log(actor=other_frontline, customer=foreign_customer, channel="phone")
    client = api_as(frontline)
    assert client.get(f"/api/interactions/{theirs.id}/").status_code == 404
    assert client.get("/api/interactions/").json()["results"] == []
    assert client.get(f"/api/interactions/?customer={foreign_customer.id}").json()["results"] == []
    assert client.get(f"/api/interactions/?team={foreign_customer.team_id}").json()["results"] == []
    assert api_as(other_frontline).get(f"/api/interactions/{theirs.id}/").status_code == 200


def test_another_teams_customer_and_gesture_are_404_and_not_in_lists(api_as, frontline, foreign_customer, other_team):
    gesture = GestureFactory(team=other_team)
    client = api_as(frontline)
    assert client.get(f"/api/customers/{foreign_customer.id}/").status_code == 404
    assert client.patch(f"/api/customers/{foreign_customer.id}/", {"name": "X"}, format="json").status_code == 404
    assert client.delete(f"/api/customers/{foreign_customer.id}/").status_code == 404
    assert client.get("/api/customers/").json()["results"] == []
    assert client.get(f"/api/gestures/{gesture.id}/").status_code == 404
    assert client.get("/api/gestures/").json()["results"] == []


def test_an_admin_sees_every_team(api_as, admin_user, other_frontline, foreign_customer):
    theirs = services.interaction_log(actor=other_frontline, customer=foreign_customer, channel="phone")
    assert api_as(admin_user).get(f"/api/interactions/{theirs.id}/").status_code == 200


def test_anonymous_requests_are_401(api):
    for url in ("/api/interactions/", "/api/customers/", "/api/gestures/"):
        assert api.get(url).status_code == 401


# --- Filters -------------------------------------------------------------------------------------


def test_interactions_filter_by_level_channel_customer_and_dates(api_as, frontline, team):
    ann, bob = CustomerFactory(team=team), CustomerFactory(team=team)
    now = timezone.now()
    old = services.interaction_log(actor=frontline, customer=ann, channel="phone", occurred_at=now - timedelta(days=10))
    criminal = services.interaction_log(actor=frontline, customer=ann, channel="email", promise_kept=False, occurred_at=now - timedelta(days=2))
    bobs = services.interaction_log(actor=frontline, customer=bob, channel="chat", matched_preference=True)
    client = api_as(frontline)

    def ids(query):
        response = client.get(f"/api/interactions/?{query}")
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    assert ids("") == [bobs.id, criminal.id, old.id]  # newest first
    assert ids("level=1") == [criminal.id]
    assert ids("channel=chat") == [bobs.id]
    assert ids(f"customer={ann.id}") == [criminal.id, old.id]
    after = (now - timedelta(days=5)).isoformat().replace("+00:00", "Z")
    before = (now - timedelta(days=1)).isoformat().replace("+00:00", "Z")
    assert ids(f"occurred_after={after}&occurred_before={before}") == [criminal.id]


@pytest.mark.parametrize(
    "query",
    ["occurred_after=soon", "occurred_before=2026-02-30T00:00:00Z", "level=9", "level=high", "channel=fax",
     "customer=abc", "team=-1", f"team={10**30}"],
)
def test_bad_filters_are_a_400(api_as, frontline, query):
    response = api_as(frontline).get(f"/api/interactions/?{query}")
    assert response.status_code == 400, response.content
    assert response.json()


def test_interaction_lists_are_cursor_paginated_without_count(api_as, frontline, customer):
    bulk_history(customer=customer, count=3)
    body = api_as(frontline).get("/api/interactions/?page_size=2").json()
    assert set(body) == {"next", "previous", "results"} and len(body["results"]) == 2
    rest = api_as(frontline).get(body["next"]).json()
    assert len(rest["results"]) == 1 and rest["next"] is None


# --- Query counts --------------------------------------------------------------------------------


def _history_with_cases(team, frontline, n):
    """n interactions over a few customers, with gestures, some with recovery cases."""
    gestures = [GestureFactory(team=team, base_level=5 + i % 2, recurring=i % 2 == 0) for i in range(3)]
    customers = [CustomerFactory(team=team) for _ in range(3)]
    start = timezone.now() - timedelta(days=n + 1)
    for i in range(n):
        services.interaction_log(
            actor=frontline, customer=customers[i % 3], channel="phone", promise_kept=i % 4 != 0,
            gestures=[g.id for g in gestures[: i % 3]], occurred_at=start + timedelta(days=i),
        )


@pytest.mark.parametrize("rows", [5, 50])
def test_interaction_list_query_count_is_flat(api_as, frontline, team, rows, django_assert_max_num_queries):
    _history_with_cases(team, frontline, rows)
    client = api_as(frontline)
    # token, the viewer's teams, the page (its cases and gestures joined)
    with django_assert_max_num_queries(3):
        response = client.get("/api/interactions/?page_size=100")
    assert len(response.json()["results"]) == rows
    assert any(row["recovery_case"] for row in response.json()["results"])


@pytest.mark.parametrize("rows", [5, 50])
def test_customer_list_query_count_is_flat(api_as, frontline, team, rows, django_assert_max_num_queries):
    _history_with_cases(team, frontline, 6)
    for _ in range(rows - 3):
        CustomerFactory(team=team)
    client = api_as(frontline)
    with django_assert_max_num_queries(6):
        response = client.get("/api/customers/?page_size=100")
    results = response.json()["results"]
    assert len(results) == rows
    assert all(len(row["expectation_profile"]) == 3 for row in results)


@pytest.mark.parametrize("rows", [5, 50])
def test_gesture_list_query_count_is_flat(api_as, frontline, team, rows, django_assert_max_num_queries):
    for i in range(rows):
        GestureFactory(team=team, base_level=5 + i % 2)
    client = api_as(frontline)
    with django_assert_max_num_queries(5):
        response = client.get("/api/gestures/?page_size=100")
    assert response.json()["count"] == rows


def test_logging_costs_a_fixed_number_of_queries_whatever_the_history(
    api_as, frontline, team, django_assert_max_num_queries
):
    """One aggregate for the prior deliveries: 1 or 1,000 past interactions cost the same queries."""
    gestures = [GestureFactory(team=team, base_level=5 + i % 2, recurring=i % 2 == 0) for i in range(4)]
    client = api_as(frontline)
    post(client, customer=CustomerFactory(team=team).id, channel="phone")  # the team's first log asks who listens
    counts = {}
    for past in (1, 1000):
        customer = CustomerFactory(team=team)
        bulk_history(customer=customer, count=past, gestures=gestures[:3])
        # token, BEGIN, the customer locked, the rubric's facts, the interaction with its level change (one
        # statement on PostgreSQL, two on SQLite), its deliveries, the case and its opening event, COMMIT;
        # the apology to the customer: its outbox row, for the sender to render (one INSERT … ON CONFLICT
        # DO NOTHING for the dedupe key, no savepoint; the sender makes the unsubscribe link on a first
        # mail). Who listens for webhooks comes from the cache (webhooks/subscribers.py): no query. It was
        # 16 (a savepoint around the outbox row, two subscriber look-ups), then 12 (the level change a
        # statement of its own, the unsubscribe link made in the request).
        with django_assert_max_num_queries(10 if connection.vendor == "postgresql" else 11) as captured:
            response = post(client, customer=customer.id, channel="phone", gestures=[gestures[0].id, gestures[3].id], issues=["late"])
        assert response.status_code == 201 and response.json()["recovery_case"] is not None
        counts[past] = len(captured)
    assert counts[1] == counts[1000], counts
    print(f"logging one interaction: {counts} queries by number of past interactions")


def test_the_admin_lists_interactions_read_only(admin_user, frontline, customer, client):
    services.interaction_log(actor=frontline, customer=customer, channel="phone")
    client.force_login(admin_user)
    for url in ("/admin/interactions/interaction/", "/admin/interactions/customer/", "/admin/interactions/gesture/",
                "/admin/interactions/levelchange/"):
        assert client.get(url).status_code == 200, url
    assert client.get("/admin/interactions/interaction/add/").status_code == 403
