"""Background work with a record the API and pages can poll, that survives a dying worker.

``enqueue`` writes a ``TaskRecord`` (with the task's name and arguments, so it can be sent again)
and queues the Celery task once the surrounding transaction commits; ``tracked_task`` wraps a
function so that the record follows it (started, progress, finished or failed) whether it runs
in-process (embedded mode) or on a separate worker.

Leases: the run that claims a record holds it for the task's ``lease``, and every progress report
renews it. A record is claimed by exactly one run at a time: a message for a record that is
running under a live lease, or has finished, runs nothing (at-most-once per attempt). A run that
stops reporting for a whole lease is taken for lost: ``task_records_recover`` (beat, every
minute) queues it again while attempts are left, or marks it failed with the reason. A run that
was only slow and comes back after losing its lease finds its record taken and stops
(``TaskLeaseLost``): each write checks the attempt number it claimed.
"""

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from celery import current_app, shared_task
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import Site, TaskRecord, TaskState, User
from core.versions import data_changed

logger = logging.getLogger(__name__)

# The data version (``core.versions``) of a site's task records: it changes when a record is
# created or changes state, which is all the task list's filters and count depend on.
TASKS_DATA = "tasks"

DEFAULT_LEASE = timedelta(minutes=5)
DEFAULT_MAX_ATTEMPTS = 3
# A report whose percent did not move is written at most this often (a new message or a lease
# renewal); a moved percent is always written.
MIN_WRITE_INTERVAL = timedelta(seconds=1)
MAX_RENEW_INTERVAL = timedelta(seconds=30)


class TaskLeaseLost(Exception):
    """This run no longer owns its record: its lease ran out and the record was queued again,
    claimed by another run or marked failed. The run must stop; its work is someone else's now."""


class TaskProgress:
    """Handed to a tracked task to report how far it is; each report also renews the lease.

    Reports are written on their own connection (``settings.TASK_STATE_DATABASE``) when the task
    is inside a transaction of its own: written on the task's connection they would only become
    visible (to the progress bar and to recovery) when that transaction commits.
    """

    def __init__(self, record: TaskRecord, *, lease: timedelta, clock: Callable = timezone.now):
        self.record = record
        self.attempt = record.attempts
        self.lease = lease
        self._clock = clock
        self._renew_every = max(min(lease / 4, MAX_RENEW_INTERVAL), timedelta(seconds=0.5))
        self._last_percent = record.progress
        self._last_message = record.message
        self._last_write = clock()
        # A task started inside someone else's transaction (an eager run inside a request or a
        # test) has an uncommitted claim that no other connection can see or update.
        self._outer_atomic = connections[DEFAULT_DB_ALIAS].in_atomic_block

    def update(self, done: int, total: int, message: str = "") -> None:
        percent = 100 if total <= 0 else max(0, min(100, int(done * 100 / total)))
        message = message[:500]
        since = self._clock() - self._last_write
        moved = percent != self._last_percent
        new_message = bool(message) and message != self._last_message
        if moved or since >= self._renew_every or (new_message and since >= MIN_WRITE_INTERVAL):
            fields: dict[str, Any] = {"progress": percent}
            if message:
                fields["message"] = message
            self._write(fields)

    def beat(self) -> None:
        """Renew the lease without reporting anything: for long steps that have no count."""
        if self._clock() - self._last_write >= self._renew_every:
            self._write({})

    def _write(self, fields: dict[str, Any]) -> None:
        now = self._clock()
        updated = (
            TaskRecord.objects.using(self._alias())
            .filter(pk=self.record.pk, state=TaskState.STARTED, attempts=self.attempt)
            .update(lease_expires_at=now + self.lease, **fields)
        )
        if not updated:
            raise TaskLeaseLost(f"task {self.record.pk}: attempt {self.attempt} lost its lease")
        self._last_write = now
        self._last_percent = fields.get("progress", self._last_percent)
        self._last_message = fields.get("message", self._last_message)

    def _alias(self) -> str:
        if self._outer_atomic or not connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return getattr(settings, "TASK_STATE_DATABASE", DEFAULT_DB_ALIAS)


# --- Queueing -------------------------------------------------------------------------------------


def enqueue(
    task,
    *,
    site: Site,
    by: User | None,
    name: str = "",
    target: models.Model | None = None,
    **kwargs,
) -> TaskRecord:
    """Record a task and queue it after commit; the record's id is also the Celery task id.

    ``target`` is the object the task works on: its page finds the running task through
    ``core.selectors.active_tasks_for(obj)``.
    """
    return queue_record(task, site=site, by=by, name=name, target=target, kwargs=kwargs)


