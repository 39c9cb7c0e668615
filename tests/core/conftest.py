"""Fixtures for core's API and service tests: a small location tree per site, eager tasks."""

from types import SimpleNamespace

import pytest

from config.celery import app as celery_app
from core.models import Location
from tests.factories import LocationFactory


@pytest.fixture
def tree(site):
    """``Building A > Room 1 > Bin 1`` and ``Building B`` at ``site``."""
    building = LocationFactory(site=site, name="Building A")
    room = LocationFactory(site=site, name="Room 1", parent=building)
    bin_ = LocationFactory(site=site, name="Bin 1", parent=room)
    other_building = LocationFactory(site=site, name="Building B")
    return SimpleNamespace(building=building, room=room, bin=bin_, other_building=other_building)


@pytest.fixture
def eager_tasks(monkeypatch):
    """Run queued Celery tasks in-process, also when the run is configured with a broker."""
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)


def _location_rows(site) -> list[tuple]:
    return list(
        Location.objects.for_site(site)
        .order_by("pk")
        .values_list("pk", "name", "parent_id", "path", "lineage", "depth", "description")
    )


@pytest.fixture
def location_rows():
    """``location_rows(site)``: all its locations as tuples, to show a refusal changed nothing."""
    return _location_rows
