"""Every case transition, allowed and refused, by each role, through the API."""

import pytest

from recovery.models import CaseEvent, RecoveryCase
from recovery.services import steps

pytestmark = pytest.mark.django_db

ROLES = ["frontline", "manager", "other_manager", "admin_user"]


def drive_to(case, state, *, actor, gesture):
    if state in ("fixed", "surprised", "closed"):
        case = steps.case_fix(actor=actor, case=case, note="refunded")
    if state in ("surprised", "closed"):
        case = steps.case_surprise(actor=actor, case=case, gesture=gesture, note="")
    if state == "closed":
        case = steps.case_close(actor=actor, case=case, note="done")
    return case


# (from state, action, payload, expected answer per role: frontline, manager, other team's manager, admin)
TABLE = [
    ("open", "fix", {"note": "called back"}, (200, 200, 404, 200)),
    ("fixed", "fix", {}, (409, 409, 404, 409)),
    ("surprised", "fix", {}, (409, 409, 404, 409)),
    ("closed", "fix", {}, (409, 409, 404, 409)),
    ("open", "surprise", {"gesture": "G"}, (409, 409, 404, 409)),
    ("fixed", "surprise", {"gesture": "G", "note": "on us"}, (200, 200, 404, 200)),
    ("surprised", "surprise", {"gesture": "G"}, (409, 409, 404, 409)),
    ("closed", "surprise", {"gesture": "G"}, (409, 409, 404, 409)),
    ("surprised", "close", {"note": "happy again"}, (200, 200, 404, 200)),
    ("open", "close", {"note": "no reason"}, (403, 400, 404, 400)),
    ("open", "close", {"reason": "Customer asked us to stop"}, (403, 200, 404, 200)),
    ("fixed", "close", {}, (403, 400, 404, 400)),
    ("fixed", "close", {"reason": "Moved abroad, cannot surprise"}, (403, 200, 404, 200)),
    ("closed", "close", {"reason": "again"}, (409, 409, 404, 409)),
]

EXPECTED_STATUS = {"fix": "fixed", "surprise": "surprised", "close": "closed"}


@pytest.mark.parametrize("role_index,role", list(enumerate(ROLES)))
@pytest.mark.parametrize("state,action,payload,answers", TABLE, ids=[f"{a}-from-{s}-{i}" for i, (s, a, _, __) in enumerate(TABLE)])
def test_case_transition_by_role(request, api_as, case, gesture, manager, role_index, role, state, action, payload, answers):
    case = drive_to(case, state, actor=manager, gesture=gesture)
    events_before = CaseEvent.objects.filter(case=case).count()
    actor = request.getfixturevalue(role)
    payload = {k: (gesture.id if v == "G" else v) for k, v in payload.items()}

    response = api_as(actor).post(f"/api/recovery-cases/{case.id}/{action}/", payload, format="json")

    expected = answers[role_index]
    assert response.status_code == expected, response.content
    case.refresh_from_db()
    events_after = CaseEvent.objects.filter(case=case).count()
    if expected == 200:
        assert case.status == EXPECTED_STATUS[action] == response.json()["status"]
        event = CaseEvent.objects.filter(case=case).latest("id")
        assert (event.from_status, event.to_status, event.actor_id) == (state, case.status, actor.id)
        assert events_after == events_before + 1
    else:
        assert case.status == state, "a refused transition changes nothing"
        assert events_after == events_before, "a refused transition writes no event"
    if expected == 409:
        assert response.json()["detail"], "a conflict says why"
    if expected == 400:
        assert "reason" in response.json()


def test_the_surprise_is_a_delivery_on_the_case_that_counts_on_the_escalator(case, frontline, gesture):
    from interactions.models import GestureDelivery, Interaction
    from interactions.services import interaction_log

    interactions_before = Interaction.objects.count()
    case = steps.case_fix(actor=frontline, case=case, note="")
    case = steps.case_surprise(actor=frontline, case=case, gesture=gesture, note="with a smile")
    assert Interaction.objects.count() == interactions_before, "the surprise is not a new interaction"
    delivery = case.surprise_delivery
    assert (delivery.interaction_id, delivery.customer_id, delivery.gesture_id) == (None, case.customer_id, gesture.id)
    assert (case.surprise_gesture_id, case.surprise_level) == (gesture.id, 5)  # first delivery: its base level
    event = case.events.latest("id")
    assert gesture.name in event.note and "with a smile" in event.note
    # a second delivery of the same gesture now lands one level lower: it counted on the escalator
    again = interaction_log(actor=frontline, customer=case.customer, channel="phone", gestures=[gesture.id])
    assert again.level == 4
    assert GestureDelivery.objects.filter(customer=case.customer, gesture=gesture).count() == 2


def test_surprise_with_another_teams_gesture_is_400(api_as, case, frontline, other_team):
    from interactions.tests.factories import GestureFactory

    steps.case_fix(actor=frontline, case=case)
    foreign = GestureFactory(team=other_team)
    response = api_as(frontline).post(f"/api/recovery-cases/{case.id}/surprise/", {"gesture": foreign.id}, format="json")
    assert response.status_code == 400 and "gesture" in response.json()
    assert RecoveryCase.objects.get(pk=case.pk).status == "fixed"


def test_fix_sets_the_surprise_due_from_the_teams_sla(case, frontline, team):
    team.sla_surprise_hours = 12
    team.save()
    case = steps.case_fix(actor=frontline, case=case)
    assert case.surprise_due - case.fixed_at == __import__("datetime").timedelta(hours=12)


def test_events_are_read_only_in_the_api(api_as, case, manager):
    client = api_as(manager)
    url = f"/api/recovery-cases/{case.id}/events/"
    events = client.get(url).json()
    assert [e["kind"] for e in events] == ["opened"]
    assert events[0]["actor"] == "fiona"
    for method in ("post", "put", "patch", "delete"):
        assert getattr(client, method)(url, {}, format="json").status_code == 405


@pytest.mark.django_db(transaction=True)
def test_ten_people_fixing_one_case_at_once_fix_it_once(team):
    import threading

    from django.db import connection

    from accounts.tests.factories import UserFactory
    from core.errors import StateConflict
    from interactions.tests.factories import CustomerFactory

    from .conftest import open_case

    people = [UserFactory(teams=[team]) for _ in range(10)]
    case = open_case(people[0], CustomerFactory(team=team))
    barrier = threading.Barrier(len(people))
    outcomes = [None] * len(people)

    def fix(i):
        try:
            barrier.wait(timeout=30)
            steps.case_fix(actor=people[i], case=case, note=f"#{i}")
            outcomes[i] = "fixed"
        except StateConflict:
            outcomes[i] = "conflict"
        finally:
            connection.close()

    threads = [threading.Thread(target=fix, args=(i,)) for i in range(len(people))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict"] * 9 + ["fixed"]
    assert CaseEvent.objects.filter(case=case, kind="fixed").count() == 1
