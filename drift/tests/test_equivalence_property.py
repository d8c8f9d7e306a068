"""The property behind "one level pipeline": for any history, logging interaction by interaction (the
log path's facts) and a full re-score (the job's set-based path) give every interaction the same
level, omissions and reason. Random histories mix channels, drift dates, late (backdated) facts,
surprises given outside any interaction, and corrections."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drift.services import rescore_run
from interactions import services
from interactions.models import GestureDrift
from interactions.tests.factories import CustomerFactory, GestureFactory

from .helpers import reference_levels, stored_levels

CHANNELS = ["phone", "email", "in_person"]

log_st = st.fixed_dictionaries({
    "op": st.just("log"),
    "who": st.integers(0, 1),
    "day": st.integers(0, 120),
    "channel": st.sampled_from(CHANNELS),
    "gestures": st.sets(st.integers(0, 2), max_size=3),
    "kept": st.booleans(),
    "late": st.booleans(),
    "matched": st.booleans(),
})
correct_st = st.fixed_dictionaries({
    "op": st.just("correct"),
    "which": st.integers(0, 50),
    "channel": st.sampled_from(CHANNELS),
    "gestures": st.sets(st.integers(0, 2), max_size=3),
    "kept": st.booleans(),
})
gift_st = st.fixed_dictionaries({"op": st.just("gift"), "who": st.integers(0, 1), "day": st.integers(0, 120), "gesture": st.integers(0, 2)})
history_st = st.lists(st.one_of(log_st, log_st, log_st, correct_st, gift_st), min_size=1, max_size=14)
drifts_st = st.lists(st.tuples(st.integers(0, 2), st.integers(0, 120), st.integers(-2, -1)), max_size=3)


@pytest.mark.django_db
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(history=history_st, drifts=drifts_st)
def test_logging_one_by_one_and_a_full_rescore_agree_on_every_level_and_reason(manager, team, history, drifts):
    with transaction.atomic():
        gestures = [
            GestureFactory(team=team, name="Bread basket", base_level=5, recurring=True, channels=["in_person"]),
            GestureFactory(team=team, name="Chef's table", base_level=6, recurring=False),
            GestureFactory(team=team, name="Status call", base_level=5, recurring=True, channels=["phone"]),
        ]
        customers = [CustomerFactory(team=team), CustomerFactory(team=team)]
        start = timezone.now() - timedelta(days=130)
        for index, day, offset in drifts:
            GestureDrift.objects.get_or_create(gesture=gestures[index], effective_from=start + timedelta(days=day), defaults={"offset": offset})
        logged = []
        for n, step in enumerate(history):
            if step["op"] == "log":
                # a late fact is logged with an earlier time than what is already there
                day = step["day"] // 3 if step["late"] else step["day"]
                logged.append(services.interaction_log(
                    actor=manager, customer=customers[step["who"]], channel=step["channel"],
                    occurred_at=start + timedelta(days=day, seconds=n), promise_kept=step["kept"],
                    matched_preference=step["matched"], gestures=[gestures[i].id for i in sorted(step["gestures"])],
                ))
            elif step["op"] == "gift":
                services.gesture_deliver(customer=customers[step["who"]], gesture=gestures[step["gesture"]], at=start + timedelta(days=step["day"], seconds=n))
            elif logged:
                target = logged[step["which"] % len(logged)]
                services.interaction_correct(actor=manager, interaction=target, changes={
                    "channel": step["channel"], "promise_kept": step["kept"],
                    "gestures": [gestures[i].id for i in sorted(step["gestures"])],
                })
        rescore_run(full=True)
        expected = reference_levels()
        stored = stored_levels()
        transaction.set_rollback(True)
    assert stored == expected
