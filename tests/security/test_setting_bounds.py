"""Every number a user can set has bounds (issue 19, finding 5).

A Criminal-fix SLA of 100,000,000 hours was accepted; every log that opened a case then failed (the
deadline overflowed the calendar), and the web log form answered 500.
"""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from accounts.models import MAX_SLA_HOURS, Team
from interactions.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

# setting -> (largest accepted, smallest refused)
BOUNDS = {
    "sla_criminal_fix_hours": (MAX_SLA_HOURS, MAX_SLA_HOURS + 1),
    "sla_basic_fix_hours": (MAX_SLA_HOURS, MAX_SLA_HOURS + 1),
    "sla_surprise_hours": (MAX_SLA_HOURS, MAX_SLA_HOURS + 1),
    "familiarity_window_days": (3650, 3651),
    "drift_min_customers": (1_000_000, 1_000_001),
    "drift_share": ("1.000", "1.001"),
    "say_yes_threshold": ("100.00", "100.01"),  # the manager's approval limit
}


def test_a_huge_criminal_sla_is_refused_and_the_team_keeps_logging(api_as, manager, frontline, team):
    response = api_as(manager).patch(f"/api/teams/{team.id}/", {"sla_criminal_fix_hours": 100000000}, format="json")
    assert response.status_code == 400, response.content
    assert "sla_criminal_fix_hours" in response.json()
    team.refresh_from_db()
    assert team.sla_criminal_fix_hours == 4
    customer = CustomerFactory(team=team)
    logged = api_as(frontline).post(
        "/api/interactions/", {"customer": customer.id, "channel": "phone", "promise_kept": False}, format="json"
    )
    assert logged.status_code == 201, logged.content
    assert logged.json()["recovery_case"] is not None


@pytest.mark.parametrize("setting", sorted(BOUNDS))
def test_each_team_setting_has_a_maximum(api_as, manager, team, setting):
    largest, refused = BOUNDS[setting]
    too_big = api_as(manager).patch(f"/api/teams/{team.id}/", {setting: refused}, format="json")
    assert too_big.status_code == 400, too_big.content
    assert setting in too_big.json()
    for huge in (10**12, "9" * 5000):
        response = api_as(manager).patch(f"/api/teams/{team.id}/", {setting: huge}, format="json")
        assert response.status_code == 400 and setting in response.json()
    assert api_as(manager).patch(f"/api/teams/{team.id}/", {setting: largest}, format="json").status_code == 200


def test_a_case_opened_at_the_longest_sla_gets_its_deadline(api_as, manager, frontline, team):
    assert api_as(manager).patch(
        f"/api/teams/{team.id}/", {"sla_criminal_fix_hours": MAX_SLA_HOURS}, format="json"
    ).status_code == 200
    customer = CustomerFactory(team=team)
    logged = api_as(frontline).post(
        "/api/interactions/", {"customer": customer.id, "channel": "phone", "promise_kept": False}, format="json"
    )
    assert logged.status_code == 201
    case = api_as(frontline).get(f"/api/recovery-cases/{logged.json()['recovery_case']}/").json()
    assert case["fix_due"] is not None


def test_the_web_settings_form_refuses_a_huge_sla_with_a_message(manager, team):
    client = Client()
    client.force_login(manager)
    data = {"sla_criminal_fix_hours": 100000000, "sla_basic_fix_hours": 24, "sla_surprise_hours": 48,
            "say_yes_threshold": "0", "familiarity_window_days": 365, "drift_share": "0.5", "drift_min_customers": 20}
    response = client.post(reverse("web:team-settings", args=[team.pk]), data)
    assert response.status_code == 400
    team.refresh_from_db()
    assert team.sla_criminal_fix_hours == 4


def test_the_database_refuses_an_out_of_range_sla_written_around_the_app(team):
    with pytest.raises(IntegrityError), transaction.atomic():
        Team.objects.filter(pk=team.pk).update(sla_basic_fix_hours=MAX_SLA_HOURS + 1)


def test_an_approval_limit_is_bounded_too(api_as, admin_user, manager):
    response = api_as(admin_user).patch(f"/api/users/{manager.id}/", {"approval_limit": "1" + "0" * 12}, format="json")
    assert response.status_code == 400 and "approval_limit" in response.json()
    assert api_as(admin_user).patch(
        f"/api/users/{manager.id}/", {"approval_limit": str(Decimal("99999999.99"))}, format="json"
    ).status_code == 200
