"""Owners, "my cases", the case filters and internal notes."""

from urllib.parse import urlsplit

import pytest

from accounts.tests.factories import UserFactory
from interactions.services import interaction_log
from interactions.tests.factories import CustomerFactory
from notifications.models import Notification
from recovery.models import CaseEvent
from recovery.services import links, owners, steps

from .conftest import open_case

pytestmark = pytest.mark.django_db


def test_the_customers_personal_contact_owns_the_new_case(team, frontline):
    contact = UserFactory(username="petra", teams=[team])
    customer = CustomerFactory(team=team, personal_contact=contact)
    case = open_case(frontline, customer)
    assert case.owner == contact
    # The contact did not log it: she hears the case is hers, in the app and by email.
    told = Notification.objects.get(recipient=contact)
    assert told.kind == "case.assigned" and f"/cases/{case.pk}/" in told.url and told.url in told.text


def test_without_a_personal_contact_whoever_logged_it_owns_it_and_is_not_told(frontline, customer):
    case = open_case(frontline, customer)
    assert case.owner == frontline
    assert not Notification.objects.exists()


def test_a_personal_contact_outside_the_team_is_passed_over_for_the_logger(team, other_team, frontline):
    outsider = UserFactory(teams=[other_team])
    case = open_case(frontline, CustomerFactory(team=team, personal_contact=outsider))
    assert case.owner == frontline


def test_nobody_owns_a_case_logged_by_someone_outside_the_team(team, admin_user, customer):
    case = interaction_log(actor=admin_user, customer=customer, channel="phone", promise_kept=False).recovery_case
    assert case.owner is None  # an admin logged it for the team: someone in the team takes it
    assert owners.case_default_owner(team_id=team.pk, personal_contact_id=None, logged_by_id=None) is None


def test_anyone_in_the_team_reassigns_and_the_new_owner_is_told(api_as, team, frontline, manager, case):
    colleague = UserFactory(username="carla", teams=[team])
    response = api_as(frontline).post(f"/api/recovery-cases/{case.pk}/assign/", {"owner": colleague.pk}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["owner"] == colleague.pk
    event = CaseEvent.objects.get(case=case, kind="assigned")
    assert event.actor == frontline and "fiona → carla" in event.note
    told = Notification.objects.get(recipient=colleague, kind="case.assigned")
    assert f"Case #{case.pk}" in told.title and "fiona" in told.text
    # Taking a case yourself tells nobody.
    assert api_as(manager).post(f"/api/recovery-cases/{case.pk}/assign/", {"owner": manager.pk}, format="json").status_code == 200
    assert not Notification.objects.filter(recipient=manager).exists()


def test_reassigning_to_someone_outside_the_team_is_refused(api_as, frontline, other_frontline, case):
    response = api_as(frontline).post(f"/api/recovery-cases/{case.pk}/assign/", {"owner": other_frontline.pk}, format="json")
    assert response.status_code == 400
    assert response.json()["owner"] == ["Choose someone in this case's team."]
    for bad in ({}, {"owner": "me"}, {"owner": 0}, {"owner": 10**30}):
        assert api_as(frontline).post(f"/api/recovery-cases/{case.pk}/assign/", bad, format="json").status_code == 400
    case.refresh_from_db()
    assert case.owner == frontline and not CaseEvent.objects.filter(case=case, kind="assigned").exists()


def test_someone_of_another_team_cannot_assign_and_a_closed_case_is_a_conflict(api_as, frontline, manager, other_frontline, case):
    assert api_as(other_frontline).post(f"/api/recovery-cases/{case.pk}/assign/", {"owner": other_frontline.pk}, format="json").status_code == 404
    steps.case_close(actor=manager, case=case, reason="moved away")
    response = api_as(frontline).post(f"/api/recovery-cases/{case.pk}/assign/", {"owner": manager.pk}, format="json")
    assert response.status_code == 409


def test_the_case_list_filters_by_owner_me_none_and_channel(api_as, team, frontline, manager, admin_user, customer):
    mine = open_case(frontline, customer)
    theirs = interaction_log(actor=manager, customer=customer, channel="email", promise_kept=False).recovery_case
    nobodys = interaction_log(actor=admin_user, customer=customer, channel="chat", promise_kept=False).recovery_case
    client = api_as(frontline)

    def ids(query):
        response = client.get(f"/api/recovery-cases/?{query}")
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids("owner=me") == {mine.pk}
    assert ids(f"owner={manager.pk}") == {theirs.pk}
    assert ids("owner=none") == {nobodys.pk}
    assert ids("channel=email") == {theirs.pk}
    assert ids("owner=me&severity=1&status=open&overdue=false") == {mine.pk}
    for bad in ("owner=someone", "owner=-1", "channel=pigeon", "owner=1" + "0" * 30):
        assert client.get(f"/api/recovery-cases/?{bad}").status_code == 400


def test_an_internal_note_is_on_the_timeline_and_never_on_the_customers_page(api_as, client, frontline, other_frontline, case):
    response = api_as(frontline).post(f"/api/recovery-cases/{case.pk}/notes/", {"note": "Called her back, voicemail."}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["kind"] == "note" and response.json()["actor"] == "fiona"
    events = api_as(frontline).get(f"/api/recovery-cases/{case.pk}/events/").json()
    assert [e["note"] for e in events if e["kind"] == "note"] == ["Called her back, voicemail."]
    status_page = client.get(urlsplit(links.case_status_url(case)).path)
    assert status_page.status_code == 200 and "voicemail" not in status_page.content.decode()
    assert api_as(frontline).post(f"/api/recovery-cases/{case.pk}/notes/", {"note": "   "}, format="json").status_code == 400
    assert api_as(other_frontline).post(f"/api/recovery-cases/{case.pk}/notes/", {"note": "x"}, format="json").status_code == 404
