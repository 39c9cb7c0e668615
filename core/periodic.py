"""Periodic jobs: the one path for work that recurs per site (PM generation, maintenance).

An app registers a job from its ``AppConfig.ready()``::

    register_periodic(
        "maintenance.generate_pm", generate_pm, every=timedelta(hours=1), name=_("Generate PMs")
    )

where ``generate_pm`` is a ``tracked_task`` taking ``site_id``. Beat runs ``core.run_periodic``
every minute (embedded mode: ``manage.py run_periodic`` from cron), which queues each job that is
due for each site as a normal task with a ``TaskRecord``, so every run is visible, recoverable
and has a result.

A job is due for a site when its last run there was created ``every`` ago (less a little grace,
so that beat's jitter does not push a daily job a minute later each day) and has finished. Runs
are numbered per site and job; the number is unique, so two dispatchers that both saw run N as
the last one cannot both start run N+1 (a beat and a manual run, or two beats). The job itself
must still tolerate running late or after a failed run.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from core.background import queue_record
from core.models import Site, TaskRecord

# Beat fires every minute; a run created up to this much short of ``every`` ago is due, so the
# schedule does not drift by the dispatch delay on every run.
DISPATCH_GRACE = timedelta(seconds=30)
MIN_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class PeriodicJob:
    key: str
    task: Any  # a tracked task that takes ``site_id``
    every: timedelta
    name: str  # shown on the task record; may be a lazy translation


_jobs: dict[str, PeriodicJob] = {}


def register_periodic(key: str, task, *, every: timedelta, name: str) -> None:
    """Run ``task(site_id=...)`` for every site, ``every`` so often. Registering a key again
    replaces the job (``ready()`` may run more than once)."""
    if every < MIN_EVERY:
        raise ValueError(f"periodic job {key!r}: every must be at least {MIN_EVERY}")
    if not 0 < len(key) <= 100:
        raise ValueError(f"periodic job key {key!r}: 1 to 100 characters")
    _jobs[key] = PeriodicJob(key=key, task=task, every=every, name=name)


def unregister_periodic(key: str) -> None:
    _jobs.pop(key, None)


def periodic_jobs() -> list[PeriodicJob]:
    return sorted(_jobs.values(), key=lambda job: job.key)


def periodic_jobs_dispatch(*, now: datetime | None = None) -> list[TaskRecord]:
    """Queue every registered job that is due, for every site; the records created."""
    now = now or timezone.now()
    jobs = periodic_jobs()
    created = []
    for site in Site.objects.order_by("pk"):
        for job in jobs:
            record = periodic_job_dispatch(job=job, site=site, now=now)
            if record is not None:
                created.append(record)
    return created


def periodic_job_dispatch(*, job: PeriodicJob, site: Site, now: datetime) -> TaskRecord | None:
    """Queue the next run of ``job`` at ``site`` if it is due; None if not due or taken."""
    last = (
        TaskRecord.objects.filter(site=site, periodic_key=job.key).order_by("-periodic_seq").first()
    )
    if last is not None and not _due_after(last, job=job, now=now):
        return None
    seq = (last.periodic_seq if last is not None else 0) + 1
    try:
        with transaction.atomic():
            return queue_record(
                job.task,
                site=site,
                by=None,
                name=job.name,
                kwargs={"site_id": site.pk},
                now=now,
                periodic_key=job.key,
                periodic_seq=seq,
            )
    except IntegrityError:
        return None  # another dispatcher queued run ``seq`` first


def _due_after(last: TaskRecord, *, job: PeriodicJob, now: datetime) -> bool:
    return last.is_finished and now - last.created_at >= job.every - DISPATCH_GRACE
