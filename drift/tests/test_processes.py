"""Real processes: a worker killed with SIGKILL mid-run, a second run racing a first one, a Celery worker."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from drift import services
from drift.models import JobLock
from interactions import services as interaction_services
from interactions.models import Interaction, JobRun, LevelChange

from .conftest import build_history
from .helpers import reference_levels, stored_levels

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.faults, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]


def wait_for(predicate, what, timeout=120):
    """Poll the database until `predicate()` holds (no timing is asserted; the limit only stops a hang)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"gave up waiting for {what}")


def start_rescore_process(*args, chunk=2, pause=0.5, ttl=2):
    s = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cxportal.settings.test",
        "DATABASE_URL": f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST']}:{s['PORT']}/{s['NAME']}",
        "RESCORE_CHUNK_CUSTOMERS": str(chunk),
        "RESCORE_CHUNK_PAUSE_SECONDS": str(pause),
        "RESCORE_LOCK_TTL_SECONDS": str(ttl),
        "CONN_MAX_AGE": "0",
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "rescore_levels", "--no-progress", *args],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def running_run_with_chunks_done(n):
    run = JobRun.objects.filter(kind="rescore", status=JobRun.Status.RUNNING).first()
    return run if run is not None and run.done >= n else None


@pytest.fixture
def stale_history(team, frontline, manager):
    people, gestures = build_history(team=team, actor=frontline, customers=10, per_customer=6, seed=11)
    before = stored_levels()
    interaction_services.gesture_update(actor=manager, gesture=gestures[1], changes={"base_level": 6})
    interaction_services.gesture_update(actor=manager, gesture=gestures[0], changes={"base_level": 5})
    expected = reference_levels()
    changed = sorted(pk for pk in expected if expected[pk][1] != before[pk][1])
    assert changed, "the corrections must change some levels"
    return expected, changed


def test_a_run_killed_after_its_first_chunk_resumes_to_the_same_result_without_duplicate_history(stale_history):
    expected, changed = stale_history
    proc = start_rescore_process("--full")
    try:
        run = wait_for(lambda: running_run_with_chunks_done(2), "the first chunk's checkpoint")
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    run.refresh_from_db()
    assert run.status == JobRun.Status.RUNNING and run.done < run.total  # killed mid-way
    done_before = LevelChange.objects.filter(job_run=run).count()

    # The dead run's lock expires (it stopped heart-beating); the next run resumes the same JobRun.
    wait_for(lambda: not JobLock.objects.filter(expires_at__gte=timezone.now()).exists(), "the lock to expire")
    resumed = services.rescore_run(full=True)
    assert resumed.pk == run.pk and resumed.status == JobRun.Status.SUCCEEDED and "Resumed" in resumed.message
    assert stored_levels() == expected
    history = list(LevelChange.objects.filter(cause="rescore").values_list("interaction_id", "job_run_id"))
    assert sorted(i for i, _ in history) == changed  # one row per changed interaction, none twice
    assert {j for _, j in history} == {run.pk} and done_before < len(history)
    assert JobRun.objects.filter(kind="rescore").count() == 1


def test_a_concurrent_second_run_exits_without_work_while_the_first_holds_the_lock(stale_history):
    expected, changed = stale_history
    proc = start_rescore_process(chunk=2, pause=0.3, ttl=30)
    try:
        first = wait_for(lambda: running_run_with_chunks_done(2), "the first run to be under way")
        second = services.rescore_run()
        assert second.status == JobRun.Status.SKIPPED and f"#{first.pk}" in second.message
        assert LevelChange.objects.filter(job_run=second).count() == 0
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    first.refresh_from_db()
    assert first.status == JobRun.Status.SUCCEEDED and f"Run #{first.pk} succeeded" in out
    assert stored_levels() == expected


@pytest.mark.worker
def test_the_task_runs_in_a_real_celery_worker_and_reports_progress(stale_history, api_as, manager, admin_user):
    from celery.contrib.testing.worker import start_worker

    from cxportal.celery import app

    expected, changed = stale_history
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        response = api_as(admin_user).post("/api/jobs/rescore/", {"full": True}, format="json")
        assert response.status_code == 202 and response.json()["mode"] == "full"
        run = wait_for(lambda: JobRun.objects.filter(kind="rescore", status=JobRun.Status.SUCCEEDED).first(), "the run")
    assert (run.mode, run.done, run.total) == ("full", run.total, run.total) and run.total > 0
    assert run.rows_changed == len(changed) and run.rows_examined == Interaction.objects.count()
    assert stored_levels() == expected
    listed = api_as(manager).get("/api/jobs/").json()["results"]
    assert listed[0]["id"] == run.pk and listed[0]["progress"] == 1.0 and listed[0]["status"] == "succeeded"