def queue_record(
    task,
    *,
    site: Site,
    by: User | None,
    name: str,
    kwargs: dict[str, Any],
    target: models.Model | None = None,
    now: datetime | None = None,
    **fields: Any,
) -> TaskRecord:
    """``enqueue`` with extra record fields (``periodic_key``/``periodic_seq``) and a set clock."""
    now = now or timezone.now()
    if target is not None:
        fields.update(
            target_type=ContentType.objects.get_for_model(target),
            target_id=str(target.pk),
            target_label=str(target)[:200],
        )
    record = TaskRecord.objects.create(
        site=site,
        created_by=by,
        name=str(name or task.name)[:200],
        task_name=task.name,
        kwargs=kwargs,
        max_attempts=getattr(task, "record_max_attempts", 1),
        created_at=now,
        queued_at=now,
        **fields,
    )
    data_changed(site.pk, TASKS_DATA)
    transaction.on_commit(functools.partial(_send, task, record))
    return record


def _send(task, record: TaskRecord) -> None:
    task.apply_async(kwargs={"record_id": str(record.pk), **record.kwargs}, task_id=str(record.pk))


def _task_named(name: str):
    """The registered Celery task called ``name``, or None (a task removed since it was queued)."""
    if not name:
        return None
    app = current_app
    if name not in app.tasks:
        app.loader.import_default_modules()  # a web process has not imported every tasks module
    return app.tasks.get(name)


# --- Claiming and finishing ----------------------------------------------------------------------


def _claimable(now: datetime) -> Q:
    expired = Q(state=TaskState.STARTED, lease_expires_at__lt=now)
    return Q(state=TaskState.PENDING) | (expired & Q(attempts__lt=F("max_attempts")))


def task_record_claim(
    *, record_id: str, worker: str, lease: timedelta, now: datetime | None = None
) -> TaskRecord | None:
    """Start an attempt: PENDING, or STARTED with a lease run out and attempts left, becomes
    STARTED under a new lease. None when the record is running under a live lease, out of
    attempts or finished: that message must run nothing."""
    now = now or timezone.now()
    claimed = TaskRecord.objects.filter(_claimable(now), pk=record_id).update(
        state=TaskState.STARTED,
        started_at=now,
        lease_expires_at=now + lease,
        worker=worker[:200],
        attempts=F("attempts") + 1,
    )
    if not claimed:
        return None
    record = TaskRecord.objects.get(pk=record_id)
    data_changed(record.site_id, TASKS_DATA)
    return record


def _finish(
    record: TaskRecord, *, attempt: int, state: str, result: Any = None, error: str = ""
) -> bool:
    """Store the outcome of this attempt; False when the record was meanwhile taken from it."""
    fields: dict[str, Any] = {
        "state": state,
        "finished_at": timezone.now(),
        "error": error,
        "lease_expires_at": None,
    }
    if state == TaskState.SUCCESS:
        fields.update(progress=100, result=result)
    mine = TaskRecord.objects.filter(pk=record.pk, state=TaskState.STARTED, attempts=attempt)
    if mine.update(**fields) != 1:
        return False
    data_changed(record.site_id, TASKS_DATA)
    return True


def _run_tracked(fn: Callable, *, name: str, record_id: str, worker: str, lease, kwargs) -> Any:
    record = task_record_claim(record_id=record_id, worker=worker, lease=lease)
    if record is None:
        logger.info("task %s already claimed; not running it again", record_id)
        return None
    # No transaction around the whole task: its services take their own atomic blocks, and
    # progress reports leave such a block through their own connection (see TaskProgress).
    progress = TaskProgress(record, lease=lease)
    try:
        result = fn(progress, **kwargs)
    except TaskLeaseLost:
        logger.warning("task %s (%s) lost its lease and stopped", name, record_id)
        return None
    except Exception as exc:
        logger.exception("task %s (%s) failed", name, record_id)
        error = str(exc) or type(exc).__name__
        _finish(record, attempt=progress.attempt, state=TaskState.FAILURE, error=error)
        raise
    if not _finish(record, attempt=progress.attempt, state=TaskState.SUCCESS, result=result):
        logger.warning("task %s (%s) finished after losing its lease", name, record_id)
        return None
    return result


def tracked_task(
    name: str,
    *,
    lease: timedelta = DEFAULT_LEASE,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    **celery_options,
) -> Callable:
    """Make ``fn(progress, **kwargs) -> json`` a Celery task that keeps its TaskRecord current.

    ``lease``: how long the task may go without reporting (``progress.update``/``beat``) before
    it is taken for lost. ``max_attempts``: how many runs a record gets when workers die; a task
    with more than one must be safe to run again after an interrupted run (do the work in
    transactions, and skip what an earlier attempt committed).
    """

    def decorator(fn: Callable) -> Any:
        @shared_task(
            name=name,
            bind=True,
            record_lease=lease,
            record_max_attempts=max_attempts,
            **celery_options,
        )
        @functools.wraps(fn)
        def run(self, record_id: str, **kwargs):
            eager = self.request.is_eager or not self.request.hostname
            worker = "in-process" if eager else self.request.hostname
            return _run_tracked(
                fn, name=name, record_id=record_id, worker=worker, lease=lease, kwargs=kwargs
            )

        return run

    return decorator


