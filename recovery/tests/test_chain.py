"""The escalation chain with a frozen clock: each step once and in order, whatever runs how often
and however many checks run at once; told in the app and by email with a link, in the reader's zone."""

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.urls import reverse

from accounts.demo import replayed_at
from accounts.tests.factories import AdminFactory, ManagerFactory, TeamFactory, UserFactory
from interactions.tests.factories import CustomerFactory
from notifications.models import Notification
from notifications.services import emails_send_pending
from recovery import escalation
from recovery.models import CaseEvent, EscalationStep, RecoveryCase
from recovery.services import steps

from .conftest import open_case

AMS = ZoneInfo("Europe/Amsterdam")
FRIDAY_9PM = datetime(2026, 12, 4, 21, 0, tzinfo=AMS)


@pytest.fixture
def bistro(db):
    """Open 09:00-22:00 Monday to Saturday in Amsterdam, closed on Dutch public holidays."""
    return TeamFactory(name="Bistro", timezone="Europe/Amsterdam", business_hours="mon-sat 09:00-22:00", holiday_country="NL")


@pytest.fixture
def people(bistro, other_team):
    return {
        "owner": UserFactory(username="wim", teams=[bistro]),
        "manager": ManagerFactory(username="maria", teams=[bistro]),
        "admin": AdminFactory(username="root", email="root@example.com"),
        "stranger": ManagerFactory(username="olga", teams=[other_team]),
    }


def _check(at):
    with replayed_at(at):
        return [(s.case.pk, s.deadline, s.step, s.told) for s in escalation.cases_check_slas(now=at)]


