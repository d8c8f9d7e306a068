"""Properties of the rubric that hold for every input (hypothesis)."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interactions import scoring, services
from interactions.levels import Issue
from interactions.tests.factories import CustomerFactory, GestureFactory

issues_st = st.lists(st.sampled_from(Issue.values), unique=True)
gesture_st = st.builds(
    scoring.GestureFacts,
    gesture_id=st.integers(1, 10_000),
    base_level=st.integers(scoring.EXPECTED, scoring.HIGHEST),  # effective: drift never goes below Expected
    recurring=st.booleans(),
    prior_deliveries=st.integers(0, 60),
    channels=st.frozensets(st.sampled_from(["phone", "email", "in_person"])),
)
gestures_st = st.lists(gesture_st, max_size=6, unique_by=lambda g: g.gesture_id)


def assess(*, promise_kept=True, issues=(), matched_preference=False, delivered=(), others=(), channel="phone"):
    return scoring.assess(
        promise_kept=promise_kept, issues=issues, matched_preference=matched_preference,
        delivered=delivered, recurring_not_delivered=others, channel=channel,
    ).level


@given(st.booleans(), issues_st, st.booleans(), gestures_st, gestures_st, st.one_of(st.none(), st.integers(1, 6)))
def test_the_level_is_always_between_criminal_and_unbelievable(kept, issues, matched, delivered, others, rating):
    level = assess(promise_kept=kept, issues=issues, matched_preference=matched, delivered=delivered, others=others)
    assert 1 <= level <= 6
    assert 1 <= scoring.final_level(level, rating) <= 6


@given(issues_st, st.booleans(), gestures_st, gestures_st)
def test_a_broken_promise_is_always_criminal(issues, matched, delivered, others):
    assert assess(promise_kept=False, issues=issues, matched_preference=matched, delivered=delivered, others=others) == 1


@given(st.booleans(), issues_st, issues_st, st.booleans(), gestures_st, gestures_st)
def test_more_issues_never_raise_a_level(kept, some, more, matched, delivered, others):
    fewer = assess(promise_kept=kept, issues=some, matched_preference=matched, delivered=delivered, others=others)
    union = list(dict.fromkeys(some + more))
    assert assess(promise_kept=kept, issues=union, matched_preference=matched, delivered=delivered, others=others) <= fewer


@given(st.booleans(), issues_st, st.booleans(), gesture_st, gestures_st, gestures_st, st.integers(1, 60))
def test_the_next_delivery_never_scores_above_the_previous_one(kept, issues, matched, gesture, delivered, others, k):
    """The k+1-th delivery of a gesture never scores above the k-th, all else equal."""
    delivered = [g for g in delivered if g.gesture_id != gesture.gesture_id]
    others = [g for g in others if g.gesture_id != gesture.gesture_id]
    kth = scoring.GestureFacts(gesture.gesture_id, gesture.base_level, gesture.recurring, k - 1, gesture.channels)
    next_one = scoring.GestureFacts(gesture.gesture_id, gesture.base_level, gesture.recurring, k, gesture.channels)
    facts = {"promise_kept": kept, "issues": issues, "matched_preference": matched, "others": others}
    assert assess(delivered=[*delivered, next_one], **facts) <= assess(delivered=[*delivered, kth], **facts)
    assert scoring.perceived_level(gesture.base_level, k + 1) <= scoring.perceived_level(gesture.base_level, k)


@given(st.integers(scoring.EXPECTED, scoring.HIGHEST), st.integers(1, 100))
def test_perceived_level_and_standing_never_fall_below_basic(base, k):
    assert scoring.BASIC <= scoring.perceived_level(base, k) <= base
    assert scoring.standing(base, k) == scoring.perceived_level(base, k)


# One customer's history never changes another's level: on the database, through interaction_log.

visit_st = st.tuples(st.integers(0, 40), st.sets(st.integers(0, 2), max_size=3), st.booleans(), st.booleans())


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(mine=st.lists(visit_st, min_size=1, max_size=6), theirs=st.lists(visit_st, max_size=8))
def test_one_customers_history_never_changes_anothers_level(frontline, team, mine, theirs):
    """Ann's levels are the same whether Bob's visits are logged between hers or not at all."""
    with transaction.atomic():
        gestures = [
            GestureFactory(team=team, base_level=6, recurring=False),
            GestureFactory(team=team, base_level=5, recurring=True),
            GestureFactory(team=team, base_level=6, recurring=True),
        ]
        ann, bob, alone = (CustomerFactory(team=team) for _ in range(3))
        start = timezone.now() - timedelta(days=50)

        def visit(customer, day, gesture_indexes, kept, matched, n):
            return services.interaction_log(
                actor=frontline, customer=customer, channel="phone", promise_kept=kept, matched_preference=matched,
                gestures=[gestures[i].id for i in sorted(gesture_indexes)],
                occurred_at=start + timedelta(days=day, seconds=n),
            )

        # Ann and Bob interleaved in time order; "alone" gets Ann's visits with nobody else around.
        events = sorted([(v[0], 0, i, v) for i, v in enumerate(mine)] + [(v[0], 1, i, v) for i, v in enumerate(theirs)])
        ann_levels = []
        for n, (_, who, _, v) in enumerate(events):
            level = visit(ann if who == 0 else bob, *v, n).level
            if who == 0:
                ann_levels.append(level)
        mine_in_order = [v for _, who, _, v in events if who == 0]
        alone_levels = [visit(alone, *v, n).level for n, v in enumerate(mine_in_order)]
        transaction.set_rollback(True)
    assert ann_levels == alone_levels
