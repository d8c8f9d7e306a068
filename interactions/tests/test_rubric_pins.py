"""Each number and comparison of the rubric (interactions/scoring.py) pinned at its boundary, so a
one-token change to a rule fails here: see docs/levels.md, "How the rules are pinned"."""

import pytest

from interactions import scoring
from interactions.scoring import BASIC, CRIMINAL, DESIRED, EXPECTED, GestureFacts, Reason

SURPRISING, UNBELIEVABLE = 5, 6


def facts(gesture_id=1, base=SURPRISING, recurring=False, prior=0, channels=("phone",), name="G"):
    return GestureFacts(gesture_id, base, recurring, prior, frozenset(channels), name)


def assess(delivered=(), others=(), *, kept=True, issues=(), matched=False, channel="phone"):
    return scoring.assess(
        promise_kept=kept, issues=issues, matched_preference=matched, delivered=delivered,
        recurring_not_delivered=others, channel=channel,
    )


def test_steps_one_to_three():
    assert assess(kept=False).level == CRIMINAL and assess(kept=False).reason == Reason(scoring.PROMISE_BROKEN)
    assert assess(issues=["late"]).level == BASIC and assess(issues=["late"]).reason == Reason(scoring.ISSUES, issues=("late",))
    assert assess().level == EXPECTED and assess().reason == Reason(scoring.AS_EXPECTED)
    assert assess(matched=True).level == DESIRED and assess(matched=True).reason == Reason(scoring.PREFERENCE)


@pytest.mark.parametrize("k,level", [(1, 6), (2, 5), (3, 4), (4, 3), (5, 2), (6, 2), (60, 2)])
def test_the_escalator_and_its_floor(k, level):
    assert scoring.perceived_level(UNBELIEVABLE, k) == level
    assert scoring.next_delivery_level(UNBELIEVABLE, k - 1) == level
    assert scoring.standing(UNBELIEVABLE, k) == level


def test_standing_of_a_gesture_never_received_is_none():
    assert scoring.standing(SURPRISING, 0) is None and scoring.omission_cap(SURPRISING, 0) is None


@pytest.mark.parametrize("deliveries,cap", [(1, None), (2, None), (3, BASIC), (4, CRIMINAL), (9, CRIMINAL)])
def test_the_omission_cap_begins_at_a_standing_of_expected(deliveries, cap):
    # Surprising base: standings 5, 4 (Desired: no cap), 3 (Expected: cap Basic), 2 (Basic: cap Criminal)
    assert scoring.omission_cap(SURPRISING, deliveries) == cap


def test_a_gesture_lifts_only_a_kept_promise_without_issues():
    chef = facts(base=UNBELIEVABLE)
    assert assess([chef]).level == UNBELIEVABLE
    assert assess([chef], issues=["late"]).level == BASIC
    assert assess([chef], kept=False).level == CRIMINAL
    assert assess([chef], matched=True).reason == Reason(scoring.GESTURE, 1, "G", 1)


def test_a_gesture_perceived_at_the_level_already_reached_is_not_the_reason():
    desired_again = facts(base=SURPRISING, prior=1)  # second delivery: perceived at Desired
    a = assess([desired_again], matched=True)
    assert (a.level, a.reason) == (DESIRED, Reason(scoring.PREFERENCE))


def test_the_highest_gesture_wins_and_is_named():
    a = assess([facts(1, SURPRISING, name="Drink"), facts(2, UNBELIEVABLE, name="Cake")])
    assert (a.level, a.reason.name, a.reason.count) == (UNBELIEVABLE, "Cake", 1)


def test_omission_counts_only_on_the_channels_where_it_is_offered():
    bread = facts(7, SURPRISING, recurring=True, prior=3, channels=("in_person",), name="Bread basket")
    email = assess(others=[bread], channel="email")
    assert (email.level, email.omitted, email.reason) == (EXPECTED, (), Reason(scoring.AS_EXPECTED, 7, "Bread basket", 3))
    assert assess(others=[facts(8, SURPRISING, recurring=True, prior=1, channels=("in_person",))], channel="email").reason == Reason(scoring.AS_EXPECTED)
    capped = assess(others=[bread], channel="in_person")
    assert (capped.level, capped.omitted, capped.reason) == (BASIC, (7,), Reason(scoring.OMISSION, 7, "Bread basket", 3))


def test_omission_of_a_gesture_not_recurring_costs_nothing():
    assert assess(others=[facts(recurring=False, prior=4)]).level == EXPECTED


def test_a_cap_equal_to_the_level_keeps_the_first_reason_but_lists_the_omission():
    bread = facts(7, SURPRISING, recurring=True, prior=3)  # cap Basic
    a = assess(others=[bread], issues=["late"])
    assert (a.level, a.omitted, a.reason.code) == (BASIC, (7,), scoring.ISSUES)


def test_final_level_is_the_customers_when_given():
    assert scoring.final_level(EXPECTED, None) == EXPECTED
    assert scoring.final_level(EXPECTED, CRIMINAL) == CRIMINAL


@pytest.mark.parametrize("base,offset,effective", [(6, 0, 6), (6, -1, 5), (6, -3, 3), (5, -2, 3), (6, -9, 3)])
def test_drift_never_takes_a_gesture_below_expected(base, offset, effective):
    assert scoring.DRIFT_FLOOR == EXPECTED
    assert scoring.effective_base_level(base, offset) == effective


def test_drift_thresholds_are_inclusive():
    assert scoring.DRIFT_PERIOD.days == 90 and scoring.DRIFT_STEP == -1
    assert scoring.drifts(customers_reached=10, customers_served=20, drift_share=0.5, drift_min_customers=20)
    assert not scoring.drifts(customers_reached=9, customers_served=20, drift_share=0.5, drift_min_customers=20)
    assert not scoring.drifts(customers_reached=19, customers_served=19, drift_share=0.5, drift_min_customers=20)
    assert not scoring.drifts(customers_reached=0, customers_served=0, drift_share=0.0, drift_min_customers=0)


def test_levels_stay_between_criminal_and_unbelievable():
    assert assess([facts(base=UNBELIEVABLE)]).level == UNBELIEVABLE
    assert assess(kept=False, others=[facts(recurring=True, prior=9)]).level == CRIMINAL


def test_a_reason_survives_its_stored_form():
    reason = Reason(scoring.OMISSION, 7, "Brood & boter", 4)
    assert Reason.decode(reason.encode()) == reason and Reason.decode("") is None
