"""A task record can name the object it works on, so that object's page can show it running.

``enqueue(..., target=obj)``; ``active_tasks_for(obj)``; ``/api/tasks/`` reports and filters by
``target_type`` (app_label.model) and ``target_id``; ``core/_object_tasks.html`` shows the
progress bars of an object's unfinished tasks.
"""

import pytest
from django.template.loader import render_to_string

from core.background import enqueue
from core.models import TaskRecord, TaskState
from core.selectors import active_tasks_for
from tests.helpers import all_by_testid, assert_field_error, by_testid, text
from tests.tasks import steps_in_one_transaction


def queue_for(target, site, **fields) -> TaskRecord:
    record = enqueue(
        steps_in_one_transaction,
        site=site,
        by=None,
        name="Rebuild",
        target=target,
        site_id=site.pk,
        steps=1,
        step_seconds=0,
        tag="t",
    )
    if fields:
        TaskRecord.objects.filter(pk=record.pk).update(**fields)
        record.refresh_from_db()
    return record


@pytest.fixture
def location(tree):
    return tree.room


def test_a_record_names_its_target(location, site):
    record = queue_for(location, site)
    assert record.target_type_key == "core.location"
    assert record.target_id == str(location.pk)
    assert record.target_label == str(location)


def test_a_target_with_a_uuid_key_is_named_too(site):
    other = TaskRecord.objects.create(site=site, name="a record is a UUID-keyed object")
    record = queue_for(other, site)
    assert (record.target_type_key, record.target_id) == ("core.taskrecord", str(other.pk))
    assert list(active_tasks_for(other)) == [record]


def test_active_tasks_for_an_object_are_its_unfinished_ones_newest_first(location, tree, site):
    queued = queue_for(location, site)
    running = queue_for(location, site, state=TaskState.STARTED, progress=40)
    queue_for(location, site, state=TaskState.SUCCESS)
    queue_for(location, site, state=TaskState.FAILURE)
    queue_for(tree.bin, site)  # another object
    queue_for(site, site)  # another type with possibly the same id

    assert list(active_tasks_for(location)) == [running, queued]


def test_active_tasks_for_an_object_cost_one_query(location, site, django_assert_num_queries):
    queue_for(location, site)
    list(active_tasks_for(location))  # the content type is cached from here on
    with django_assert_num_queries(1):
        assert len(list(active_tasks_for(location))) == 1


def test_the_api_reports_the_target_and_the_attempts(admin_api, location, site):
    record = queue_for(location, site, attempts=2, state=TaskState.STARTED)
    body = admin_api.get(f"/api/tasks/{record.pk}/").json()
    assert body["target_type"] == "core.location"
    assert body["target_id"] == str(location.pk)
    assert body["target_label"] == str(location)
    assert (body["attempts"], body["max_attempts"]) == (2, 2)


def test_a_task_without_target_reports_empty_target_fields(admin_api, site):
    record = TaskRecord.objects.create(site=site, name="job")
    body = admin_api.get(f"/api/tasks/{record.pk}/").json()
    assert (body["target_type"], body["target_id"], body["target_label"]) == ("", "", "")


def test_the_api_lists_an_objects_running_tasks(admin_api, location, tree, site):
    running = queue_for(location, site, state=TaskState.STARTED)
    queue_for(location, site, state=TaskState.SUCCESS)
    queue_for(tree.bin, site, state=TaskState.STARTED)

    params = {"target_type": "core.location", "target_id": location.pk, "state": "STARTED"}
    rows = admin_api.get("/api/tasks/", params).json()["results"]

    assert [row["id"] for row in rows] == [str(running.pk)]


def test_an_unknown_target_type_is_a_400(admin_api, site):
    response = admin_api.get("/api/tasks/", {"target_type": "core.nothing", "target_id": "1"})
    assert_field_error(response, "target_type")


def test_the_object_tasks_include_shows_each_running_task_with_its_progress(location, site):
    queue_for(location, site, state=TaskState.STARTED, progress=40, message="step 2 of 5")
    queue_for(location, site)

    markup = render_to_string("core/_object_tasks.html", {"tasks": active_tasks_for(location)})

    bars = all_by_testid(markup, "task-progress")
    assert [bar["data-state"] for bar in bars] == ["PENDING", "STARTED"]
    running = bars[1]
    assert running.find("progress")["value"] == "40"
    assert "step 2 of 5" in text(running)
    assert running["hx-get"].startswith("/tasks/")  # it keeps polling while unfinished


def test_the_object_tasks_include_is_empty_when_nothing_runs(location, site):
    queue_for(location, site, state=TaskState.SUCCESS)
    markup = render_to_string("core/_object_tasks.html", {"tasks": active_tasks_for(location)})
    assert markup.strip() == ""


def test_the_task_page_says_which_attempt_runs(admin_page, location, site):
    record = queue_for(location, site, state=TaskState.STARTED, attempts=2)
    response = admin_page.get(f"/tasks/{record.pk}/")
    assert response.status_code == 200
    bar = by_testid(response, "task-progress")
    assert "Attempt 2 of 2" in text(bar)
    assert text(by_testid(response, "task-target")) == str(location)
