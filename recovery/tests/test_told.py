"""Who is told what: bends go to the people who can decide them and back to the requester; a failed
recovery opens a follow-up case; the notifications API shows each person only their own."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.tests.factories import AdminFactory, ManagerFactory, UserFactory
from interactions.levels import Level
from notifications.models import Notification
from recovery.models import CaseEvent, RecoveryCase
from recovery.services import bends, owners, steps

pytestmark = pytest.mark.django_db


def ask(client, **data):
    return client.post("/api/rule-bends/", data, format="json")


def told(kind):
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def test_a_bend_within_a_managers_limit_goes_to_that_manager_and_says_so(api_as, team, frontline, manager, other_manager, rule, customer):
    AdminFactory(username="root")
    ManagerFactory(username="low", teams=[team], approval_limit=10)  # cannot decide 40
    response = ask(api_as(frontline), rule=rule.id, customer=customer.id, justification="Delayed flight", cost="40")
    assert response.status_code == 201
    assert response.json()["who_decides"] == "manager"
    assert response.json()["who_decides_label"] == "A manager of the team will decide."
    assert told("bend.requested") == ["manny"], "only who can decide it: not low, not olga of team B, not root"


def test_a_bend_above_every_managers_limit_says_an_admin_decides_and_goes_to_the_admins(api_as, frontline, manager, rule, customer):
    AdminFactory(username="root")
    response = ask(api_as(frontline), rule=rule.id, customer=customer.id, justification="Whole party", cost="350")
    assert response.json()["who_decides"] == "admin" and "admin" in response.json()["who_decides_label"]
    assert told("bend.requested") == ["root"]


def test_the_teams_only_manager_asking_is_announced_to_the_admins_not_to_herself(api_as, manager, rule, customer):
    AdminFactory(username="root")
    response = ask(api_as(manager), rule=rule.id, customer=customer.id, justification="Regular", cost="20")
    assert response.json()["needs_admin"] is True and response.json()["who_decides"] == "admin"
    assert told("bend.requested") == ["root"]


def test_the_requester_is_told_the_decision_and_a_reject_needs_a_note(api_as, frontline, manager, rule, customer):
    bend = ask(api_as(frontline), rule=rule.id, customer=customer.id, justification="Regular", cost="20").json()
    no_note = api_as(manager).post(f"/api/rule-bends/{bend['id']}/reject/", {}, format="json")
    assert no_note.status_code == 400 and "note" in no_note.json()
    assert api_as(manager).post(f"/api/rule-bends/{bend['id']}/reject/", {"note": "Offer a voucher"}, format="json").status_code == 200
    notice = Notification.objects.get(kind="bend.decided")
    assert notice.recipient == frontline and "rejected" in notice.title and "Offer a voucher" in notice.text
    again = api_as(manager).post(f"/api/rule-bends/{bend['id']}/reject/", {}, format="json")
    assert again.status_code == 409, "a stale decision is a conflict, note or not"


def test_the_queue_shows_only_bends_the_viewer_can_decide_with_their_age(client_as, frontline, manager, team, rule, customer):
    ManagerFactory(username="maria", teams=[team], approval_limit=50)
    small = bends.bend_request(actor=frontline, rule=rule, customer=customer, justification="small", cost=Decimal("30"))
    big = bends.bend_request(actor=frontline, rule=rule, customer=customer, justification="big", cost=Decimal("350"))
    own = bends.bend_request(actor=manager, rule=rule, customer=customer, justification="mine", cost=Decimal("10"))
    page = client_as(manager).get(reverse("web:bends")).content.decode()
    queue, others = page.split('id="others-h"')
    assert f'id="bend-{small.pk}"' in queue and "asked" in queue and "ago" in queue
    assert f'id="bend-{big.pk}"' in others and f'id="bend-{own.pk}"' in others
    assert f'id="bend-{big.pk}"' not in queue and f'id="bend-{own.pk}"' not in queue
    dashboard = client_as(manager).get(reverse("dashboard")).content.decode()
    assert dashboard.count("asked by") == 1, "the dashboard lists only what she can decide"


def test_the_web_request_says_who_will_decide(client_as, frontline, manager, rule, customer):
    response = client_as(frontline).post(
        reverse("web:bend-request") + f"?customer={customer.pk}",
        {"rule": rule.pk, "customer": customer.pk, "justification": "Whole party", "cost": "350"}, follow=True,
    )
    assert "An admin will decide" in response.content.decode()


def _closed_case(frontline, manager, customer):
    from .conftest import open_case

    case = open_case(frontline, customer)
    return steps.case_close(actor=manager, case=case, reason="Customer moved on")


@pytest.mark.parametrize("level", [Level.CRIMINAL, Level.BASIC])
def test_a_failed_recovery_opens_a_follow_up_for_the_same_owner_and_tells_the_managers(frontline, manager, customer, level):
    case = _closed_case(frontline, manager, customer)
    steps.case_recovered_rate(case=case, level=level)
    follow_up = RecoveryCase.objects.get(follow_up_of=case)
    assert follow_up.owner == frontline and follow_up.customer == customer and follow_up.severity == level
    assert follow_up.status == "open" and follow_up.interaction is None and follow_up.fix_due > follow_up.opened_at
    assert CaseEvent.objects.filter(case=case, kind="follow_up").exists()
    assert told("case.follow_up") == ["fiona", "manny"]


def test_a_recovery_rated_expected_or_better_opens_nothing(frontline, manager, customer):
    case = _closed_case(frontline, manager, customer)
    steps.case_recovered_rate(case=case, level=Level.EXPECTED)
    assert not RecoveryCase.objects.filter(follow_up_of=case).exists()


def test_the_follow_up_reads_in_the_api_and_on_its_page(api_as, client_as, frontline, manager, customer):
    case = _closed_case(frontline, manager, customer)
    steps.case_recovered_rate(case=case, level=Level.CRIMINAL)
    follow_up = RecoveryCase.objects.get(follow_up_of=case)
    row = api_as(frontline).get(f"/api/recovery-cases/{follow_up.pk}/").json()
    assert row["follow_up_of"] == case.pk and row["interaction"] is None and row["owner"] == frontline.pk
    page = client_as(frontline).get(reverse("web:case-detail", args=[follow_up.pk]))
    assert page.status_code == 200 and f"Follow-up of case #{case.pk}" in page.content.decode()
    first = client_as(frontline).get(reverse("web:case-detail", args=[case.pk])).content.decode()
    assert f'href="/cases/{follow_up.pk}/"' in first


def test_the_notifications_api_lists_only_your_own_newest_first_and_marks_them_read(api_as, team, frontline, manager, other_frontline, case):
    colleague = UserFactory(username="carla", teams=[team])
    for _ in range(2):
        owners.case_assign(actor=frontline, case=case, owner=colleague)
        owners.case_assign(actor=frontline, case=case, owner=frontline)
    client = api_as(colleague)
    listed = client.get("/api/notifications/").json()
    assert listed["unread"] == 2 and [n["id"] for n in listed["results"]] == sorted((n["id"] for n in listed["results"]), reverse=True)
    assert all(n["kind"] == "case.assigned" and n["url"].endswith(f"/cases/{case.pk}/") for n in listed["results"])
    first = listed["results"][0]["id"]
    # Another person cannot read or mark it.
    assert api_as(other_frontline).get(f"/api/notifications/{first}/").status_code == 404
    assert api_as(other_frontline).post(f"/api/notifications/{first}/read/").status_code == 404
    assert api_as(other_frontline).get("/api/notifications/").json()["results"] == []
    marked = client.post(f"/api/notifications/{first}/read/")
    assert marked.status_code == 200 and marked.json()["read"] is True
    assert client.get("/api/notifications/").json()["unread"] == 1
    assert [n["id"] for n in client.get("/api/notifications/?unread=true").json()["results"]] != [first]
    assert client.post("/api/notifications/read-all/", {}, format="json").json() == {"marked": 1, "unread": 0}
    assert client.get("/api/notifications/?unread=yes").status_code == 400
    assert api_as(other_frontline).post("/api/notifications/read-all/", {"ids": [first]}, format="json").json()["marked"] == 0


def test_the_notifications_page_and_bell_show_the_count_and_opening_one_reads_it(client_as, team, frontline, case, django_assert_max_num_queries):
    colleague = UserFactory(username="carla", teams=[team])
    client = client_as(colleague)
    assert '<span class="count">0</span>' in client.get(reverse("web:notifications")).content.decode()
    for _ in range(3):
        owners.case_assign(actor=frontline, case=case, owner=colleague)
        owners.case_assign(actor=frontline, case=case, owner=frontline)
    with django_assert_max_num_queries(5):  # session, user, the list, the bell's count (and a savepoint)
        page = client.get(reverse("web:notifications")).content.decode()
    assert '<span class="count">3</span>' in page and page.count('class="notification unread"') == 3
    notice = Notification.objects.filter(recipient=colleague).first()
    opened = client.get(reverse("web:notification-open", args=[notice.pk]))
    assert opened.status_code == 302 and opened["Location"] == f"/cases/{case.pk}/"
    assert '<span class="count">2</span>' in client.get(reverse("web:notifications")).content.decode()
    client.post(reverse("web:notifications-read"))
    assert '<span class="count">0</span>' in client.get(reverse("web:notifications")).content.decode()


def test_each_person_is_told_in_their_language_and_time_zone(team, frontline, case):
    team.timezone = "Europe/Amsterdam"
    team.save()
    joost = UserFactory(username="joost", teams=[team], language="nl")
    owners.case_assign(actor=frontline, case=case, owner=joost)
    notice = Notification.objects.get(recipient=joost)
    local = case.fix_due.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Amsterdam"))
    assert notice.title == f"Zaak #{case.pk} voor {case.customer.name} is aan u toegewezen"
    assert f"Uiterlijk: {local:%Y-%m-%d %H:%M} {local.tzname()}" in notice.text