# --- Recovery -------------------------------------------------------------------------------------

REQUEUE, FAIL, RESEND = "requeue", "fail", "resend"


@dataclass(frozen=True)
class Recovery:
    """What recovery will do with one record, and why (shown by ``recover_tasks --dry-run``)."""

    record: TaskRecord
    action: str  # REQUEUE, FAIL or RESEND
    reason: str


def _lost_runs(now: datetime) -> Q:
    # Records claimed before leases existed have none; they count from their start.
    no_lease = Q(lease_expires_at__isnull=True, started_at__lt=now - DEFAULT_LEASE)
    return Q(state=TaskState.STARTED) & (Q(lease_expires_at__lt=now) | no_lease)


def _lost_messages(now: datetime) -> Q:
    cutoff = now - timedelta(seconds=settings.TASK_RESEND_PENDING_AFTER)
    never_sent = Q(queued_at__isnull=True, created_at__lt=cutoff)
    return Q(state=TaskState.PENDING) & (Q(queued_at__lt=cutoff) | never_sent)


def task_records_to_recover(*, now: datetime | None = None) -> list[Recovery]:
    """The records recovery would act on now: lost runs, and queued tasks whose message was
    evidently lost (sent ``TASK_RESEND_PENDING_AFTER`` seconds ago and never picked up)."""
    now = now or timezone.now()
    plan = []
    for record in TaskRecord.objects.filter(_lost_runs(now) | _lost_messages(now)).order_by(
        "created_at"
    ):
        plan.append(_recovery_for(record))
    return plan


def _recovery_for(record: TaskRecord) -> Recovery:
    counts = {"n": record.attempts, "max": record.max_attempts}
    if _task_named(record.task_name) is None:
        reason = _("This task cannot be run again: its code (“%(task)s”) is not installed.")
        return Recovery(record, FAIL, reason % {"task": record.task_name or record.name})
    if record.state == TaskState.PENDING:
        return Recovery(record, RESEND, _("Its message was never picked up; sent again."))
    if record.attempts < record.max_attempts:
        reason = _(
            "The worker running this task stopped responding (attempt %(n)s of %(max)s); "
            "queued again."
        )
        return Recovery(record, REQUEUE, reason % counts)
    reason = _("The worker running this task stopped responding (attempt %(n)s of %(max)s).")
    return Recovery(record, FAIL, reason % counts)


def task_records_recover(*, now: datetime | None = None) -> dict[str, list[str]]:
    """Queue lost runs again (or fail them when out of attempts) and re-send lost messages.

    Each change is a conditional update of the state recovery saw, so a run that reported
    meanwhile, or a second recovery running at the same time, is left alone. Messages are sent
    after commit with the record's id as task id; at most one of any duplicates runs.
    """
    now = now or timezone.now()
    done: dict[str, list[str]] = {REQUEUE: [], FAIL: [], RESEND: []}
    for recovery in task_records_to_recover(now=now):
        if _apply(recovery, now=now):
            done[recovery.action].append(str(recovery.record.pk))
    if any(done.values()):
        logger.warning("task recovery: %s", {k: len(v) for k, v in done.items()})
    return done


@transaction.atomic
def _apply(recovery: Recovery, *, now: datetime) -> bool:
    record, action = recovery.record, recovery.action
    seen = TaskRecord.objects.filter(
        pk=record.pk,
        state=record.state,
        attempts=record.attempts,
        lease_expires_at=record.lease_expires_at,
        queued_at=record.queued_at,
    )
    if action == FAIL:
        fields = {"state": TaskState.FAILURE, "finished_at": now, "error": recovery.reason}
        if seen.update(lease_expires_at=None, **fields) != 1:
            return False
        data_changed(record.site_id, TASKS_DATA)
        return True
    fields = {"state": TaskState.PENDING, "queued_at": now, "lease_expires_at": None}
    if action == REQUEUE:
        fields.update(worker="", progress=0, message=recovery.reason[:500])
    if seen.update(**fields) != 1:
        return False
    data_changed(record.site_id, TASKS_DATA)
    record.refresh_from_db()
    transaction.on_commit(functools.partial(_send, _task_named(record.task_name), record))
    return True
