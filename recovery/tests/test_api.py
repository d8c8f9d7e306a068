"""The recovery API: fields, filters, team isolation on every endpoint, flat query counts."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from interactions.tests.factories import CustomerFactory, GestureFactory
from recovery.models import RecoveryCase
from recovery.services import bends, steps

from .conftest import open_case

pytestmark = pytest.mark.django_db

CASE_FIELDS = {
    "id", "interaction", "customer", "team", "severity", "status", "fix_due", "fixed_at", "surprised_at", "closed_at",
    "escalated_at", "status_url",
}
BEND_FIELDS = {"id", "rule", "case", "customer", "justification", "cost", "status", "requested_by", "decided_by", "decision_note"}


def test_case_detail_has_the_contract_fields(api_as, frontline, case):
    body = api_as(frontline).get(f"/api/recovery-cases/{case.id}/").json()
    assert CASE_FIELDS <= set(body)
    assert body["severity"] == 1 and body["status"] == "open" and body["interaction"] == case.interaction_id
    assert body["status_url"].startswith("http") and "/status/" in body["status_url"]
    assert body["recovered_url"] is None, "the second rating link exists only after closing"


def test_case_list_filters_and_orders(api_as, frontline, manager, team, customer):
    criminal = open_case(frontline, customer)
    basic = open_case(frontline, customer, promise_kept=True, issues=["late"])
    steps.case_fix(actor=frontline, case=basic)
    RecoveryCase.objects.filter(pk=criminal.pk).update(fix_due=timezone.now() - timedelta(hours=1))
    client = api_as(manager)

    def ids(query):
        response = client.get(f"/api/recovery-cases/{query}")
        assert response.status_code == 200, response.content
        assert "count" not in response.json(), "the case list never counts"
        return [c["id"] for c in response.json()["results"]]

    assert ids("") == [basic.id, criminal.id]
    assert ids("?status=open") == [criminal.id]
    assert ids("?severity=2") == [basic.id]
    assert ids(f"?team={team.id}") == [basic.id, criminal.id]
    assert ids("?overdue=true") == [criminal.id]
    assert ids("?overdue=false") == [basic.id]
    assert ids("?ordering=fix_due") == [criminal.id, basic.id]
    for bad in ("?status=lost", "?severity=5", "?ordering=customer__name", "?overdue=maybe"):
        assert client.get(f"/api/recovery-cases/{bad}").status_code == 400, bad


def test_case_list_query_count_stays_flat(api_as, frontline, team, django_assert_max_num_queries):
    client = api_as(frontline)
    client.get("/api/recovery-cases/")  # warm the token and team lookups
    for _ in range(2):
        open_case(frontline, CustomerFactory(team=team))
    with django_assert_max_num_queries(4) as few:
        assert len(client.get("/api/recovery-cases/").json()["results"]) == 2
    for _ in range(20):
        open_case(frontline, CustomerFactory(team=team))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get("/api/recovery-cases/").json()["results"]) == 22


def test_bend_list_query_count_stays_flat(api_as, frontline, rule, customer, django_assert_max_num_queries):
    client = api_as(frontline)
    bends.bend_request(actor=frontline, rule=rule, customer=customer, justification="x", cost=Decimal("1"))
    with django_assert_max_num_queries(4) as few:
        client.get("/api/rule-bends/")
    for _ in range(15):
        bends.bend_request(actor=frontline, rule=rule, customer=customer, justification="x", cost=Decimal("1"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = client.get("/api/rule-bends/").json()
    assert len(body["results"]) == 16 and BEND_FIELDS <= set(body["results"][0])


def test_rule_ranking_query_count_stays_flat(api_as, manager, team, frontline, customer, django_assert_max_num_queries):
    from recovery.models import Rule

    client = api_as(manager)
    Rule.objects.create(team=team, name="Rule 0")
    with django_assert_max_num_queries(5) as few:
        client.get("/api/rules/dumb/")
    for i in range(1, 10):
        rule = Rule.objects.create(team=team, name=f"Rule {i}")
        bends.bend_request(actor=frontline, rule=rule, customer=customer, justification="x", cost=Decimal("1"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get("/api/rules/dumb/").json()["results"]) == 10


def test_team_isolation_on_every_endpoint(api_as, frontline, manager, case, other_case, rule, other_rule, customer, gesture, other_manager):
    foreign_bend = bends.bend_request(actor=other_manager, rule=other_rule, case=other_case, justification="x", cost=Decimal("1"))
    own_bend = bends.bend_request(actor=frontline, rule=rule, case=case, justification="x", cost=Decimal("1"))
    for user in (frontline, manager):
        client = api_as(user)
        assert [c["id"] for c in client.get("/api/recovery-cases/").json()["results"]] == [case.id]
        assert [r["id"] for r in client.get("/api/rules/").json()["results"]] == [rule.id]
        assert [r["id"] for r in client.get("/api/rules/dumb/").json()["results"]] == [rule.id]
        assert [b["id"] for b in client.get("/api/rule-bends/").json()["results"]] == [own_bend.id]
        for url in (
            f"/api/recovery-cases/{other_case.id}/",
            f"/api/recovery-cases/{other_case.id}/events/",
            f"/api/recovery-cases/{other_case.id}/recommended-gestures/",
            f"/api/rules/{other_rule.id}/",
            f"/api/rule-bends/{foreign_bend.id}/",
            f"/api/rule-bends/{foreign_bend.id}/events/",
        ):
            assert client.get(url).status_code == 404, url
        for url, data in (
            (f"/api/recovery-cases/{other_case.id}/fix/", {}),
            (f"/api/recovery-cases/{other_case.id}/surprise/", {"gesture": gesture.id}),
            (f"/api/recovery-cases/{other_case.id}/close/", {"reason": "x"}),
            (f"/api/rule-bends/{foreign_bend.id}/approve/", {}),
            (f"/api/rule-bends/{foreign_bend.id}/reject/", {}),
        ):
            assert client.post(url, data, format="json").status_code == 404, url
        assert client.patch(f"/api/rules/{other_rule.id}/", {"name": "mine"}, format="json").status_code in (403, 404)
        asked = client.post("/api/rule-bends/", {"rule": rule.id, "case": other_case.id, "justification": "x", "cost": "1"}, format="json")
        assert asked.status_code == 400 and "case" in asked.json()
    other_case.refresh_from_db()
    foreign_bend.refresh_from_db()
    assert other_case.status == "open" and foreign_bend.status == "pending"


def test_anonymous_gets_401_everywhere(api, case, rule):
    for url in ("/api/recovery-cases/", f"/api/recovery-cases/{case.id}/", "/api/rules/", "/api/rule-bends/", "/api/rules/dumb/"):
        assert api.get(url).status_code == 401, url
    assert api.post(f"/api/recovery-cases/{case.id}/fix/").status_code == 401


def test_recommended_gestures_never_received_best_first_with_why(api_as, frontline, team, customer, case):
    from interactions.services import interaction_log

    cheese = GestureFactory(team=team, name="Cheese plate", base_level=5)
    wine = GestureFactory(team=team, name="Glass of wine", description="A local wine", base_level=5)
    champagne = GestureFactory(team=team, name="Champagne", base_level=6)
    given = GestureFactory(team=team, name="Chocolate", base_level=6)
    GestureFactory(team=team, name="Retired", base_level=6, active=False)
    interaction_log(actor=frontline, customer=customer, channel="phone", gestures=[given.id])

    rows = api_as(frontline).get(f"/api/recovery-cases/{case.id}/recommended-gestures/").json()
    # the wine fits their taste: Surprising + a fit ranks with Unbelievable, and the better fit goes first
    assert [r["gesture"] for r in rows] == [wine.id, champagne.id, cheese.id]
    assert rows[0]["fits_preferences"] is True and rows[0]["fit"] == 1 and "wine" in rows[0]["why"]
    assert rows[1]["level"] == 6 and "Unbelievable" in rows[1]["why"] and rows[1]["fit"] == 0
    assert rows[2]["fits_preferences"] is False


def test_an_upcoming_occasion_brings_the_gesture_that_speaks_to_it_first(api_as, frontline, team, customer, case):
    from interactions.models import Customer

    GestureFactory(team=team, name="Champagne", base_level=6)
    cake = GestureFactory(team=team, name="Birthday cake", description="A small cake with a candle", base_level=5)
    soon = (timezone.localdate() + timedelta(days=5)).strftime("%m-%d")
    Customer.objects.filter(pk=customer.pk).update(special_dates=[{"label": "Birthday", "date": soon}])
    rows = api_as(frontline).get(f"/api/recovery-cases/{case.id}/recommended-gestures/").json()
    assert rows[0]["gesture"] == cake.id and rows[0]["fit"] == 2 and "Birthday is coming up" in rows[0]["why"]
    months_away = (timezone.localdate() + timedelta(days=60)).strftime("%m-%d")
    Customer.objects.filter(pk=customer.pk).update(special_dates=[{"label": "Birthday", "date": months_away}])
    later = api_as(frontline).get(f"/api/recovery-cases/{case.id}/recommended-gestures/").json()
    assert later[0]["gesture"] != cake.id and later[-1]["fit"] == 0  # two months away: no longer first


def test_equal_gestures_are_spread_over_customers(frontline, team):
    from interactions.tests.factories import CustomerFactory
    from recovery import selectors as recovery_selectors

    from .conftest import open_case

    gestures = [GestureFactory(team=team, name=f"Treat {i}", base_level=5) for i in range(4)]
    tops = {
        recovery_selectors.gestures_recommended(case=open_case(frontline, CustomerFactory(team=team, preferences=""))).pop(0).gesture
        for _ in range(8)
    }
    assert len(tops) > 1 and tops <= set(gestures)


def test_recommendations_use_the_effective_base_level_after_drift(api_as, frontline, team, customer, case):
    from interactions.models import GestureDrift

    champagne = GestureFactory(team=team, name="Champagne", base_level=6)
    wine = GestureFactory(team=team, name="Glass of wine", base_level=5)
    GestureDrift.objects.create(gesture=champagne, effective_from=timezone.now() - timedelta(days=1), offset=-1)
    rows = api_as(frontline).get(f"/api/recovery-cases/{case.id}/recommended-gestures/").json()
    assert [(r["gesture"], r["level"]) for r in rows] == [(wine.id, 5), (champagne.id, 5)], "drifted to 5; wine fits their taste"


def test_schema_documents_the_error_answers(api_as, frontline):
    schema = api_as(frontline).get("/api/schema/", HTTP_ACCEPT="application/json").json()
    fix = schema["paths"]["/api/recovery-cases/{id}/fix/"]["post"]["responses"]
    approve = schema["paths"]["/api/rule-bends/{id}/approve/"]["post"]["responses"]
    assert {"200", "400", "401", "403", "404", "409"} <= set(fix) and {"400", "403", "404", "409"} <= set(approve)
