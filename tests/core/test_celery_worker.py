"""Background tasks on a real Celery worker process (Redis broker, shared PostgreSQL database).

These run in the second stage of ``make test``. The worker only sees committed rows, hence
``transaction=True``; the task record is the same one the API and pages poll.
"""

import time

import pytest
from celery.result import AsyncResult
from django.db import transaction

from core.background import enqueue
from core.models import Location, TaskRecord, TaskState
from core.tasks import rebuild_location_paths, run_periodic
from tests.factories import LocationFactory
from tests.tasks import PING_KEY, steps_in_one_transaction

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

TIMEOUT = 60


def wait_for_task(api, task_id: str, worker, timeout: float = TIMEOUT) -> dict:
    """Poll GET /api/tasks/<id>/ until the task has finished; the body of the last answer."""
    deadline = time.monotonic() + timeout
    while True:
        response = api.get(f"/api/tasks/{task_id}/")
        assert response.status_code == 200, response.content
        body = response.json()
        if body["state"] in (TaskState.SUCCESS, TaskState.FAILURE):
            return body
        assert time.monotonic() < deadline, (
            f"task {task_id} still {body['state']} after {timeout}s\n{worker.log_tail()}"
        )
        time.sleep(0.2)


def wait_for_log(worker, text: str, count: int, timeout: float = TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while worker.log().count(text) < count:
        assert time.monotonic() < deadline, f"{text!r} not seen {count}x\n{worker.log_tail()}"
        time.sleep(0.2)


@pytest.fixture
def corrupted_tree(site):
    """Building A > Room 1 > Bin 7, plus Building B, with two stored paths broken behind the
    services' back (as a bad import or a manual SQL fix would)."""
    building = LocationFactory(site=site, name="Building A")
    room = LocationFactory(parent=building, name="Room 1")
    bin_ = LocationFactory(parent=room, name="Bin 7")
    LocationFactory(site=site, name="Building B")
    Location.objects.filter(pk=room.pk).update(path="Old Building > Room 1")
    Location.objects.filter(pk=bin_.pk).update(path="garbage", depth=7)
    return {"room": room, "bin": bin_}


def test_rebuild_paths_runs_on_the_worker_and_repairs_paths(
    celery_worker_process, site, admin_user, corrupted_tree, api_for
):
    api = api_for(admin_user, site)

    response = api.post("/api/locations/rebuild-paths/")

    assert response.status_code == 202, response.content
    task_id = response.json()["id"]
    body = wait_for_task(api, task_id, celery_worker_process)
    assert body["state"] == TaskState.SUCCESS, (body, celery_worker_process.log_tail())
    assert body["progress"] == 100
    assert body["result"] == {"locations": 4, "repaired": 2}
    assert body["error"] == ""
    assert body["started_at"] and body["finished_at"]

    record = TaskRecord.objects.get(pk=task_id)
    assert record.worker == celery_worker_process.hostname
    assert record.worker != "in-process"
    assert record.attempts == 1

    room, bin_ = corrupted_tree["room"], corrupted_tree["bin"]
    room.refresh_from_db()
    bin_.refresh_from_db()
    assert room.path == "Building A > Room 1"
    assert (bin_.path, bin_.depth) == ("Building A > Room 1 > Bin 7", 2)


def test_the_same_task_id_sent_again_after_it_ran_does_not_run_again(
    celery_worker_process, site, admin_user, corrupted_tree, api_for
):
    api = api_for(admin_user, site)
    task_id = api.post("/api/locations/rebuild-paths/").json()["id"]
    first = wait_for_task(api, task_id, celery_worker_process)
    assert first["state"] == TaskState.SUCCESS, (first, celery_worker_process.log_tail())

    # Re-deliver the very same message (same record id = same Celery task id), as a broker does
    # after a lost acknowledgement. Forget the stored result first so get() waits for the rerun.
    AsyncResult(task_id).forget()
    second = rebuild_location_paths.apply_async(
        kwargs={"record_id": task_id, "site_id": site.pk, "user_id": admin_user.pk},
        task_id=task_id,
    )

    assert second.get(timeout=TIMEOUT) is None
    record = TaskRecord.objects.get(pk=task_id)
    assert record.attempts == 1
    assert record.state == TaskState.SUCCESS
    assert record.result == first["result"]
    assert record.worker == celery_worker_process.hostname


def test_two_messages_for_one_record_run_the_task_once(
    celery_worker_process, site, admin_user, corrupted_tree
):
    with transaction.atomic():
        kwargs = {"site_id": site.pk, "user_id": admin_user.pk}
        record = enqueue(rebuild_location_paths, site=site, by=admin_user, **kwargs)
        rebuild_location_paths.apply_async_on_commit(
            kwargs={"record_id": str(record.pk), **kwargs}, task_id=str(record.pk)
        )
        # Nothing is sent before the commit: the worker must never see an uncommitted record.
        assert f"[{record.pk}] received" not in celery_worker_process.log()

    wait_for_log(celery_worker_process, f"[{record.pk}] succeeded", count=2)
    record.refresh_from_db()
    assert record.state == TaskState.SUCCESS
    assert record.attempts == 1
    assert record.result == {"locations": 4, "repaired": 2}
    assert "already claimed; not running it again" in celery_worker_process.log()


def test_progress_is_visible_while_the_task_holds_one_transaction(
    celery_worker_process, site, admin_user, api_for
):
    """The test task writes all its rows in ONE transaction and reports after each step; the
    reports commit on their own connection, so the API shows them while the task runs."""
    api = api_for(admin_user, site)
    record = enqueue(
        steps_in_one_transaction,
        site=site,
        by=admin_user,
        site_id=site.pk,
        steps=8,
        step_seconds=0.4,
        tag="visible",
    )

    seen = []
    deadline = time.monotonic() + TIMEOUT
    while True:
        body = api.get(f"/api/tasks/{record.pk}/").json()
        if body["state"] == TaskState.STARTED and 0 < body["progress"] < 100:
            rows = Location.objects.filter(name__startswith="visible ").count()
            seen.append((body["progress"], body["message"], rows))
        if body["state"] in (TaskState.SUCCESS, TaskState.FAILURE):
            break
        assert time.monotonic() < deadline, celery_worker_process.log_tail()
        time.sleep(0.1)

    assert body["state"] == TaskState.SUCCESS, (body, celery_worker_process.log_tail())
    assert body["result"] == {"steps": 8, "rows": 8}
    assert len({progress for progress, _message, _rows in seen}) >= 2, seen
    progress, message, _rows = seen[0]
    step = int(message.split()[1])
    assert (message, progress) == (f"step {step} of 8", step * 100 // 8)
    assert all(rows == 0 for _p, _m, rows in seen)  # the task's own writes: not committed yet


def test_a_periodic_job_runs_once_per_site_on_the_worker(celery_worker_process, site, other_site):
    """Two beats in a row: the first queues the job for each site, the second finds it queued."""
    first, second = run_periodic.delay(), run_periodic.delay()

    assert first.get(timeout=TIMEOUT) + second.get(timeout=TIMEOUT) == 2
    runs = TaskRecord.objects.filter(periodic_key=PING_KEY)
    deadline = time.monotonic() + TIMEOUT
    while runs.exclude(state=TaskState.SUCCESS).exists() or runs.count() < 2:
        assert time.monotonic() < deadline, celery_worker_process.log_tail()
        time.sleep(0.2)
    assert sorted(runs.values_list("site_id", flat=True)) == sorted([site.pk, other_site.pk])
    for record in runs:
        assert record.result == {"site_id": record.site_id}
        assert record.worker == celery_worker_process.hostname
        assert (record.created_by, record.target_type, record.periodic_seq) == (None, None, 1)
