"""Named examples of the level pipeline as people meet it: omission only where a gesture is offered,
the surprise that never opens a case, corrections, and every level's reason in words."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from interactions import services
from interactions.levels import Level
from interactions.models import Interaction, InteractionCorrection, LevelChange
from interactions.reasons import interaction_level_reason
from interactions.tests.factories import GestureFactory
from recovery.models import CaseEvent, RecoveryCase
from recovery.services import steps as recovery_steps

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


@pytest.fixture
def bread(team):
    return GestureFactory(team=team, name="Bread basket", base_level=Level.SURPRISING, recurring=True, channels=["in_person"])


def _regular(frontline, customer, bread, visits, start):
    """`visits` dinners with the bread basket, a day apart, in person."""
    return [
        services.interaction_log(actor=frontline, customer=customer, channel="in_person", gestures=[bread.id], occurred_at=start + i * DAY).level
        for i in range(visits)
    ]


def test_an_email_to_a_bread_basket_regular_omits_no_bread_and_says_why(frontline, customer, bread):
    start = timezone.now() - 10 * DAY
    assert _regular(frontline, customer, bread, 4, start) == [5, 4, 3, 3]
    email = services.interaction_log(actor=frontline, customer=customer, channel="email", occurred_at=start + 5 * DAY)
    assert (email.level, email.omitted_gestures) == (Level.EXPECTED, [])
    assert not RecoveryCase.objects.filter(interaction=email).exists()
    assert interaction_level_reason(email) == (
        "Expected: the promise was kept, the normal way. Bread basket is not offered on this channel, so leaving it out does not count."
    )


def test_a_dinner_without_the_bread_basket_is_criminal_and_says_so(frontline, customer, bread):
    start = timezone.now() - 10 * DAY
    _regular(frontline, customer, bread, 4, start)
    dinner = services.interaction_log(actor=frontline, customer=customer, channel="in_person", occurred_at=start + 5 * DAY)
    assert (dinner.level, dinner.omitted_gestures) == (Level.CRIMINAL, [bread.id])
    assert interaction_level_reason(dinner) == "Criminal: Bread basket, served 4 times before, was left out."
    with translation.override("nl"):
        assert "Broodmandje" not in interaction_level_reason(dinner)  # the gesture keeps its own name
        assert interaction_level_reason(dinner).startswith("Crimineel")
    case = RecoveryCase.objects.get(interaction=dinner)
    assert "Bread basket, served 4 times before, was left out" in case.events.get(kind="opened").note


def test_a_first_gesture_names_itself(frontline, customer, team):
    chef = GestureFactory(team=team, name="Chef's table", base_level=Level.SURPRISING)
    interaction = services.interaction_log(actor=frontline, customer=customer, channel="phone", gestures=[chef.id])
    assert interaction_level_reason(interaction) == "Surprising: first Chef's table."


def test_the_customers_rating_is_the_reason_once_given(frontline, customer):
    interaction = services.interaction_log(actor=frontline, customer=customer, channel="phone")
    services.interaction_rate(interaction=interaction, level=Level.DESIRED)
    interaction.refresh_from_db()
    assert interaction_level_reason(interaction) == "Desired: the customer's own rating."


def test_a_surprise_after_an_omission_capped_history_opens_no_case(frontline, manager, customer, bread, team):
    cake = GestureFactory(team=team, name="Dessert", base_level=Level.SURPRISING)
    start = timezone.now() - 10 * DAY
    _regular(frontline, customer, bread, 4, start)
    dinner = services.interaction_log(actor=frontline, customer=customer, channel="in_person", occurred_at=start + 5 * DAY)
    case = RecoveryCase.objects.get(interaction=dinner)
    interactions, cases = Interaction.objects.count(), RecoveryCase.objects.count()
    case = recovery_steps.case_fix(actor=frontline, case=case, note="apologised")
    case = recovery_steps.case_surprise(actor=frontline, case=case, gesture=cake)
    assert (Interaction.objects.count(), RecoveryCase.objects.count()) == (interactions, cases)
    assert (case.surprise_gesture, case.surprise_level) == (cake, Level.SURPRISING)
    assert "Dessert" in case.events.get(kind="surprised").note
    # the surprise counts on the escalator: the next dessert lands a level lower
    later = services.interaction_log(actor=frontline, customer=customer, channel="in_person", gestures=[bread.id, cake.id])
    assert later.level == Level.DESIRED


def test_a_correction_that_lifts_a_criminal_interaction_closes_its_case_and_rescores_later_ones(frontline, manager, customer, bread):
    start = timezone.now() - 10 * DAY
    _regular(frontline, customer, bread, 4, start)
    wrong = services.interaction_log(actor=frontline, customer=customer, channel="in_person", occurred_at=start + 5 * DAY)
    after = services.interaction_log(actor=frontline, customer=customer, channel="in_person", gestures=[bread.id], occurred_at=start + 6 * DAY)
    assert (wrong.level, after.level) == (Level.CRIMINAL, Level.EXPECTED)  # a 5th bread lifts nothing
    case = RecoveryCase.objects.get(interaction=wrong)

    # It was an email, and the bread was there after all at the later dinner: a manager corrects the first.
    corrected = services.interaction_correct(
        actor=manager, interaction=wrong, changes={"channel": "email", "gestures": []}, note="it was an email"
    )
    assert (corrected.level, corrected.omitted_gestures) == (Level.EXPECTED, [])
    case.refresh_from_db()
    assert case.status == RecoveryCase.Status.CLOSED
    event = case.events.get(kind=CaseEvent.Kind.CORRECTED)
    assert (event.actor, event.from_status) == (manager, "open") and "Expected" in event.note
    record = InteractionCorrection.objects.get(interaction=wrong)
    assert (record.actor, record.old_facts["channel"], record.new_facts["channel"]) == (manager, "in_person", "email")
    history = LevelChange.objects.filter(interaction=wrong).order_by("id").last()
    assert (history.old_level, history.new_level, history.cause, history.actor) == (1, 3, "correction", manager)
    # A gesture added to the corrected interaction moves the later one too, within the same request.
    services.interaction_correct(actor=manager, interaction=wrong, changes={"channel": "in_person", "gestures": [bread.id]})
    after.refresh_from_db()
    assert after.level == Level.EXPECTED and LevelChange.objects.filter(interaction=after, cause="correction").count() == 0
    cake_free = services.interaction_correct(actor=manager, interaction=after, changes={"gestures": []})
    assert cake_free.level == Level.CRIMINAL  # the omission again: a new case opens for it
    assert RecoveryCase.objects.filter(interaction=after, status="open").exists()


def test_who_may_correct(frontline, other_frontline, manager, customer, team):
    from django.core.exceptions import PermissionDenied

    from accounts.tests.factories import UserFactory

    interaction = services.interaction_log(actor=frontline, customer=customer, channel="phone")
    colleague = UserFactory(username="colleague", teams=[team])
    with pytest.raises(PermissionDenied):
        services.interaction_correct(actor=colleague, interaction=interaction, changes={"summary": "mine"})
    services.interaction_correct(actor=frontline, interaction=interaction, changes={"summary": "typo fixed"})
    Interaction.objects.filter(pk=interaction.pk).update(created_at=timezone.now() - timedelta(hours=25))
    interaction.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.interaction_correct(actor=frontline, interaction=interaction, changes={"summary": "too late"})
    services.interaction_correct(actor=manager, interaction=interaction, changes={"summary": "a manager, any time"})
    assert InteractionCorrection.objects.filter(interaction=interaction).count() == 2


def test_patch_corrects_over_the_api(api_as, frontline, customer, bread):
    start = timezone.now() - 10 * DAY
    _regular(frontline, customer, bread, 4, start)
    wrong = services.interaction_log(actor=frontline, customer=customer, channel="in_person", occurred_at=start + 5 * DAY)
    response = api_as(frontline).patch(f"/api/interactions/{wrong.pk}/", {"channel": "email"}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["level"], body["channel"]) == (3, "email") and body["level_reason"].startswith("Expected: the promise was kept")
    assert "Bread basket is not offered on this channel" in body["level_reason"]
    assert RecoveryCase.objects.get(interaction=wrong).status == "closed"
    bad = api_as(frontline).patch(f"/api/interactions/{wrong.pk}/", {"occurred_at": "2999-01-01T00:00:00Z"}, format="json")
    assert bad.status_code == 400 and "occurred_at" in bad.json()
    assert api_as(frontline).patch(f"/api/interactions/{wrong.pk}/", {"customer": 1}, format="json").status_code in (200, 400)
    assert Interaction.objects.get(pk=wrong.pk).customer_id == customer.pk  # a correction never moves it


def test_the_web_log_form_takes_an_earlier_time(client_as, frontline, customer):
    from django.urls import reverse

    earlier = (timezone.localtime() - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    response = client_as(frontline).post(
        reverse("web:log"), {"customer": customer.pk, "channel": "phone", "promise_kept": "on", "occurred_at": earlier}
    )
    assert response.status_code == 302
    logged = Interaction.objects.get(customer=customer)
    assert timezone.now() - logged.occurred_at > timedelta(hours=2, minutes=59)
    future = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    refused = client_as(frontline).post(reverse("web:log"), {"customer": customer.pk, "channel": "phone", "occurred_at": future})
    assert refused.status_code == 400 and Interaction.objects.count() == 1


def test_the_web_edit_form_corrects(client_as, frontline, customer, bread):
    from django.urls import reverse

    start = timezone.now() - 10 * DAY
    _regular(frontline, customer, bread, 4, start)
    wrong = services.interaction_log(actor=frontline, customer=customer, channel="in_person", occurred_at=start + 5 * DAY)
    client = client_as(frontline)
    page = client.get(reverse("web:interaction-edit", args=[wrong.pk]))
    assert page.status_code == 200 and "Bread basket, served 4 times before, was left out" in page.content.decode()
    when = timezone.localtime(wrong.occurred_at).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("web:interaction-edit", args=[wrong.pk]),
        {"channel": "email", "occurred_at": when, "promise_kept": "on", "note": "it was an email"},
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    assert Interaction.objects.get(pk=wrong.pk).level == Level.EXPECTED
    assert RecoveryCase.objects.get(interaction=wrong).status == "closed"
