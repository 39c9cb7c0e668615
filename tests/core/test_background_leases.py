"""Leases and recovery: a task record runs under one attempt at a time, and a run whose worker
died is queued again (or failed with the reason), never left STARTED forever.

Claims and recoveries take an explicit ``now``; a lease that "ran out" is one claimed earlier
than its length ago. Re-sent messages run in-process here (eager), as in embedded mode.
"""

from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from core import background
from core.background import (
    TaskLeaseLost,
    TaskProgress,
    enqueue,
    task_record_claim,
    task_records_recover,
    task_records_to_recover,
)
from core.models import TaskRecord, TaskState
from core.tasks import recover_tasks
from tests.tasks import TEST_LEASE, steps_in_one_transaction, steps_with_one_attempt

LEASE = timedelta(seconds=30)
LONG_AGO = timedelta(minutes=10)


class Clock:
    """A settable clock for TaskProgress, so rate limits and leases are exact."""

    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now

    def advance(self, **kwargs):
        self.now += timedelta(**kwargs)


def queue(site, task=steps_in_one_transaction, steps=2) -> TaskRecord:
    """A record queued for ``task``; its message is dropped (the test sends or claims by hand)."""
    return enqueue(task, site=site, by=None, site_id=site.pk, steps=steps, step_seconds=0, tag="t")