def test_a_celery_worker_killed_mid_rescore_is_replaced_and_the_run_finishes_once(stale_history):
    """kill -9 of a real Celery worker in the middle of the task: the message was not acknowledged
    (acks_late), so after the visibility timeout a new worker gets it again and resumes the same
    JobRun from its checkpoint: every row re-scored once, no duplicate history."""
    from tests.harness import OwnRedis, Worker, manage

    expected, changed = stale_history
    redis = OwnRedis().start()
    s = connection.settings_dict
    env = {
        "DATABASE_URL": f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST']}:{s['PORT']}/{s['NAME']}",
        "REDIS_URL": redis.url,
        "CELERY_BROKER_URL": redis.url,
        "CELERY_VISIBILITY_TIMEOUT": "3",  # short in the test: the message comes back 3 s after the kill
        "RESCORE_CHUNK_CUSTOMERS": "2",
        "RESCORE_CHUNK_PAUSE_SECONDS": "0.5",
        "RESCORE_LOCK_TTL_SECONDS": "2",
        "CONN_MAX_AGE": "0",
    }
    first, second = Worker(env, name="first"), Worker(env, name="second")
    try:
        first.start()
        manage("shell", "-c", "from drift.tasks import rescore_levels; rescore_levels.delay(full=True)", env=env)
        run = wait_for(lambda: running_run_with_chunks_done(2), "the worker's first chunks")
        first.kill9()
        run.refresh_from_db()
        assert run.status == JobRun.Status.RUNNING and run.done < run.total, "killed mid-way"
        second.start()
        wait_for(lambda: JobRun.objects.filter(pk=run.pk, status=JobRun.Status.SUCCEEDED).exists(),
                 "the redelivered task to finish the run", timeout=180)
    finally:
        for worker in (first, second):
            worker.close()
        redis.close()
    assert stored_levels() == expected
    history = list(LevelChange.objects.filter(cause="rescore").values_list("interaction_id", flat=True))
    assert sorted(history) == changed  # every changed row once, none twice
    assert JobRun.objects.filter(kind="rescore").count() == 1
    for worker in (first, second):
        worker.remove_log()


def test_two_workers_share_the_chunks_and_finish_the_run_once_with_the_one_process_result(stale_history):
    """The spread run: every chunk is a task, two worker processes take them side by side, the last
    chunk finishes the run once; levels and history equal what one process computes."""
    from tests.harness import OwnRedis, Worker, manage

    expected, changed = stale_history
    redis = OwnRedis().start()
    s = connection.settings_dict
    env = {
        "DATABASE_URL": f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST']}:{s['PORT']}/{s['NAME']}",
        "REDIS_URL": redis.url,
        "CELERY_BROKER_URL": redis.url,
        "RESCORE_CHUNK_CUSTOMERS": "2",
        "RESCORE_CHUNK_PAUSE_SECONDS": "0.3",
        "CONN_MAX_AGE": "0",
    }
    workers = [Worker(env, name="left"), Worker(env, name="right")]
    try:
        for worker in workers:
            worker.start()
        for worker in workers:
            wait_for(lambda w=worker: "ready" in w.output(), f"worker {worker.name} to be ready")
        manage("shell", "-c", "from drift.tasks import rescore_levels; rescore_levels.delay(full=True)", env=env)
        run = wait_for(lambda: JobRun.objects.filter(kind="rescore", status=JobRun.Status.SUCCEEDED).first(), "the run")
        outputs = [worker.output() for worker in workers]
    finally:
        for worker in workers:
            worker.close()
        redis.close()
    assert stored_levels() == expected
    history = list(LevelChange.objects.filter(cause="rescore").values_list("interaction_id", "job_run_id"))
    assert sorted(i for i, _ in history) == changed and {j for _, j in history} == {run.pk}
    chunks = list(run.chunks.values_list("done_at", flat=True))
    assert len(chunks) == 5 and all(chunks)  # 10 customers in chunks of 2, each done
    assert all("drift.rescore_chunk" in out and "succeeded" in out for out in outputs), "both workers took chunks"
    assert (run.done, run.total, run.rows_changed) == (10, 10, len(changed))
    for worker in workers:
        worker.remove_log()


@pytest.mark.worker
def test_a_chunk_delivered_again_writes_nothing_and_the_run_finishes_once(stale_history, settings):
    from celery.contrib.testing.worker import start_worker

    from cxportal.celery import app

    expected, changed = stale_history
    settings.RESCORE_CHUNK_CUSTOMERS = 3
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        started = services.rescore_start(full=True)
        run = wait_for(lambda: JobRun.objects.filter(pk=started.pk, status=JobRun.Status.SUCCEEDED).first(), "the run")
    chunk_ids = list(run.chunks.order_by("seq").values_list("pk", flat=True))
    assert len(chunk_ids) == 4 and not run.chunks.filter(done_at__isnull=True).exists()
    history = sorted(LevelChange.objects.filter(job_run=run).values_list("interaction_id", flat=True))

    for chunk_id in chunk_ids:  # each chunk's message delivered a second time
        assert services.chunk_rescore(run_id=run.pk, chunk_id=chunk_id) is False

    assert sorted(LevelChange.objects.filter(job_run=run).values_list("interaction_id", flat=True)) == history == changed
    run.refresh_from_db()
    assert run.status == JobRun.Status.SUCCEEDED and run.message.count("re-score:") == 1
    assert not JobLock.objects.exists() and stored_levels() == expected
