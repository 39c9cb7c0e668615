"""Background tasks leave a record that GET /api/tasks/{id}/ reports: state, progress, result.

In the embedded mode tasks run in-process once the request's transaction commits;
``django_capture_on_commit_callbacks(execute=True)`` plays that commit here.
"""

import pytest

from core.background import enqueue, tracked_task
from core.models import Location, TaskRecord, TaskState


@tracked_task("tests.core.always_fails")
def always_fails(progress, *, reason: str) -> None:
    progress.update(1, 4, "a quarter done")
    raise RuntimeError(reason)


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks, eager_tasks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_rebuild_paths_answers_202_with_a_pending_task(admin_api, tree):
    response = admin_api.post("/api/locations/rebuild-paths/")
    assert response.status_code == 202
    body = response.json()
    assert body["state"] == "PENDING" and body["progress"] == 0
    assert TaskRecord.objects.filter(pk=body["id"]).exists()


def test_the_task_is_not_queued_when_the_request_fails(
    admin_api, tree, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        admin_api.post("/api/locations/rebuild-paths/", HTTP_X_SITE_ID="abc")
    assert callbacks == [] and not TaskRecord.objects.exists()


def test_a_finished_task_reports_success_progress_and_result(admin_api, tree, run_on_commit):
    with run_on_commit():
        task_id = admin_api.post("/api/locations/rebuild-paths/").json()["id"]
    response = admin_api.get(f"/api/tasks/{task_id}/")
    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "SUCCESS" and body["progress"] == 100
    assert body["result"] == {"locations": 4, "repaired": 0}
    assert body["started_at"] and body["finished_at"] and body["error"] == ""


def test_rebuild_repairs_a_corrupted_path(admin_api, tree, run_on_commit):
    Location.objects.filter(pk=tree.room.pk).update(path="Wrong", depth=7)
    Location.objects.filter(pk=tree.bin.pk).update(lineage="/0/")
    with run_on_commit():
        task_id = admin_api.post("/api/locations/rebuild-paths/").json()["id"]
    assert admin_api.get(f"/api/tasks/{task_id}/").json()["result"]["repaired"] == 2
    room, bin_ = Location.objects.get(pk=tree.room.pk), Location.objects.get(pk=tree.bin.pk)
    assert (room.path, room.depth) == ("Building A > Room 1", 1)
    assert bin_.lineage == f"/{tree.building.pk}/{tree.room.pk}/{tree.bin.pk}/"


def test_a_failing_task_ends_in_failure_with_its_error(admin_api, site, admin_user, run_on_commit):
    with run_on_commit():
        record = enqueue(always_fails, site=site, by=admin_user, reason="disk on fire")
    body = admin_api.get(f"/api/tasks/{record.pk}/").json()
    assert body["state"] == "FAILURE"
    assert body["error"] == "disk on fire"
    assert body["progress"] == 25 and body["message"] == "a quarter done"
    assert body["result"] is None and body["finished_at"]


def test_a_task_runs_at_most_once(site, admin_user, run_on_commit):
    with run_on_commit():
        record = enqueue(always_fails, site=site, by=admin_user, reason="once")
    always_fails.apply(kwargs={"record_id": str(record.pk), "reason": "twice"})
    record.refresh_from_db()
    assert record.attempts == 1 and record.error == "once"


def test_tasks_list_newest_first_and_filter_by_state(admin_api, site, admin_user):
    TaskRecord.objects.create(site=site, name="old", state=TaskState.SUCCESS)
    TaskRecord.objects.create(site=site, name="new", state=TaskState.FAILURE)
    assert [row["name"] for row in admin_api.get("/api/tasks/").json()["results"]] == ["new", "old"]
    failed = admin_api.get("/api/tasks/", {"state": "FAILURE"}).json()["results"]
    assert [row["name"] for row in failed] == ["new"]


def test_technicians_can_follow_tasks(tech_api, site):
    record = TaskRecord.objects.create(site=site, name="job")
    assert tech_api.get(f"/api/tasks/{record.pk}/").status_code == 200


def test_the_task_lists_counts_follow_new_tasks_and_their_states(
    admin_api, site, admin_user, run_on_commit, django_capture_on_commit_callbacks
):
    """The count is cached under the tasks' data version: queuing, running and finishing a
    task each change it, so a count is never stale."""

    def counts() -> tuple[int, int, int]:
        return tuple(
            admin_api.get("/api/tasks/", {"state": state} if state else {}).json()["count"]
            for state in ("", "PENDING", "FAILURE")
        )

    assert counts() == (0, 0, 0)
    with run_on_commit():
        enqueue(always_fails, site=site, by=admin_user, reason="runs at once")
    assert counts() == (1, 0, 1)
    with django_capture_on_commit_callbacks():  # queued; its message is never sent
        record = enqueue(always_fails, site=site, by=admin_user, reason="later")
    assert counts() == (2, 1, 1)
    always_fails.apply(kwargs={"record_id": str(record.pk), "reason": "later"})
    assert counts() == (2, 0, 2)
