"""Periodic jobs: one run per site each ``every``, each with a task record, never two at once.

The registry holds only this module's job during a test (``jobs``); dispatches take an explicit
``now``. Concurrent dispatchers on PostgreSQL are in test_background_postgres.py.
"""

from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import IntegrityError
from django.utils import timezone

from core import periodic
from core.models import TaskRecord, TaskState
from core.periodic import periodic_jobs_dispatch, register_periodic
from core.tasks import run_periodic
from tests.tasks import periodic_ping

KEY = "tests.hourly"
HOUR = timedelta(hours=1)


@pytest.fixture
def jobs(monkeypatch):
    """Only the hourly test job is registered while the test runs."""
    monkeypatch.setattr(periodic, "_jobs", {})
    register_periodic(KEY, periodic_ping, every=HOUR, name="Hourly ping")


@pytest.fixture
def now():
    return timezone.now()


def runs(site=None) -> list[TaskRecord]:
    rows = TaskRecord.objects.filter(periodic_key=KEY).order_by("site_id", "periodic_seq")
    return list(rows.filter(site=site) if site else rows)


def finish_all() -> None:
    TaskRecord.objects.filter(periodic_key=KEY).update(state=TaskState.SUCCESS)


def test_a_due_job_is_queued_once_per_site_with_a_record(jobs, site, other_site, now):
    created = periodic_jobs_dispatch(now=now)

    assert sorted(r.site_id for r in created) == sorted([site.pk, other_site.pk])
    for record in runs():
        assert record.name == "Hourly ping" and record.task_name == "tests.periodic_ping"
        assert record.kwargs == {"site_id": record.site_id}
        assert record.created_by is None and record.target_type is None
        assert (record.periodic_seq, record.state, record.created_at) == (1, "PENDING", now)


def test_a_job_is_never_queued_while_its_last_run_is_unfinished(jobs, site, now):
    periodic_jobs_dispatch(now=now)
    TaskRecord.objects.filter(periodic_key=KEY).update(state=TaskState.STARTED)
    assert periodic_jobs_dispatch(now=now + 5 * HOUR) == []
    assert len(runs(site)) == 1


def test_a_job_is_queued_again_once_every_has_passed(jobs, site, now):
    periodic_jobs_dispatch(now=now)
    finish_all()
    assert periodic_jobs_dispatch(now=now + timedelta(minutes=59)) == []

    [second] = periodic_jobs_dispatch(now=now + HOUR)

    assert second.periodic_seq == 2
    assert [r.periodic_seq for r in runs(site)] == [1, 2]


def test_a_failed_run_is_followed_by_the_next_one_on_schedule(jobs, site, now):
    periodic_jobs_dispatch(now=now)
    TaskRecord.objects.filter(periodic_key=KEY).update(state=TaskState.FAILURE)
    assert len(periodic_jobs_dispatch(now=now + HOUR)) == 1


def test_a_beat_a_few_seconds_early_does_not_push_the_schedule_back(jobs, site, now):
    periodic_jobs_dispatch(now=now)
    finish_all()
    assert len(periodic_jobs_dispatch(now=now + HOUR - timedelta(seconds=20))) == 1


def test_one_run_number_per_site_and_job_is_enforced_by_the_database(jobs, site, now):
    [first] = periodic_jobs_dispatch(now=now)
    with pytest.raises(IntegrityError):
        TaskRecord.objects.create(site=site, name="x", periodic_key=KEY, periodic_seq=1)
    assert first.periodic_seq == 1


def test_a_dispatched_run_executes_and_records_its_result(
    jobs, site, now, django_capture_on_commit_callbacks, eager_tasks
):
    with django_capture_on_commit_callbacks(execute=True):
        periodic_jobs_dispatch(now=now)
    [record] = runs(site)
    assert (record.state, record.result) == (TaskState.SUCCESS, {"site_id": site.pk})


def test_unregistered_jobs_are_not_dispatched(jobs, site, now):
    periodic.unregister_periodic(KEY)
    assert periodic_jobs_dispatch(now=now) == []


def test_a_job_must_not_run_more_often_than_every_minute(jobs):
    with pytest.raises(ValueError):
        register_periodic("tests.too-often", periodic_ping, every=timedelta(seconds=10), name="x")


def test_run_periodic_command_dispatches_once(jobs, site, other_site):
    out = StringIO()
    call_command("run_periodic", stdout=out)
    call_command("run_periodic", stdout=out)
    assert "2 periodic job(s) queued." in out.getvalue()
    assert "0 periodic job(s) queued." in out.getvalue()
    assert len(runs()) == 2


def test_beat_dispatches_every_minute(jobs, site):
    schedule = settings.CELERY_BEAT_SCHEDULE["core.run_periodic"]
    assert (schedule["task"], schedule["schedule"]) == ("core.run_periodic", 60.0)
    assert run_periodic.apply().get() == 1
