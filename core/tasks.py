"""Core background tasks: thin wrappers that load by id and call a service."""

from celery import shared_task

from core.background import task_records_recover, tracked_task
from core.models import Site, User
from core.periodic import periodic_jobs_dispatch
from core.services import location_paths_rebuild


@tracked_task("core.rebuild_location_paths")
def rebuild_location_paths(progress, *, site_id: int, user_id: int) -> dict:
    return location_paths_rebuild(
        site=Site.objects.get(pk=site_id), by=User.objects.get(pk=user_id), progress=progress
    )


@shared_task(name="core.recover_tasks")
def recover_tasks() -> dict:
    """Beat, every minute: queue again (or fail) tasks whose worker died; re-send lost messages."""
    return {action: len(ids) for action, ids in task_records_recover().items()}


@shared_task(name="core.run_periodic")
def run_periodic() -> int:
    """Beat, every minute: queue the periodic jobs that are due, per site (``core.periodic``)."""
    return len(periodic_jobs_dispatch())
