"""One example per rule of the rubric (docs/levels.md), through logging on the database."""

from datetime import timedelta

import pytest
from django.utils import timezone

from interactions import scoring, services
from interactions.levels import Level
from interactions.models import Customer, GestureDrift, LevelChange
from interactions.tests.factories import CustomerFactory, GestureFactory
from recovery.models import RecoveryCase

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


def log(actor, customer, **facts):
    facts.setdefault("channel", "phone")
    return services.interaction_log(actor=actor, customer=customer, **facts)


# Rule 1 -----------------------------------------------------------------------------------------


def test_broken_promise_is_criminal(frontline, customer):
    interaction = log(frontline, customer, promise_kept=False, matched_preference=True)
    assert (interaction.assessed_level, interaction.level) == (Level.CRIMINAL, Level.CRIMINAL)


# Rule 2 -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("issue", ["late", "inaccurate", "impolite", "unexplained", "chased"])
def test_any_issue_makes_a_kept_promise_basic(frontline, customer, issue):
    interaction = log(frontline, customer, issues=[issue], matched_preference=True)
    assert interaction.level == Level.BASIC
    assert RecoveryCase.objects.get(interaction=interaction).severity == Level.BASIC


# Rule 3 -----------------------------------------------------------------------------------------


def test_kept_promise_without_issues_is_expected(frontline, customer):
    assert log(frontline, customer).level == Level.EXPECTED
    assert not RecoveryCase.objects.exists()


def test_matched_preference_is_desired(frontline, customer):
    assert log(frontline, customer, matched_preference=True).level == Level.DESIRED


# Rule 4 -----------------------------------------------------------------------------------------


def test_gestures_do_not_cover_a_broken_promise(frontline, customer, team):
    cake = GestureFactory(team=team, base_level=Level.UNBELIEVABLE)
    assert log(frontline, customer, promise_kept=False, gestures=[cake.id]).level == Level.CRIMINAL


def test_gestures_do_not_cover_issues(frontline, customer, team):
    cake = GestureFactory(team=team, base_level=Level.UNBELIEVABLE)
    assert log(frontline, customer, issues=["late"], gestures=[cake.id]).level == Level.BASIC


def test_first_delivery_of_a_gesture_lands_at_its_base_level(frontline, customer, team):
    drink = GestureFactory(team=team, base_level=Level.SURPRISING)
    assert log(frontline, customer, gestures=[drink.id]).level == Level.SURPRISING


def test_escalator_kth_delivery_is_perceived_at_base_minus_k_minus_one(frontline, customer, team):
    cake = GestureFactory(team=team, base_level=Level.UNBELIEVABLE)
    start = timezone.now() - 10 * DAY
    levels = [log(frontline, customer, gestures=[cake.id], occurred_at=start + i * DAY).level for i in range(5)]
    # 6, 5, 4, then the gesture is worth no more than Expected itself: step 3 stands.
    assert levels == [Level.UNBELIEVABLE, Level.SURPRISING, Level.DESIRED, Level.EXPECTED, Level.EXPECTED]


def test_escalator_with_a_preference_matched_keeps_the_higher_of_the_two(frontline, customer, team):
    drink = GestureFactory(team=team, base_level=Level.SURPRISING)
    start = timezone.now() - 10 * DAY
    levels = [log(frontline, customer, gestures=[drink.id], occurred_at=start + i * DAY, matched_preference=True).level for i in range(3)]
    assert levels == [Level.SURPRISING, Level.DESIRED, Level.DESIRED]


def test_escalator_never_goes_below_basic():
    assert [scoring.perceived_level(Level.SURPRISING, k) for k in range(1, 7)] == [5, 4, 3, 2, 2, 2]
    assert scoring.standing(Level.UNBELIEVABLE, 40) == Level.BASIC


def test_the_escalator_is_per_customer(frontline, team):
    cake = GestureFactory(team=team, base_level=Level.UNBELIEVABLE)
    ann, bob = CustomerFactory(team=team), CustomerFactory(team=team)
    log(frontline, ann, gestures=[cake.id], occurred_at=timezone.now() - DAY)
    assert log(frontline, bob, gestures=[cake.id]).level == Level.UNBELIEVABLE


# Familiarity window -----------------------------------------------------------------------------


def test_familiarity_window_a_delivery_older_than_the_window_no_longer_counts(frontline, customer, team):
    team.familiarity_window_days = 30
    team.save()
    cake = GestureFactory(team=team, base_level=Level.UNBELIEVABLE)
    now = timezone.now()
    log(frontline, customer, gestures=[cake.id], occurred_at=now - 40 * DAY)
    assert log(frontline, customer, gestures=[cake.id], occurred_at=now - 5 * DAY).level == Level.UNBELIEVABLE
    # ...while the one 5 days ago is inside the window of the next one.
    assert log(frontline, customer, gestures=[cake.id], occurred_at=now).level == Level.SURPRISING


def test_tie_rule_a_delivery_at_the_same_moment_does_not_count(frontline, team):
    cake = GestureFactory(team=team, base_level=Level.UNBELIEVABLE)
    customer = CustomerFactory(team=team)
    at = timezone.now() - DAY
    first = log(frontline, customer, gestures=[cake.id], occurred_at=at)
    second = log(frontline, customer, gestures=[cake.id], occurred_at=at)
    assert (first.level, second.level) == (Level.UNBELIEVABLE, Level.UNBELIEVABLE)


# Rule 5: omission -------------------------------------------------------------------------------


def _bread_deliveries(frontline, customer, bread, n, start):
    return [log(frontline, customer, gestures=[bread.id], occurred_at=start + i * DAY).level for i in range(n)]


