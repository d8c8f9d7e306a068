"""The say-yes threshold never opens a way around the approval limits (issue 19, finding 1).

A manager sets it at most to their own approval limit, an admin at most to the deployment's maximum
(SAY_YES_THRESHOLD_MAX); a manager's or admin's own bend is never approved by it.
"""

from decimal import Decimal

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from accounts.models import Team, TeamSettingChange
from accounts.tests.factories import ManagerFactory, UserFactory
from recovery.models import RuleBend

pytestmark = pytest.mark.django_db


@pytest.fixture
def maria(team):
    return ManagerFactory(username="maria", teams=[team], approval_limit=Decimal("200"))


def ask(client, rule, customer, cost):
    return client.post(
        "/api/rule-bends/", {"rule": rule.id, "customer": customer.id, "justification": "loyal", "cost": cost}, format="json"
    )


def test_a_manager_cannot_set_the_threshold_above_their_approval_limit(api_as, maria, team):
    response = api_as(maria).patch(f"/api/teams/{team.id}/", {"say_yes_threshold": "99999999.99"}, format="json")
    assert response.status_code == 400, response.content
    assert "say_yes_threshold" in response.json()
    team.refresh_from_db()
    assert team.say_yes_threshold == 0 and not TeamSettingChange.objects.exists()
    assert api_as(maria).patch(f"/api/teams/{team.id}/", {"say_yes_threshold": "200.01"}, format="json").status_code == 400
    assert api_as(maria).patch(f"/api/teams/{team.id}/", {"say_yes_threshold": "200"}, format="json").status_code == 200


def test_a_managers_own_bend_is_never_approved_by_the_threshold(api_as, maria, team, rule, customer):
    team.say_yes_threshold = Decimal("200")
    team.save()
    response = ask(api_as(maria), rule, customer, "50")
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "pending" and response.json()["auto_approved"] is False
    big = ask(api_as(maria), rule, customer, "50000")
    assert big.json()["status"] == "pending"
    assert not RuleBend.objects.filter(status=RuleBend.Status.APPROVED).exists()


def test_a_managers_own_bend_within_their_limit_still_needs_someone_else(api_as, maria, team, rule, customer):
    """maria is the only manager: her own bend goes to an admin, she cannot decide it herself."""
    response = ask(api_as(maria), rule, customer, "50")
    assert response.json()["needs_admin"] is True
    decided = api_as(maria).post(f"/api/rule-bends/{response.json()['id']}/approve/", {"note": "ok"}, format="json")
    assert decided.status_code == 403


def test_a_frontline_bend_within_the_threshold_is_still_approved_at_once(api_as, maria, frontline, team, rule, customer):
    assert api_as(maria).patch(f"/api/teams/{team.id}/", {"say_yes_threshold": "200"}, format="json").status_code == 200
    within = ask(api_as(frontline), rule, customer, "200")
    assert within.json()["status"] == "approved" and within.json()["auto_approved"] is True
    above = ask(api_as(frontline), rule, customer, "50000")
    assert above.json()["status"] == "pending"


@override_settings(SAY_YES_THRESHOLD_MAX=Decimal("5000"))
def test_an_admin_may_set_it_above_any_manager_limit_up_to_the_deployment_maximum(api_as, admin_user, team):
    assert api_as(admin_user).patch(f"/api/teams/{team.id}/", {"say_yes_threshold": "5000"}, format="json").status_code == 200
    over = api_as(admin_user).patch(f"/api/teams/{team.id}/", {"say_yes_threshold": "5000.01"}, format="json")
    assert over.status_code == 400 and "say_yes_threshold" in over.json()
    created = api_as(admin_user).post("/api/teams/", {"name": "New", "say_yes_threshold": "99999999.99"}, format="json")
    assert created.status_code == 400 and "say_yes_threshold" in created.json()
    assert not Team.objects.filter(name="New").exists()


@override_settings(SAY_YES_THRESHOLD_MAX=Decimal("20"))
def test_a_threshold_above_a_lowered_deployment_maximum_approves_only_up_to_the_maximum(api_as, frontline, team, rule, customer):
    Team.objects.filter(pk=team.pk).update(say_yes_threshold=Decimal("500"))  # set before the maximum was lowered
    assert ask(api_as(frontline), rule, customer, "20").json()["status"] == "approved"
    assert ask(api_as(frontline), rule, customer, "21").json()["status"] == "pending"


def test_the_web_settings_form_refuses_a_threshold_above_the_managers_limit(maria, team):
    client = Client()
    client.force_login(maria)
    data = {"currency": "EUR", "sla_criminal_fix_hours": 4, "sla_basic_fix_hours": 24, "sla_surprise_hours": 48,
            "say_yes_threshold": "99999999.99", "familiarity_window_days": 365, "drift_share": "0.5",
            "drift_min_customers": 20, "rating_request_channels": ["phone"], "rating_request_delay_minutes": 60,
            "rating_request_min_days": 14, "quiet_hours_start": "21:00", "quiet_hours_end": "08:00"}
    response = client.post(reverse("web:team-settings", args=[team.pk]), data)
    assert response.status_code == 400
    assert "approval limit" in response.content.decode()
    team.refresh_from_db()
    assert team.say_yes_threshold == 0


def test_a_frontline_user_cannot_change_the_threshold_at_all(api_as, team):
    asker = UserFactory(teams=[team])
    response = api_as(asker).patch(f"/api/teams/{team.id}/", {"say_yes_threshold": "1"}, format="json")
    assert response.status_code == 403
