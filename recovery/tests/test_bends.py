"""Rule bends: asking, bad input, who decides, the say-yes threshold, and a real race."""

import threading
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection

from accounts.tests.factories import AdminFactory, ManagerFactory, UserFactory
from notifications.services import emails_send_pending
from recovery.models import BendEvent, Rule, RuleBend
from recovery.services import bends

pytestmark = pytest.mark.django_db


def ask(client, **data):
    return client.post("/api/rule-bends/", data, format="json")


def test_frontline_asks_a_bend_for_a_case_and_managers_are_emailed_after_commit(
    api_as, frontline, manager, rule, case, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = ask(api_as(frontline), rule=rule.id, case=case.id, justification="Regular guest, flight delayed", cost="40.00")
    assert response.status_code == 201, response.content
    bend = response.json()
    assert bend["status"] == "pending" and bend["requested_by"] == frontline.id and bend["decided_by"] is None
    assert bend["customer"] == case.customer_id, "a bend for a case is also for its customer"
    assert bend["auto_approved"] is False and bend["needs_admin"] is False
    assert emails_send_pending() == 1  # what the worker does after commit
    assert [m.to for m in mail.outbox] == [[manager.email]]
    assert "No refunds after 30 days" in mail.outbox[0].subject


def test_a_bend_within_the_say_yes_threshold_is_approved_at_once_and_logged_as_such(
    api_as, frontline, manager, rule, customer, team, django_capture_on_commit_callbacks
):
    team.say_yes_threshold = Decimal("15")
    team.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = ask(api_as(frontline), rule=rule.id, customer=customer.id, justification="Birthday", cost="15")
    assert response.status_code == 201
    assert response.json()["status"] == "approved" and response.json()["auto_approved"] is True
    bend = RuleBend.objects.get(pk=response.json()["id"])
    assert [e.kind for e in bend.events.all()] == ["requested", "auto-approved"]
    assert emails_send_pending() == 0 and mail.outbox == [], "nothing waits for a manager"
    over = ask(api_as(frontline), rule=rule.id, customer=customer.id, justification="Birthday", cost="15.01")
    assert over.json()["status"] == "pending"


def test_a_zero_threshold_is_off(api_as, frontline, rule, customer):
    response = ask(api_as(frontline), rule=rule.id, customer=customer.id, justification="Free coffee", cost="0")
    assert response.json()["status"] == "pending"


@pytest.mark.parametrize(
    "data,field",
    [
        ({"rule": 999999}, "rule"),
        ({"cost": "-1"}, "cost"),
        ({"cost": "ten"}, "cost"),
        ({"cost": "NaN"}, "cost"),
        ({"cost": "1.234"}, "cost"),
        ({"cost": None}, "cost"),
        ({"justification": ""}, "justification"),
        ({"justification": None}, "justification"),
        ({"rule": "OTHER_RULE"}, "rule"),
        ({"customer": "OTHER_CUSTOMER"}, "customer"),
        ({"customer": None}, "non_field_errors"),
    ],
)
def test_bad_bend_input_is_400_with_the_field(api_as, frontline, rule, customer, other_rule, other_customer, data, field):
    body = {"rule": rule.id, "customer": customer.id, "justification": "why not", "cost": "5"}
    body.update(data)
    body = {k: {"OTHER_RULE": other_rule.id, "OTHER_CUSTOMER": other_customer.id}.get(v, v) for k, v in body.items()}
    response = ask(api_as(frontline), **body)
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert RuleBend.objects.count() == 0


def test_a_customer_of_another_team_than_the_rule_is_400_even_for_an_admin(api_as, admin_user, rule, other_customer):
    response = ask(api_as(admin_user), rule=rule.id, customer=other_customer.id, justification="x", cost="1")
    assert response.status_code == 400 and "customer" in response.json()


@pytest.fixture
def pending(frontline, rule, customer):
    return bends.bend_request(actor=frontline, rule=rule, customer=customer, justification="Late flight", cost=Decimal("50"))


def test_a_manager_of_the_team_approves_within_the_limit_with_a_note(api_as, manager, pending):
    response = api_as(manager).post(f"/api/rule-bends/{pending.id}/approve/", {"note": "Good call"}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["decided_by"], body["decision_note"]) == ("approved", manager.id, "Good call")
    assert body["decided_at"]
    event = BendEvent.objects.get(bend=pending, kind="approved")
    assert (event.actor_id, event.from_status, event.to_status, event.note) == (manager.id, "pending", "approved", "Good call")


def test_a_second_decision_is_409(api_as, manager, admin_user, pending):
    assert api_as(manager).post(f"/api/rule-bends/{pending.id}/reject/", {"note": "No"}, format="json").status_code == 200
    second = api_as(admin_user).post(f"/api/rule-bends/{pending.id}/approve/", {}, format="json")
    assert second.status_code == 409 and "already decided" in second.json()["detail"]
    assert RuleBend.objects.get(pk=pending.pk).status == "rejected"


def test_who_may_decide(api_as, team, frontline, manager, other_manager, admin_user, rule, customer):
    big = bends.bend_request(actor=frontline, rule=rule, customer=customer, justification="Wedding", cost=Decimal("250"))
    assert big.needs_admin is True, "above every manager's limit"
    assert api_as(frontline).post(f"/api/rule-bends/{big.id}/approve/").status_code == 403
    assert api_as(other_manager).post(f"/api/rule-bends/{big.id}/approve/").status_code == 404
    over_limit = api_as(manager).post(f"/api/rule-bends/{big.id}/approve/")
    assert over_limit.status_code == 403 and "approval limit" in over_limit.json()["detail"]
    assert api_as(admin_user).post(f"/api/rule-bends/{big.id}/approve/").status_code == 200


def test_nobody_decides_their_own_bend_not_even_an_admin(api_as, manager, admin_user, rule, customer):
    own = bends.bend_request(actor=manager, rule=rule, customer=customer, justification="My regular", cost=Decimal("5"))
    assert api_as(manager).post(f"/api/rule-bends/{own.id}/approve/").status_code == 403
    admins_own = bends.bend_request(actor=admin_user, rule=rule, customer=customer, justification="x", cost=Decimal("5"))
    assert api_as(admin_user).post(f"/api/rule-bends/{admins_own.id}/reject/").status_code == 403
    assert RuleBend.objects.filter(status="pending").count() == 2


def test_rules_register_managers_edit_frontline_read(api_as, frontline, manager, team, other_team, rule):
    assert api_as(frontline).post("/api/rules/", {"team": team.id, "name": "No dogs"}, format="json").status_code == 403
    assert api_as(frontline).patch(f"/api/rules/{rule.id}/", {"name": "x"}, format="json").status_code == 403
    created = api_as(manager).post("/api/rules/", {"team": team.id, "name": "No dogs", "description": "Except guide dogs"}, format="json")
    assert created.status_code == 201 and set(created.json()) >= {"id", "team", "name", "description"}
    duplicate = api_as(manager).post("/api/rules/", {"team": team.id, "name": "No dogs"}, format="json")
    assert duplicate.status_code == 400 and "name" in duplicate.json()
    foreign = api_as(manager).post("/api/rules/", {"team": other_team.id, "name": "No cats"}, format="json")
    assert foreign.status_code == 400 and "team" in foreign.json()
    renamed = api_as(manager).patch(f"/api/rules/{rule.id}/", {"description": "Unless the item is faulty"}, format="json")
    assert renamed.status_code == 200
    names = [r["name"] for r in api_as(frontline).get("/api/rules/").json()["results"]]
    assert names == ["No dogs", "No refunds after 30 days"]


def test_dumb_rules_rank_by_bends_asked_then_approval_rate(api_as, frontline, manager, team, customer):
    refunds = Rule.objects.create(team=team, name="No refunds after 30 days")
    tables = Rule.objects.create(team=team, name="No table changes after 20:00")
    corkage = Rule.objects.create(team=team, name="Corkage fee always")
    Rule.objects.create(team=team, name="Never bent")
    for rule, approvals, rejections in [(refunds, 1, 2), (tables, 3, 0), (corkage, 3, 0)]:
        for i in range(approvals + rejections):
            bend = bends.bend_request(actor=frontline, rule=rule, customer=customer, justification="x", cost=Decimal("1"))
            bends.bend_decide(actor=manager, bend=bend, approve=i < approvals, note="" if i < approvals else "Not this time")
    bends.bend_request(actor=frontline, rule=corkage, customer=customer, justification="pending", cost=Decimal("1"))

    for url in ("/api/rules/dumb/?days=90", "/api/rules/?ordering=-bend_count"):
        rows = api_as(manager).get(url).json()["results"]
        assert [(r["name"], r["bend_count"], r["approval_rate"]) for r in rows] == [
            ("Corkage fee always", 4, 1.0),
            ("No table changes after 20:00", 3, 1.0),
            ("No refunds after 30 days", 3, pytest.approx(1 / 3)),
            ("Never bent", 0, None),
        ]
    assert api_as(manager).get("/api/rules/dumb/?days=0").status_code == 400
    assert api_as(manager).get("/api/rules/dumb/?days=abc").status_code == 400
    assert api_as(manager).get("/api/rules/?ordering=name;drop").status_code == 400


def test_the_bend_period_leaves_old_bends_out(api_as, frontline, manager, rule, customer):
    from datetime import timedelta

    from django.utils import timezone

    bend = bends.bend_request(actor=frontline, rule=rule, customer=customer, justification="x", cost=Decimal("1"))
    RuleBend.objects.filter(pk=bend.pk).update(requested_at=timezone.now() - timedelta(days=100))
    assert api_as(manager).get("/api/rules/dumb/?days=90").json()["results"][0]["bend_count"] == 0
    assert api_as(manager).get("/api/rules/dumb/?days=365").json()["results"][0]["bend_count"] == 1


@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_decisions_on_one_bend_leave_exactly_one(team, customer):
    requester = UserFactory(teams=[team])
    deciders = [ManagerFactory(teams=[team], approval_limit=1000) for _ in range(10)] + [AdminFactory() for _ in range(10)]
    rule = Rule.objects.create(team=team, name="No refunds after 30 days")
    bend = bends.bend_request(actor=requester, rule=rule, customer=customer, justification="race", cost=Decimal("20"))
    from rest_framework.test import APIClient

    from accounts.services import token_create

    tokens = [token_create(user=u) for u in deciders]
    barrier = threading.Barrier(len(deciders))
    answers = [None] * len(deciders)

    def decide(i):
        try:
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Token {tokens[i]}")
            barrier.wait(timeout=30)
            answers[i] = client.post(f"/api/rule-bends/{bend.id}/{'approve' if i % 2 else 'reject'}/", {"note": f"#{i}"}, format="json").status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=(i,)) for i in range(len(deciders))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(answers) == [200] + [409] * 19, answers
    bend.refresh_from_db()
    decisions = BendEvent.objects.filter(bend=bend).exclude(kind="requested")
    assert decisions.count() == 1
    event = decisions.get()
    winner = answers.index(200)
    assert (bend.status, bend.decided_by_id, bend.decision_note) == (event.to_status, deciders[winner].id, f"#{winner}")
