"""Background tasks under concurrency on PostgreSQL, in-process (threads with a connection each).

- parallel dispatchers (two beats, a beat and ``manage.py run_periodic``) queue each periodic run
  once per site;
- progress a task reports inside its own long transaction is committed on the ``tasks``
  connection, so others see it while the task runs (the real worker case is in
  test_celery_worker.py).
"""

import threading
import time
from datetime import timedelta

import pytest
from celery.result import allow_join_result
from django.db import connections
from django.utils import timezone

from core import periodic
from core.models import Location, TaskRecord, TaskState
from core.periodic import periodic_jobs_dispatch, register_periodic
from tests.helpers import in_parallel, split
from tests.tasks import periodic_ping, steps_in_one_transaction

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

KEY = "tests.hourly"
DISPATCHERS = 6


@pytest.fixture
def jobs(monkeypatch):
    monkeypatch.setattr(periodic, "_jobs", {})
    register_periodic(KEY, periodic_ping, every=timedelta(hours=1), name="Hourly ping")


def dispatch_together(now) -> list[int]:
    def dispatch(_index, go):
        go()
        return len(periodic_jobs_dispatch(now=now))

    # Eager runs on parallel threads can leave Celery's process-wide "inside a task" flag set
    # (each restores what it saw on entry); allow_join_result() puts back the value from before.
    with allow_join_result():
        queued, errors = split(in_parallel(dispatch, range(DISPATCHERS)))
    assert errors == []
    return queued


def test_parallel_dispatchers_queue_each_run_once_per_site(jobs, site, other_site, eager_tasks):
    now = timezone.now()

    assert sum(dispatch_together(now)) == 2

    runs = TaskRecord.objects.filter(periodic_key=KEY)
    assert sorted(runs.values_list("site_id", "periodic_seq")) == sorted(
        [(site.pk, 1), (other_site.pk, 1)]
    )
    assert set(runs.values_list("state", flat=True)) == {TaskState.SUCCESS}

    assert sum(dispatch_together(now + timedelta(hours=1))) == 2
    assert sorted(runs.filter(site=site).values_list("periodic_seq", flat=True)) == [1, 2]


@pytest.mark.django_db(transaction=True, databases=["default", "tasks"])
def test_progress_inside_the_tasks_own_transaction_is_visible_while_it_runs(site):
    record = TaskRecord.objects.create(
        site=site, name="steps", task_name=steps_in_one_transaction.name, max_attempts=2
    )
    kwargs = {"site_id": site.pk, "steps": 6, "step_seconds": 0.3, "tag": "inside"}

    def run():
        try:
            steps_in_one_transaction.apply(kwargs={"record_id": str(record.pk), **kwargs})
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    seen = []
    deadline = time.monotonic() + 30
    while thread.is_alive() and time.monotonic() < deadline:
        current = TaskRecord.objects.get(pk=record.pk)
        if current.state == TaskState.STARTED and 0 < current.progress < 100:
            rows = Location.objects.filter(name__startswith="inside ").count()
            seen.append((current.progress, current.message, rows))
        time.sleep(0.05)
    thread.join(timeout=30)

    assert seen, "no progress between 0 and 100 was visible while the task ran"
    assert all(rows == 0 for _p, _m, rows in seen)  # its own writes are still uncommitted
    assert seen[0][1].startswith("step ") and len({p for p, _m, _r in seen}) >= 2
    record.refresh_from_db()
    assert (record.state, record.result) == (TaskState.SUCCESS, {"steps": 6, "rows": 6})
