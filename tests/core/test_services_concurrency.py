"""Rules that must hold when two requests race (PostgreSQL row locks; SQLite has one writer).

Each test holds one write open in this thread, starts the competing write in another thread,
watches from a third connection until PostgreSQL shows it waiting for this thread's lock (the
site row for the location tree, the site's admin memberships for roles), then commits and checks
that the competitor decided on the committed state. See ``tests.helpers.race``.
"""

import pytest

from core.errors import ServiceError
from core.models import Location, Membership, Role
from core.services import location_create, location_update, member_set_role
from tests.factories import MembershipFactory
from tests.helpers import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_admins_cannot_demote_each_other_at_once(site):
    first, second = (MembershipFactory(site=site, role=Role.ADMIN) for _ in range(2))
    competitor = race(
        lambda: member_set_role(membership=first, by=first.user, role=Role.MANAGER),
        lambda: member_set_role(membership=second, by=second.user, role=Role.MANAGER),
    )
    assert isinstance(competitor.error, ServiceError)  # it saw the first demotion committed
    assert "role" in competitor.error.errors
    assert Membership.objects.get(pk=first.pk).role == Role.MANAGER
    assert Membership.objects.get(pk=second.pk).role == Role.ADMIN


def test_a_create_waiting_on_a_rename_builds_its_path_from_the_new_name(site, manager_user):
    hall = location_create(site=site, by=manager_user, name="Hall")
    held = Location.objects.get(pk=hall.pk)  # the competitor's copy, loaded before the rename
    competitor = race(
        lambda: location_update(location=hall, by=manager_user, name="Hangar"),
        lambda: location_create(site=site, by=manager_user, name="Bay", parent=held),
    )
    assert competitor.error is None, competitor.error
    assert competitor.result.path == "Hangar > Bay"  # not "Hall > Bay": it read after the commit
    assert Location.objects.get(pk=competitor.result.pk).path == "Hangar > Bay"


def test_two_requests_cannot_add_the_same_top_level_name(site, manager_user):
    competitor = race(
        lambda: location_create(site=site, by=manager_user, name="Hall"),
        lambda: location_create(site=site, by=manager_user, name="HALL"),
    )
    assert isinstance(competitor.error, ServiceError)  # it saw "Hall", committed meanwhile
    assert "name" in competitor.error.errors
    assert list(Location.objects.for_site(site).values_list("name", flat=True)) == ["Hall"]


def test_two_requests_cannot_add_the_same_name_under_one_parent(site, manager_user):
    hall = location_create(site=site, by=manager_user, name="Hall")
    competitor = race(
        lambda: location_create(site=site, by=manager_user, name="Bay", parent=hall),
        lambda: location_create(site=site, by=manager_user, name="bay", parent=hall),
    )
    assert isinstance(competitor.error, ServiceError)
    assert "name" in competitor.error.errors
    assert list(Location.objects.filter(parent=hall).values_list("name", flat=True)) == ["Bay"]
