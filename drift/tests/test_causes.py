"""Each cause of change: exactly the expected rows change, each with exactly one history row."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts import services as account_services
from drift import services
from interactions import services as interaction_services
from interactions.levels import Level
from interactions.models import Customer, GestureDrift, Interaction, JobRun, LevelChange
from interactions.selectors import expectation_profile
from interactions.tests.factories import CustomerFactory, GestureFactory
from recovery.models import RecoveryCase

from .helpers import log, reference_levels, rescore_history, stored_levels

pytestmark = pytest.mark.django_db


def days_ago(n, **kw):
    return timezone.now() - timedelta(days=n, **kw)


def test_a_backdated_interaction_rescores_the_customers_later_interactions(frontline, team):
    customer = CustomerFactory(team=team)
    other = CustomerFactory(team=team)
    cake = GestureFactory(team=team, base_level=Level.UNBELIEVABLE)
    first = log(frontline, customer, gestures=[cake.id], occurred_at=days_ago(5))
    second = log(frontline, customer, gestures=[cake.id], occurred_at=days_ago(2))
    untouched = log(frontline, other, gestures=[cake.id], occurred_at=days_ago(3))
    assert (first.level, second.level) == (Level.UNBELIEVABLE, Level.SURPRISING)

    backdated = log(frontline, customer, gestures=[cake.id], occurred_at=days_ago(10))
    assert backdated.level == Level.UNBELIEVABLE
    assert Customer.objects.get(pk=customer.pk).rescore_from == backdated.occurred_at

    run = services.rescore_run()
    assert run.status == JobRun.Status.SUCCEEDED and run.rows_changed == 2
    assert rescore_history(run) == [(first.id, Level.UNBELIEVABLE, Level.SURPRISING), (second.id, Level.SURPRISING, Level.DESIRED)]
    assert Interaction.objects.get(pk=untouched.pk).level == Level.UNBELIEVABLE
    assert Customer.objects.get(pk=customer.pk).rescore_from is None
    assert stored_levels() == reference_levels()


def test_a_customer_rating_is_the_level_and_the_rescore_leaves_it(frontline, manager, team):
    customer = CustomerFactory(team=team)
    cake = GestureFactory(team=team, base_level=Level.SURPRISING)
    rated = log(frontline, customer, gestures=[cake.id], occurred_at=days_ago(4))
    later = log(frontline, customer, occurred_at=days_ago(1))
    interaction_services.interaction_rate(interaction=rated, level=Level.DESIRED)
    assert Customer.objects.get(pk=customer.pk).rescore_from is not None  # later interactions depend on it

    run = services.rescore_run()
    assert run.rows_changed == 0 and rescore_history() == []
    assert Customer.objects.get(pk=customer.pk).rescore_from is None
    assert Interaction.objects.get(pk=later.pk).level == Level.EXPECTED

    # A correction moves the assessed level underneath; the customer's own rating still stands.
    interaction_services.gesture_update(actor=manager, gesture=cake, changes={"base_level": Level.UNBELIEVABLE})
    run = services.rescore_run()
    rated.refresh_from_db()
    assert (rated.assessed_level, rated.level, rated.customer_level) == (Level.UNBELIEVABLE, Level.DESIRED, Level.DESIRED)
    assert run.rows_changed == 0 and rescore_history() == []
    assert stored_levels() == reference_levels()


def test_a_corrected_gesture_base_level_rescores_past_interactions(frontline, manager, team, other_team):
    customer, other = CustomerFactory(team=team), CustomerFactory(team=team)
    cake = GestureFactory(team=team, base_level=Level.SURPRISING)
    wine = GestureFactory(team=team, base_level=Level.SURPRISING)
    a = log(frontline, customer, gestures=[cake.id], occurred_at=days_ago(300))
    b = log(frontline, customer, gestures=[cake.id], occurred_at=days_ago(100))
    c = log(frontline, other, gestures=[wine.id], occurred_at=days_ago(50))
    d = log(frontline, other, occurred_at=days_ago(40))
    assert (a.level, b.level, c.level, d.level) == (5, 4, 5, 3)
    services.rescore_run()  # a first run sets the watermark

    interaction_services.gesture_update(actor=manager, gesture=cake, changes={"base_level": Level.UNBELIEVABLE})
    run = services.rescore_run()
    assert rescore_history(run) == [(a.id, 5, 6), (b.id, 4, 5)]
    assert run.rows_changed == 2
    assert stored_levels() == reference_levels()


def test_a_corrected_team_window_rescores_past_interactions(frontline, manager, team):
    customer = CustomerFactory(team=team)
    cake = GestureFactory(team=team, base_level=Level.UNBELIEVABLE)
    a = log(frontline, customer, gestures=[cake.id], occurred_at=days_ago(200))
    b = log(frontline, customer, gestures=[cake.id], occurred_at=days_ago(100))
    c = log(frontline, customer, gestures=[cake.id], occurred_at=days_ago(10))
    assert (a.level, b.level, c.level) == (6, 5, 4)
    services.rescore_run()

    account_services.team_update_settings(actor=manager, team=team, changes={"familiarity_window_days": 120})
    run = services.rescore_run()
    # b still sees a (100 days before it); c sees only b (90 days), not a (190 days).
    assert rescore_history(run) == [(c.id, 4, 5)]
    assert stored_levels() == reference_levels()


def test_a_gesture_crossing_the_drift_threshold_lowers_levels_from_the_run_date_on(frontline, team):
    team.drift_min_customers = 4
    team.drift_share = "0.5"
    team.save()
    customers = [CustomerFactory(team=team) for _ in range(4)]
    bread = GestureFactory(team=team, base_level=Level.SURPRISING)
    old = log(frontline, customers[0], gestures=[bread.id], occurred_at=days_ago(20))
    log(frontline, customers[2], occurred_at=days_ago(3))
    log(frontline, customers[3], occurred_at=days_ago(3))
    services.rescore_run()
    assert not GestureDrift.objects.exists()  # 1 of 4 customers reached

    today = log(frontline, customers[1], gestures=[bread.id], occurred_at=timezone.now() - timedelta(seconds=30))
    assert today.level == Level.SURPRISING
    run = services.rescore_run()
    drift = GestureDrift.objects.get(gesture=bread)
    assert (drift.offset, drift.customers_reached, drift.customers_served, str(drift.share)) == (-1, 2, 4, "0.5000")
    assert drift.effective_from == timezone.localtime(timezone.now(), team.tz).replace(hour=0, minute=0, second=0, microsecond=0)
    assert rescore_history(run) == [(today.id, Level.SURPRISING, Level.DESIRED)]
    assert Interaction.objects.get(pk=old.pk).level == Level.SURPRISING  # before the drift date: unchanged
    assert stored_levels() == reference_levels()

    # The escalator only moves down, once: another run records nothing and changes nothing.
    again = services.rescore_run()
    assert GestureDrift.objects.filter(gesture=bread).count() == 1 and again.rows_changed == 0


def test_a_drop_into_basic_opens_a_recovery_case(frontline, manager, team):
    customer = CustomerFactory(team=team)
    bread = GestureFactory(team=team, base_level=Level.SURPRISING, recurring=False)
    for n in (30, 20, 10):
        log(frontline, customer, gestures=[bread.id], occurred_at=days_ago(n))
    without = log(frontline, customer, occurred_at=days_ago(5))
    assert without.level == Level.EXPECTED and not RecoveryCase.objects.filter(interaction=without).exists()
    services.rescore_run()

    interaction_services.gesture_update(actor=manager, gesture=bread, changes={"recurring": True, "channels": ["phone"]})
    run = services.rescore_run()
    without.refresh_from_db()
    assert (without.level, without.omitted_gestures) == (Level.BASIC, [bread.id])
    assert rescore_history(run) == [(without.id, Level.EXPECTED, Level.BASIC)]
    assert RecoveryCase.objects.get(interaction=without).severity == Level.BASIC


def test_deliveries_leaving_the_window_move_the_profile_without_anyone_logging(frontline, team):
    team.familiarity_window_days = 30
    team.save()
    customer = CustomerFactory(team=team)
    bread = GestureFactory(team=team, base_level=Level.SURPRISING, recurring=True)
    wine = GestureFactory(team=team, base_level=Level.UNBELIEVABLE)
    for n in (25, 15, 5):
        log(frontline, customer, gestures=[bread.id], occurred_at=days_ago(n))
    log(frontline, customer, gestures=[wine.id], occurred_at=days_ago(1))

    def profile(at):
        return {s.gesture.id: (s.deliveries_in_window, s.standing, s.omission_cap) for s in expectation_profile(customer=customer, at=at)}

    assert profile(timezone.now())[bread.id] == (3, 3, 2) and profile(timezone.now())[wine.id][:2] == (1, 6)
    # Ten days on, the oldest bread delivery has left the window: bread is Desired again, no cap.
    later = timezone.now() + timedelta(days=10)
    assert services.rescore_run(now=later).rows_changed == 0  # past levels stay as they were
    assert profile(later)[bread.id] == (2, 4, None) and profile(later)[wine.id][0] == 1
    # Forty days on, everything has left: every gesture lands at its full level again.
    assert {gid: row[1] for gid, row in profile(timezone.now() + timedelta(days=40)).items()} == {bread.id: None, wine.id: None}
    services.rescore_run(now=timezone.now() + timedelta(days=40))
    assert LevelChange.objects.filter(cause=LevelChange.Cause.RESCORE).count() == 0


def test_the_nightly_drift_job_records_drift_and_the_next_rescore_applies_it(frontline, team):
    team.drift_min_customers = 2
    team.save()
    a, b = CustomerFactory(team=team), CustomerFactory(team=team)
    bread = GestureFactory(team=team, base_level=Level.UNBELIEVABLE)
    log(frontline, a, gestures=[bread.id], occurred_at=days_ago(2))
    today = log(frontline, b, gestures=[bread.id], occurred_at=timezone.now() - timedelta(seconds=20))
    services.rescore_run()  # drift already applied here; make the nightly one find nothing new
    GestureDrift.objects.all().delete()
    Interaction.objects.filter(pk=today.pk).update(level=Level.UNBELIEVABLE, assessed_level=Level.UNBELIEVABLE)

    run = services.drift_run()
    assert (run.kind, run.status, run.rows_changed) == ("drift", JobRun.Status.SUCCEEDED, 1)
    assert Interaction.objects.get(pk=today.pk).level == Level.UNBELIEVABLE  # drift only records
    rescore = services.rescore_run()
    assert rescore_history(rescore) == [(today.id, Level.UNBELIEVABLE, Level.SURPRISING)]
