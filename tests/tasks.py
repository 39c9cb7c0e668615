"""Background tasks that exist only for the tests.

The worker started by ``tests/conftest.py`` imports this module through ``CELERY_IMPORTS``
(tests/settings.py), so the same tasks run in-process and on a real worker. Importing it also
registers the ``tests.ping`` periodic job.
"""

import time
from datetime import timedelta

from django.db import transaction

from core.background import tracked_task
from core.models import Location, Site
from core.periodic import register_periodic

# Short leases: a test waits out the lease of a killed worker in seconds, not minutes.
TEST_LEASE = timedelta(seconds=3)


def _steps(progress, *, site_id: int, steps: int, step_seconds: float, tag: str) -> dict:
    """Write one location per step inside ONE transaction, reporting progress after each step.

    Nothing it writes is visible before it returns; a run killed half-way leaves no rows, so
    ``rows == steps`` after a second attempt shows the first one was rolled back whole.
    """
    site = Site.objects.get(pk=site_id)
    with transaction.atomic():
        for step in range(1, steps + 1):
            name = f"{tag} {step}"
            Location.objects.create(site=site, name=name, path=name, lineage="/", depth=0)
            time.sleep(step_seconds)
            progress.update(step, steps, f"step {step} of {steps}")
        rows = Location.objects.filter(site=site, name__startswith=f"{tag} ").count()
    return {"steps": steps, "rows": rows}


steps_in_one_transaction = tracked_task(
    "tests.steps_in_one_transaction", lease=TEST_LEASE, max_attempts=2
)(_steps)
steps_with_one_attempt = tracked_task(
    "tests.steps_with_one_attempt", lease=TEST_LEASE, max_attempts=1
)(_steps)


@tracked_task("tests.periodic_ping", lease=TEST_LEASE)
def periodic_ping(progress, *, site_id: int) -> dict:
    """A periodic job that only says which site it ran for."""
    progress.update(1, 1, "pong")
    return {"site_id": site_id}


PING_KEY = "tests.ping"
register_periodic(PING_KEY, periodic_ping, every=timedelta(hours=1), name="Test ping")