def test_a_criminal_case_opened_friday_night_walks_the_chain_once_in_order(bistro, people, smtp_server, django_capture_on_commit_callbacks):
    owner, manager, admin = people["owner"], people["manager"], people["admin"]
    with replayed_at(FRIDAY_9PM):
        case = open_case(owner, CustomerFactory(team=bistro, name="Anna"))
    # Four open hours: one on Friday night, three on Saturday morning; 75% of them is Saturday 11:00.
    assert case.fix_due == datetime(2026, 12, 5, 12, 0, tzinfo=AMS)
    assert case.warn_at == datetime(2026, 12, 5, 11, 0, tzinfo=AMS)
    # 24 business hours after the breach: Saturday 12-22 (10), Monday 9-22 (13), Tuesday 9-10 (1).
    assert case.admins_at == datetime(2026, 12, 8, 10, 0, tzinfo=AMS)

    moments = [
        (datetime(2026, 12, 5, 10, 59, tzinfo=AMS), []),
        (datetime(2026, 12, 5, 11, 0, tzinfo=AMS), [(case.pk, "fix", "warning", 1)]),
        (datetime(2026, 12, 5, 11, 30, tzinfo=AMS), []),
        (datetime(2026, 12, 5, 12, 1, tzinfo=AMS), [(case.pk, "fix", "breach", 2)]),
        (datetime(2026, 12, 7, 9, 0, tzinfo=AMS), []),
        (datetime(2026, 12, 8, 10, 0, tzinfo=AMS), [(case.pk, "fix", "admins", 1)]),
        (datetime(2026, 12, 9, 10, 0, tzinfo=AMS), []),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        for at, expected in moments:
            assert _check(at) == expected, at
            assert _check(at) == [], "the same check again takes nothing"

    assert list(EscalationStep.objects.filter(case=case).values_list("step", flat=True)) == ["warning", "breach", "admins"]
    assert [e.kind for e in CaseEvent.objects.filter(case=case).order_by("at", "id")][1:] == ["warned", "escalated", "escalated"]
    case.refresh_from_db()
    assert case.escalated_at == datetime(2026, 12, 5, 12, 1, tzinfo=AMS)

    told = {(n.recipient.username, n.kind) for n in Notification.objects.select_related("recipient")}
    assert told == {("wim", "case.warning"), ("wim", "case.breach"), ("maria", "case.breach"), ("root", "case.admins")}
    assert not Notification.objects.filter(recipient=people["stranger"]).exists(), "nobody from another team"

    assert emails_send_pending() == 4
    mails = {(m["To"], m["Subject"]): m.get_payload() for m in smtp_server.messages}
    url = f"/cases/{case.pk}/"
    warning = mails[(owner.email, f"[CX Portal] Case #{case.pk} is due soon (Bistro)")]
    assert url in warning and "2026-12-05 12:00 CET" in warning, "a link, and the due time in Amsterdam"
    assert "2026-12-05 12:00 CET" in mails[(manager.email, f"[CX Portal] Case #{case.pk} is overdue (Bistro)")]
    to_admin = mails[(admin.email, f"[CX Portal] Case #{case.pk} is still overdue a day later (Bistro)")]
    assert url in to_admin and "2026-12-05 11:00 UTC" in to_admin, "the admin belongs to no team: UTC"


def test_a_check_that_was_down_tells_only_the_latest_step(bistro, people):
    with replayed_at(FRIDAY_9PM):
        case = open_case(people["owner"], CustomerFactory(team=bistro))
    assert _check(datetime(2026, 12, 10, 12, 0, tzinfo=AMS)) == [
        (case.pk, "fix", "warning", 0), (case.pk, "fix", "breach", 0), (case.pk, "fix", "admins", 1),
    ]
    assert list(Notification.objects.values_list("recipient__username", flat=True)) == ["root"]


def test_fixing_starts_the_surprises_own_chain(bistro, people):
    with replayed_at(FRIDAY_9PM):
        case = open_case(people["owner"], CustomerFactory(team=bistro))
    assert [s[2] for s in _check(datetime(2026, 12, 5, 12, 1, tzinfo=AMS))] == ["warning", "breach"]
    monday = datetime(2026, 12, 7, 9, 30, tzinfo=AMS)
    with replayed_at(monday):
        case = steps.case_fix(actor=people["owner"], case=case, note="sorted")
    # 48 open hours from Monday 09:30: Monday 12.5, Tuesday to Thursday 13 each (51.5) -> Thursday 18:30.
    assert case.surprise_due == datetime(2026, 12, 10, 18, 30, tzinfo=AMS)
    assert _check(monday + timedelta(hours=1)) == []
    assert [s[1:3] for s in _check(datetime(2026, 12, 10, 19, 0, tzinfo=AMS))] == [("surprise", "warning"), ("surprise", "breach")]


@pytest.mark.django_db(transaction=True)
def test_two_checks_at_the_same_moment_take_each_step_once():
    team = TeamFactory(name="Race", timezone="Europe/Amsterdam", business_hours="mon-sat 09:00-22:00", holiday_country="NL")
    owner = UserFactory(teams=[team])
    ManagerFactory(teams=[team])
    AdminFactory()
    with replayed_at(FRIDAY_9PM):
        cases = [open_case(owner, CustomerFactory(team=team)) for _ in range(4)]
    barrier = threading.Barrier(2)

    def run(at, results, i):
        try:
            barrier.wait(timeout=30)
            results[i] = escalation.cases_check_slas(now=at)
        finally:
            connection.close()

    for at in (datetime(2026, 12, 5, 11, 0, tzinfo=AMS), datetime(2026, 12, 5, 12, 30, tzinfo=AMS), datetime(2026, 12, 8, 11, 0, tzinfo=AMS)):
        results = [None, None]
        threads = [threading.Thread(target=run, args=(at, results, i)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(results[0]) + len(results[1]) == len(cases), "each case moved one step, by one of the two"
    assert EscalationStep.objects.count() == 3 * len(cases)
    # owner warned; owner and manager at the breach; the admin a day later: four per case, none twice.
    assert Notification.objects.count() == 4 * len(cases)
    assert CaseEvent.objects.filter(kind__in=["warned", "escalated"]).count() == 3 * len(cases)


def test_escalated_shows_as_soon_as_the_due_time_passed_without_waiting_for_the_check(client_as, api_as, team, frontline, manager, customer):
    case = open_case(frontline, customer)
    RecoveryCase.objects.filter(pk=case.pk).update(fix_due=case.opened_at - timedelta(minutes=1))
    assert api_as(frontline).get(f"/api/recovery-cases/{case.pk}/").json()["escalated"] is True
    assert "escalated" in client_as(frontline).get(reverse("web:case-detail", args=[case.pk])).content.decode()
    assert "escalated" in client_as(frontline).get(reverse("web:cases")).content.decode()
    dashboard = client_as(manager).get(reverse("dashboard")).content.decode()
    assert "No escalated cases" not in dashboard and f"#{case.pk}" in dashboard
    assert RecoveryCase.objects.get(pk=case.pk).escalated_at is None, "nothing was written: computed on read"
