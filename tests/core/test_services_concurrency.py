"""Rules that must hold when two requests race (PostgreSQL row locks; SQLite has one writer).

Each test holds one write open in this thread, starts the competing write in another thread,
shows that it waits for the lock, then commits and checks the competitor saw the committed state.
"""

import threading

import pytest
from django.db import connection, transaction

from core.errors import ServiceError
from core.models import Location, Membership, Role
from core.services import location_create, member_set_role
from tests.factories import MembershipFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


class Competitor(threading.Thread):
    """Runs ``fn`` in its own thread and database connection; keeps its result or error."""

    def __init__(self, fn):
        super().__init__(daemon=True)
        self.fn, self.result, self.error = fn, None, None

    def run(self):
        try:
            self.result = self.fn()
        except Exception as exc:
            self.error = exc
        finally:
            connection.close()


def race(first, second) -> Competitor:
    """Run ``first`` in an open transaction, ``second`` meanwhile; commit ``first``; return it."""
    with transaction.atomic():
        first()
        competitor = Competitor(second)
        competitor.start()
        competitor.join(timeout=1.0)
        assert competitor.is_alive(), "the competing write did not wait for the lock"
    competitor.join(timeout=20)
    assert not competitor.is_alive()
    return competitor


def test_two_admins_cannot_demote_each_other_at_once(site):
    first, second = (MembershipFactory(site=site, role=Role.ADMIN) for _ in range(2))
    competitor = race(
        lambda: member_set_role(membership=first, by=first.user, role=Role.MANAGER),
        lambda: member_set_role(membership=second, by=second.user, role=Role.MANAGER),
    )
    assert isinstance(competitor.error, ServiceError)
    assert Membership.objects.filter(site=site, role=Role.ADMIN).count() == 1


def test_two_requests_cannot_add_the_same_top_level_name(site, manager_user):
    competitor = race(
        lambda: location_create(site=site, by=manager_user, name="Hall"),
        lambda: location_create(site=site, by=manager_user, name="HALL"),
    )
    assert isinstance(competitor.error, ServiceError)
    assert Location.objects.for_site(site).count() == 1


def test_two_requests_cannot_add_the_same_name_under_one_parent(site, manager_user):
    hall = location_create(site=site, by=manager_user, name="Hall")
    competitor = race(
        lambda: location_create(site=site, by=manager_user, name="Bay", parent=hall),
        lambda: location_create(site=site, by=manager_user, name="bay", parent=hall),
    )
    assert isinstance(competitor.error, ServiceError)
    assert Location.objects.filter(parent=hall).count() == 1
