from datetime import timedelta

import pytest

from drift import services
from drift.locks import lock_acquire, lock_release
from interactions.models import JobRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def runs(db):
    services.rescore_run()
    return services.rescore_run(full=True)


def test_managers_list_job_runs_with_progress_newest_first(api_as, manager, runs):
    response = api_as(manager).get("/api/jobs/")
    assert response.status_code == 200
    body = response.json()
    assert "count" not in body and [r["id"] for r in body["results"]] == list(
        JobRun.objects.order_by("-id").values_list("id", flat=True)
    )
    first = body["results"][0]
    assert first["mode"] == "full" and first["status"] == "succeeded" and first["progress"] == 1.0
    assert api_as(manager).get(f"/api/jobs/{runs.pk}/").json()["rows_examined"] == runs.rows_examined
    assert [r["mode"] for r in api_as(manager).get("/api/jobs/?kind=rescore&status=succeeded").json()["results"]] == [
        "full", "incremental",
    ]


def test_frontline_and_anonymous_cannot_see_jobs(api, api_as, frontline, runs):
    assert api.get("/api/jobs/").status_code == 401
    assert api_as(frontline).get("/api/jobs/").status_code == 403
    assert api_as(frontline).get(f"/api/jobs/{runs.pk}/").status_code == 403
    assert api_as(frontline).post("/api/jobs/rescore/", {}).status_code == 403


def test_a_bad_filter_is_a_400_not_a_500(api_as, manager):
    response = api_as(manager).get("/api/jobs/?status=sleeping")
    assert response.status_code == 400 and "status" in response.json()


def test_a_manager_starts_an_incremental_rescore_but_only_an_admin_a_full_one(api_as, manager, admin_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = api_as(manager).post("/api/jobs/rescore/", {}, format="json")
    assert response.status_code == 202 and response.json()["mode"] == "incremental" and len(callbacks) == 1
    assert api_as(manager).post("/api/jobs/rescore/", {"full": True}, format="json").status_code == 403
    with django_capture_on_commit_callbacks(execute=False):
        assert api_as(admin_user).post("/api/jobs/rescore/", {"full": True}, format="json").status_code == 202
    assert api_as(admin_user).post("/api/jobs/rescore/", {"full": "maybe"}, format="json").status_code == 400


def test_starting_a_rescore_while_one_runs_is_a_conflict(api_as, manager):
    assert lock_acquire(name=services.LOCK_NAME, holder="worker-1", ttl=timedelta(minutes=5))
    try:
        response = api_as(manager).post("/api/jobs/rescore/", {}, format="json")
    finally:
        lock_release(name=services.LOCK_NAME, holder="worker-1")
    assert response.status_code == 409 and response.json()["code"] == "busy"


def test_the_three_drift_schedules_exist_once(db):
    from django_celery_beat.models import PeriodicTask

    from core.schedules import schedules_create

    schedules_create()  # already ran after the migrations (and after every flush)
    schedules_create()
    assert PeriodicTask.objects.filter(task__startswith="drift.").count() == 3

    tasks = {t.name: t for t in PeriodicTask.objects.filter(task__startswith="drift.")}
    incremental = tasks["Re-score levels (incremental)"]
    assert (incremental.interval.every, incremental.interval.period, incremental.kwargs) == (15, "minutes", '{"full": false}')
    nightly = tasks["Recompute expectation drift (nightly)"]
    assert (nightly.task, nightly.crontab.hour, nightly.crontab.day_of_week) == ("drift.recompute_drift", "2", "*")
    weekly = tasks["Re-score levels (full, weekly)"]
    assert (weekly.kwargs, weekly.crontab.day_of_week) == ('{"full": true}', "0")
