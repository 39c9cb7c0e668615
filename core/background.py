"""Background work with a record the API and pages can poll.

``enqueue`` writes a ``TaskRecord`` and queues the Celery task once the surrounding transaction
commits; ``tracked_task`` wraps a function so that the record follows it (started, progress,
finished or failed) whether it runs in-process (embedded mode) or on a separate worker.
"""

import functools
import logging
from collections.abc import Callable
from typing import Any

from celery import shared_task
from django.db.models import F
from django.utils import timezone

from core.models import Site, TaskRecord, TaskState, User

logger = logging.getLogger(__name__)


class TaskProgress:
    """Handed to a tracked task to report how far it is; writes only when the percent moves."""

    def __init__(self, record: TaskRecord):
        self.record = record
        self._last_percent = record.progress

    def update(self, done: int, total: int, message: str = "") -> None:
        percent = 100 if total <= 0 else max(0, min(100, int(done * 100 / total)))
        if percent == self._last_percent and not message:
            return
        self._last_percent = percent
        fields: dict[str, Any] = {"progress": percent}
        if message:
            fields["message"] = message[:500]
        TaskRecord.objects.filter(pk=self.record.pk).update(**fields)


def enqueue(task, *, site: Site, by: User | None, name: str = "", **kwargs) -> TaskRecord:
    """Record a task and queue it after commit; the record's id is also the Celery task id."""
    record = TaskRecord.objects.create(site=site, created_by=by, name=name or task.name)
    task.apply_async_on_commit(
        kwargs={"record_id": str(record.pk), **kwargs}, task_id=str(record.pk)
    )
    return record


def _claim(record_id: str, worker: str) -> TaskRecord | None:
    """Move the record from PENDING to STARTED; None if someone already ran it (at-most-once)."""
    claimed = TaskRecord.objects.filter(pk=record_id, state=TaskState.PENDING).update(
        state=TaskState.STARTED,
        started_at=timezone.now(),
        worker=worker[:200],
        attempts=F("attempts") + 1,
    )
    return TaskRecord.objects.get(pk=record_id) if claimed else None


def _finish(record: TaskRecord, *, state: str, result: Any = None, error: str = "") -> None:
    fields: dict[str, Any] = {"state": state, "finished_at": timezone.now(), "error": error}
    if state == TaskState.SUCCESS:
        fields.update(progress=100, result=result)
    TaskRecord.objects.filter(pk=record.pk).update(**fields)


def tracked_task(name: str, **celery_options) -> Callable:
    """Make ``fn(progress, **kwargs) -> json`` a Celery task that keeps its TaskRecord current."""

    def decorator(fn: Callable) -> Any:
        @shared_task(name=name, bind=True, **celery_options)
        @functools.wraps(fn)
        def run(self, record_id: str, **kwargs):
            worker = self.request.hostname or "in-process"
            record = _claim(record_id, worker)
            if record is None:
                logger.info("task %s already claimed; not running it again", record_id)
                return None
            # No transaction around the whole task: progress must be visible while it runs, so
            # the services it calls take their own atomic blocks.
            try:
                result = fn(TaskProgress(record), **kwargs)
            except Exception as exc:
                logger.exception("task %s (%s) failed", name, record_id)
                _finish(record, state=TaskState.FAILURE, error=str(exc) or type(exc).__name__)
                raise
            _finish(record, state=TaskState.SUCCESS, result=result)
            return result

        return run

    return decorator
