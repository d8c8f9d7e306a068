"""Whole runs: twice is a no-op, --full agrees with incremental, bounded queries, one run at a time."""

from datetime import timedelta

import pytest
from django.core.management import call_command

from accounts import services as account_services
from drift import services
from drift.locks import lock_acquire, lock_release
from interactions import services as interaction_services
from interactions.models import Interaction, JobRun, LevelChange

from .conftest import build_history
from .helpers import log, reference_levels, rescore_history, stored_levels

pytestmark = pytest.mark.django_db


def test_running_twice_changes_nothing_the_second_time(history, manager):
    people, gestures = history
    interaction_services.gesture_update(actor=manager, gesture=gestures[1], changes={"base_level": 6})
    first = services.rescore_run()
    assert first.rows_changed > 0
    before = stored_levels()
    history_rows = LevelChange.objects.count()
    second = services.rescore_run()
    third = services.rescore_run(full=True)
    assert (second.rows_changed, third.rows_changed) == (0, 0)
    assert third.rows_examined == Interaction.objects.count()
    assert stored_levels() == before and LevelChange.objects.count() == history_rows


def test_full_agrees_with_incremental(team, frontline, manager, history):
    people, gestures = history
    services.rescore_run()
    # Several causes at once: a correction, a rubric number, a backdated interaction, a rating.
    interaction_services.gesture_update(actor=manager, gesture=gestures[2], changes={"base_level": 6})
    account_services.team_update_settings(actor=manager, team=team, changes={"familiarity_window_days": 200})
    earliest = Interaction.objects.filter(customer=people[0]).order_by("occurred_at").first()
    log(frontline, people[0], occurred_at=earliest.occurred_at - timedelta(days=1), gestures=[gestures[3].id])
    interaction_services.interaction_rate(interaction=Interaction.objects.filter(customer=people[1]).first(), level=1)

    incremental = services.rescore_run()
    assert incremental.mode == "incremental" and incremental.rows_changed > 0
    after_incremental = stored_levels()
    full = services.rescore_run(full=True)
    assert full.rows_changed == 0 and stored_levels() == after_incremental == reference_levels()


def test_each_changed_row_has_exactly_one_history_row_per_run(history, manager):
    people, gestures = history
    before = stored_levels()
    interaction_services.gesture_update(actor=manager, gesture=gestures[0], changes={"base_level": 5})
    interaction_services.gesture_update(actor=manager, gesture=gestures[3], changes={"recurring": False})
    run = services.rescore_run()
    after = stored_levels()
    changed = sorted(pk for pk in after if after[pk][1] != before[pk][1])
    assert changed and [row[0] for row in rescore_history(run)] == changed
    assert after == reference_levels()


def test_a_second_run_while_one_holds_the_lock_does_nothing_and_says_so(history, manager):
    people, gestures = history
    interaction_services.gesture_update(actor=manager, gesture=gestures[1], changes={"base_level": 6})
    assert lock_acquire(name=services.LOCK_NAME, holder="another-worker", ttl=timedelta(minutes=5))
    try:
        run = services.rescore_run()
    finally:
        lock_release(name=services.LOCK_NAME, holder="another-worker")
    assert run.status == JobRun.Status.SKIPPED and "did nothing" in run.message
    assert rescore_history() == []
    assert services.rescore_run().rows_changed > 0  # once the lock is free, the work is still there


def test_the_command_prints_the_summary(history, capsys, manager):
    people, gestures = history
    interaction_services.gesture_update(actor=manager, gesture=gestures[1], changes={"base_level": 6})
    call_command("rescore_levels", "--full")
    out = capsys.readouterr()
    run = JobRun.objects.filter(kind="rescore").first()
    assert f"Run #{run.pk} succeeded" in out.out and f"changed {run.rows_changed}" in out.out
    assert "re-score" in out.err  # the progress bar


def test_queries_per_chunk_stay_flat_as_rows_grow(team, frontline, manager, django_assert_max_num_queries, settings):
    settings.RESCORE_CHUNK_CUSTOMERS = 100  # one chunk per phase
    people, gestures = build_history(team=team, actor=frontline, customers=4, per_customer=3, seed=1)
    interaction_services.gesture_update(actor=manager, gesture=gestures[1], changes={"base_level": 6})
    with django_assert_max_num_queries(60) as small:
        services.rescore_run(full=True)
    build_history(team=team, actor=frontline, customers=12, per_customer=12, seed=2)
    interaction_services.gesture_update(actor=manager, gesture=gestures[3], changes={"base_level": 5})
    # Four times the customers, twelve times the interactions, still one chunk: the same queries
    # (give or take the write statements of a chunk that has something to write: levels, stale
    # standings, new standings; and drift's three look-ups, skipped when nothing was delivered in
    # the last 90 days; on SQLite the history is a second statement).
    with django_assert_max_num_queries(len(small.captured_queries) + 6):
        run = services.rescore_run(full=True)
    assert run.rows_examined == 4 * 3 + 12 * 12 and run.rows_changed > 0