def test_recurring_omission_expected_becomes_basic(frontline, customer, team):
    bread = GestureFactory(team=team, base_level=Level.SURPRISING, recurring=True)
    start = timezone.now() - 10 * DAY
    assert _bread_deliveries(frontline, customer, bread, 3, start) == [5, 4, 3]
    without = log(frontline, customer, occurred_at=start + 3 * DAY, matched_preference=True)
    assert without.level == Level.BASIC and without.omitted_gestures == [bread.id]


def test_recurring_omission_basic_becomes_criminal(frontline, customer, team):
    bread = GestureFactory(team=team, base_level=Level.SURPRISING, recurring=True)
    start = timezone.now() - 10 * DAY
    assert _bread_deliveries(frontline, customer, bread, 4, start) == [5, 4, 3, 3]  # 4th perceived Basic
    without = log(frontline, customer, occurred_at=start + 4 * DAY)
    assert without.level == Level.CRIMINAL and without.omitted_gestures == [bread.id]
    assert RecoveryCase.objects.get(interaction=without).severity == Level.CRIMINAL


def test_omitting_a_recurring_gesture_still_above_expected_costs_nothing(frontline, customer, team):
    bread = GestureFactory(team=team, base_level=Level.UNBELIEVABLE, recurring=True)
    start = timezone.now() - 10 * DAY
    _bread_deliveries(frontline, customer, bread, 2, start)  # standing Surprising
    without = log(frontline, customer, occurred_at=start + 2 * DAY)
    assert without.level == Level.EXPECTED and without.omitted_gestures == []


def test_omitting_a_non_recurring_gesture_costs_nothing(frontline, customer, team):
    cake = GestureFactory(team=team, base_level=Level.SURPRISING, recurring=False)
    start = timezone.now() - 10 * DAY
    _bread_deliveries(frontline, customer, cake, 4, start)
    assert log(frontline, customer, occurred_at=start + 4 * DAY).level == Level.EXPECTED


# Rule 6: drift ----------------------------------------------------------------------------------


def test_drift_lowers_the_base_level_from_its_date_on_only(frontline, team):
    cake = GestureFactory(team=team, base_level=Level.UNBELIEVABLE)
    drift_date = timezone.now() - 10 * DAY
    GestureDrift.objects.create(gesture=cake, effective_from=drift_date, offset=-1)
    before = log(frontline, CustomerFactory(team=team), gestures=[cake.id], occurred_at=drift_date - DAY)
    after = log(frontline, CustomerFactory(team=team), gestures=[cake.id], occurred_at=drift_date + DAY)
    assert (before.level, after.level) == (Level.UNBELIEVABLE, Level.SURPRISING)


def test_drift_row_dated_after_the_interaction_does_not_apply(frontline, team):
    cake = GestureFactory(team=team, base_level=Level.UNBELIEVABLE)
    now = timezone.now()
    GestureDrift.objects.create(gesture=cake, effective_from=now - 10 * DAY, offset=-1)
    GestureDrift.objects.create(gesture=cake, effective_from=now - 2 * DAY, offset=-2)
    at_one = log(frontline, CustomerFactory(team=team), gestures=[cake.id], occurred_at=now - 5 * DAY)
    at_two = log(frontline, CustomerFactory(team=team), gestures=[cake.id], occurred_at=now - DAY)
    assert (at_one.level, at_two.level) == (Level.SURPRISING, Level.DESIRED)


# Customer rating --------------------------------------------------------------------------------


def test_customer_rating_overrides_the_assessed_level(frontline, customer):
    interaction = log(frontline, customer, matched_preference=True)
    rated = services.interaction_rate(interaction=interaction, level=Level.UNBELIEVABLE, comment="Wonderful")
    assert (rated.assessed_level, rated.customer_level, rated.level) == (Level.DESIRED, Level.UNBELIEVABLE, Level.UNBELIEVABLE)
    change = LevelChange.objects.filter(interaction=interaction).order_by("id").last()
    assert (change.old_level, change.new_level, change.cause) == (Level.DESIRED, Level.UNBELIEVABLE, "customer_rating")


def test_a_customer_rating_of_basic_opens_a_recovery_case(frontline, customer):
    interaction = log(frontline, customer)
    services.interaction_rate(interaction=interaction, level=Level.BASIC)
    assert RecoveryCase.objects.get(interaction=interaction).severity == Level.BASIC


# Late facts -------------------------------------------------------------------------------------


def test_backdated_interaction_counts_only_deliveries_before_it_and_marks_rescore_from(frontline, customer, team):
    cake = GestureFactory(team=team, base_level=Level.UNBELIEVABLE)
    now = timezone.now()
    log(frontline, customer, gestures=[cake.id], occurred_at=now - 5 * DAY)
    log(frontline, customer, gestures=[cake.id], occurred_at=now - DAY)
    assert Customer.objects.get(pk=customer.pk).rescore_from is None
    late = log(frontline, customer, gestures=[cake.id], occurred_at=now - 3 * DAY)
    assert late.level == Level.SURPRISING  # the second delivery: only the one 5 days ago came before
    assert Customer.objects.get(pk=customer.pk).rescore_from == now - 3 * DAY


def test_logging_in_order_marks_nothing_to_rescore(frontline, customer):
    log(frontline, customer, occurred_at=timezone.now() - DAY)
    log(frontline, customer)
    assert Customer.objects.get(pk=customer.pk).rescore_from is None


def test_an_inactive_gesture_is_not_expected_any_more(frontline, customer, team):
    bread = GestureFactory(team=team, base_level=Level.SURPRISING, recurring=True)
    start = timezone.now() - 10 * DAY
    _bread_deliveries(frontline, customer, bread, 3, start)
    bread.active = False
    bread.save()
    assert log(frontline, customer, occurred_at=start + 3 * DAY).level == Level.EXPECTED
