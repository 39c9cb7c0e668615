"""A worker killed mid-task (SIGKILL: no acknowledgement, no clean-up) on a real Celery worker,
Redis broker and shared PostgreSQL database.

Its task record must not stay STARTED forever: once the lease has run out, recovery queues it
again and another worker runs it to the end (its killed attempt's transaction left nothing), or,
with no attempts left, marks it failed with the reason. The test tasks have a 3 s lease.
"""

import time

import pytest

from core.background import enqueue, task_records_recover, task_records_to_recover
from core.models import Location, TaskRecord, TaskState
from tests.tasks import steps_in_one_transaction, steps_with_one_attempt

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

TIMEOUT = 60
STEPS = 6


def wait_for(condition, what: str, workers, timeout: float = TIMEOUT):
    """Poll ``condition()`` until it returns something truthy; that value."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        logs = "\n".join(w.log_tail(30) for w in workers)
        assert time.monotonic() < deadline, f"{what}: not within {timeout}s\n{logs}"
        time.sleep(0.1)
    return value


def record_of(record) -> TaskRecord:
    return TaskRecord.objects.get(pk=record.pk)


def start_and_kill_mid_run(task, site, worker, tag: str) -> TaskRecord:
    """Queue ``task`` on ``worker`` and SIGKILL the worker once the task has reported progress."""
    record = enqueue(
        task, site=site, by=None, site_id=site.pk, steps=STEPS, step_seconds=0.5, tag=tag
    )
    running = wait_for(
        lambda: (r := record_of(record)).state == TaskState.STARTED and r.progress > 0 and r,
        "the task reporting progress",
        [worker],
    )
    assert running.worker == worker.hostname and running.attempts == 1
    worker.kill()
    return record


def recover_once_the_lease_ran_out(record, workers) -> dict:
    wait_for(
        lambda: any(r.record.pk == record.pk for r in task_records_to_recover()),
        "the killed run's lease running out",
        workers,
        timeout=15,
    )
    return task_records_recover()


def test_a_task_whose_worker_was_killed_runs_again_to_success(celery_worker_factory, site):
    first = celery_worker_factory()
    record = start_and_kill_mid_run(steps_in_one_transaction, site, first, "killed")
    assert record_of(record).state == TaskState.STARTED  # nobody else would ever finish it

    second = celery_worker_factory()
    done = recover_once_the_lease_ran_out(record, [first, second])

    assert done["requeue"] == [str(record.pk)]
    final = wait_for(
        lambda: (r := record_of(record)).is_finished and r, "the second run", [first, second]
    )
    assert final.state == TaskState.SUCCESS, (final.error, second.log_tail())
    assert final.attempts == 2 and final.worker == second.hostname
    assert final.result == {"steps": STEPS, "rows": STEPS}  # the killed attempt left nothing
    assert Location.objects.filter(name__startswith="killed ").count() == STEPS


def test_a_killed_task_with_no_attempts_left_fails_with_the_reason(celery_worker_factory, site):
    worker = celery_worker_factory()
    record = start_and_kill_mid_run(steps_with_one_attempt, site, worker, "once")

    done = recover_once_the_lease_ran_out(record, [worker])

    assert done["fail"] == [str(record.pk)]
    final = record_of(record)
    assert final.state == TaskState.FAILURE and final.finished_at
    assert final.error == "The worker running this task stopped responding (attempt 1 of 1)."
    assert Location.objects.filter(name__startswith="once ").count() == 0
