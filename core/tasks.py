"""Core background tasks: thin wrappers that load by id and call a service."""

from core.background import tracked_task
from core.models import Site
from core.services import location_paths_rebuild


@tracked_task("core.rebuild_location_paths")
def rebuild_location_paths(progress, *, site_id: int) -> dict:
    return location_paths_rebuild(site=Site.objects.get(pk=site_id), progress=progress)