def claim(record, worker="w1", *, at, lease=LEASE) -> TaskRecord | None:
    return task_record_claim(record_id=str(record.pk), worker=worker, lease=lease, now=at)


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks, eager_tasks):
    """Run what is sent after commit in-process, as embedded mode does."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


# --- Queueing and claiming ------------------------------------------------------------------------


def test_a_record_keeps_what_is_needed_to_send_its_task_again(site):
    record = queue(site)
    assert record.task_name == "tests.steps_in_one_transaction"
    assert record.kwargs == {"site_id": site.pk, "steps": 2, "step_seconds": 0, "tag": "t"}
    assert record.max_attempts == 2 and record.attempts == 0
    assert record.queued_at == record.created_at


def test_a_claim_starts_an_attempt_under_a_lease(site, now):
    claimed = claim(queue(site), at=now)
    assert claimed.state == TaskState.STARTED
    assert (claimed.attempts, claimed.worker) == (1, "w1")
    assert claimed.started_at == now
    assert claimed.lease_expires_at == now + LEASE


def test_a_second_message_under_a_live_lease_runs_nothing(site, now):
    record = queue(site)
    claim(record, at=now)
    assert claim(record, "w2", at=now + LEASE - timedelta(seconds=1)) is None
    record.refresh_from_db()
    assert (record.attempts, record.worker) == (1, "w1")


def test_a_message_after_the_lease_ran_out_takes_over_with_the_next_attempt(site, now):
    record = queue(site)
    claim(record, at=now)
    again = claim(record, "w2", at=now + LEASE + timedelta(seconds=1))
    assert (again.state, again.attempts, again.worker) == (TaskState.STARTED, 2, "w2")


def test_no_attempt_beyond_max_attempts(site, now):
    record = queue(site)  # max_attempts=2
    claim(record, at=now)
    claim(record, at=now + 2 * LEASE)
    assert claim(record, at=now + 4 * LEASE) is None
    record.refresh_from_db()
    assert (record.state, record.attempts) == (TaskState.STARTED, 2)


def test_a_finished_record_is_never_claimed_again(site, now):
    record = queue(site)
    claim(record, at=now)
    TaskRecord.objects.filter(pk=record.pk).update(state=TaskState.SUCCESS)
    assert claim(record, at=now + 10 * LEASE) is None


# --- Progress renews the lease --------------------------------------------------------------------


def test_a_progress_report_renews_the_lease(site, now):
    clock = Clock(now)
    progress = TaskProgress(claim(queue(site), at=now), lease=LEASE, clock=clock)
    clock.advance(seconds=20)
    progress.update(1, 4, "a quarter")
    record = TaskRecord.objects.get()
    assert (record.progress, record.message) == (25, "a quarter")
    assert record.lease_expires_at == now + timedelta(seconds=20) + LEASE


def test_reports_that_move_nothing_are_written_only_to_renew_the_lease(site, now):
    clock = Clock(now)
    progress = TaskProgress(claim(queue(site), at=now), lease=LEASE, clock=clock)
    progress.update(1, 4)
    clock.advance(seconds=1)
    progress.update(1, 4)
    progress.beat()
    assert TaskRecord.objects.get().lease_expires_at == now + LEASE  # nothing written

    clock.advance(seconds=LEASE.total_seconds() / 4)
    progress.beat()
    assert TaskRecord.objects.get().lease_expires_at == clock.now + LEASE


def test_a_run_that_lost_its_lease_is_stopped_at_its_next_report(site, now):
    record = queue(site)
    clock = Clock(now)
    slow = TaskProgress(claim(record, at=now), lease=LEASE, clock=clock)
    claim(record, "w2", at=now + LEASE + timedelta(seconds=1))  # taken over
    clock.advance(seconds=40)
    with pytest.raises(TaskLeaseLost):
        slow.update(3, 4, "late")
    record.refresh_from_db()
    assert (record.progress, record.message, record.worker) == (0, "", "w2")


def test_a_run_that_lost_its_lease_cannot_store_its_outcome(site, now):
    record = queue(site)
    first = claim(record, at=now)
    claim(record, "w2", at=now + LEASE + timedelta(seconds=1))
    stored = background._finish(first, attempt=1, state=TaskState.SUCCESS, result={"x": 1})
    record.refresh_from_db()
    assert stored is False
    assert (record.state, record.result, record.attempts) == (TaskState.STARTED, None, 2)


# --- Recovery -------------------------------------------------------------------------------------


def test_a_lost_run_is_queued_again_and_finishes_on_the_next_attempt(site, now, run_on_commit):
    record = queue(site)
    claim(record, "dead-worker", at=now - LONG_AGO, lease=TEST_LEASE)

    with run_on_commit():
        done = task_records_recover(now=now)

    assert done["requeue"] == [str(record.pk)]
    record.refresh_from_db()
    assert record.state == TaskState.SUCCESS
    assert record.attempts == 2 and record.worker == "in-process"
    assert record.result == {"steps": 2, "rows": 2}


def test_a_lost_run_with_no_attempts_left_fails_with_the_reason(site, now, run_on_commit):
    record = queue(site, steps_with_one_attempt)
    claim(record, "dead-worker", at=now - LONG_AGO, lease=TEST_LEASE)

    with run_on_commit():
        done = task_records_recover(now=now)

    assert done["fail"] == [str(record.pk)]
    record.refresh_from_db()
    assert record.state == TaskState.FAILURE
    assert record.error == "The worker running this task stopped responding (attempt 1 of 1)."
    assert record.finished_at == now and record.lease_expires_at is None


def messages(callbacks) -> list:
    """The task messages among the callbacks run on commit (the others renew data versions)."""
    return [c for c in callbacks if getattr(c, "func", None) is background._send]


def test_a_requeued_record_says_why_until_it_runs_again(
    site, now, django_capture_on_commit_callbacks
):
    record = queue(site)
    claim(record, "dead-worker", at=now - LONG_AGO)
    TaskRecord.objects.filter(pk=record.pk).update(progress=40, message="step 2 of 5")

    with django_capture_on_commit_callbacks() as sent:
        task_records_recover(now=now)

    record.refresh_from_db()
    assert (record.state, record.progress, record.worker) == (TaskState.PENDING, 0, "")
    assert record.message == (
        "The worker running this task stopped responding (attempt 1 of 2); queued again."
    )
    assert record.queued_at == now and len(messages(sent)) == 1


def test_a_run_with_a_live_lease_is_left_alone(site, now):
    record = queue(site)
    claim(record, at=now - timedelta(seconds=10))
    assert task_records_to_recover(now=now) == []
    assert task_records_recover(now=now) == {"requeue": [], "fail": [], "resend": []}
    record.refresh_from_db()
    assert (record.state, record.attempts) == (TaskState.STARTED, 1)


def test_a_queued_task_whose_message_was_lost_is_sent_again(site, now, run_on_commit):
    lost, recent = queue(site), queue(site)
    resend_after = timedelta(seconds=settings.TASK_RESEND_PENDING_AFTER)
    TaskRecord.objects.filter(pk=lost.pk).update(queued_at=now - resend_after - LONG_AGO)

    with run_on_commit():
        done = task_records_recover(now=now)

    assert done["resend"] == [str(lost.pk)]
    lost.refresh_from_db()
    recent.refresh_from_db()
    assert (lost.state, lost.attempts) == (TaskState.SUCCESS, 1)
    assert (recent.state, recent.attempts) == (TaskState.PENDING, 0)


def test_a_lost_run_whose_task_no_longer_exists_fails(site, now):
    record = TaskRecord.objects.create(
        site=site,
        name="Old job",
        task_name="removed.task",
        state=TaskState.STARTED,
        attempts=1,
        max_attempts=3,
        started_at=now - LONG_AGO,
        lease_expires_at=now - LONG_AGO,
    )
    task_records_recover(now=now)
    record.refresh_from_db()
    assert record.state == TaskState.FAILURE
    assert "removed.task" in record.error and "not installed" in record.error


def test_a_run_that_reports_while_recovery_looks_is_left_alone(site, now):
    record = queue(site)
    claim(record, at=now - LONG_AGO)
    [plan] = task_records_to_recover(now=now)
    TaskRecord.objects.filter(pk=record.pk).update(lease_expires_at=now + LEASE)  # it reported

    assert background._apply(plan, now=now) is False
    record.refresh_from_db()
    assert (record.state, record.attempts) == (TaskState.STARTED, 1)


def test_recovering_twice_queues_a_lost_run_once(site, now, django_capture_on_commit_callbacks):
    record = queue(site)
    claim(record, at=now - LONG_AGO)
    with django_capture_on_commit_callbacks() as sent:
        first = task_records_recover(now=now)
        second = task_records_recover(now=now + timedelta(seconds=1))
    assert first["requeue"] == [str(record.pk)] and second["requeue"] == []
    assert len(messages(sent)) == 1


def test_recover_tasks_dry_run_prints_the_plan_and_changes_nothing(site, now):
    record = queue(site)
    claim(record, at=now - LONG_AGO)
    out = StringIO()

    call_command("recover_tasks", "--dry-run", stdout=out)

    assert f"would requeue {record.pk}" in out.getvalue()
    assert "attempt 1 of 2" in out.getvalue() and "1 task(s) to recover." in out.getvalue()
    record.refresh_from_db()
    assert (record.state, record.attempts) == (TaskState.STARTED, 1)


def test_recover_tasks_command_recovers(site, now, run_on_commit):
    record = queue(site, steps_with_one_attempt)
    claim(record, at=now - LONG_AGO)
    out = StringIO()

    with run_on_commit():
        call_command("recover_tasks", stdout=out)

    assert f"fail {record.pk}" in out.getvalue()
    assert TaskRecord.objects.get(pk=record.pk).state == TaskState.FAILURE


def test_beat_runs_recovery_every_minute(site, now, run_on_commit):
    schedule = settings.CELERY_BEAT_SCHEDULE["core.recover_tasks"]
    assert (schedule["task"], schedule["schedule"]) == ("core.recover_tasks", 60.0)
    record = queue(site, steps_with_one_attempt)
    claim(record, at=now - LONG_AGO)

    with run_on_commit():
        counts = recover_tasks.apply().get()

    assert counts == {"requeue": 0, "fail": 1, "resend": 0}
