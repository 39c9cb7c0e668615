"""``manage.py seed_demo``: the demo data `make run` prints, created only by this command."""

import io

import pytest
from django.core.management import call_command
from django.test import Client

from core.models import Location, Membership, Site, User
from tests.helpers import by_testid, text

DEMO = {
    "admin": ("Main Plant", "admin"),
    "manager": ("Main Plant", "manager"),
    "tech": ("Main Plant", "technician"),
    "manager2": ("North Plant", "manager"),
    "tech2": ("North Plant", "technician"),
}


@pytest.fixture
def seeded(db):
    call_command("seed_demo", stdout=io.StringIO())


def test_migrations_alone_create_no_demo_data(db):
    assert not User.objects.exists()
    assert not Site.objects.exists()


def test_seed_demo_creates_two_sites_with_location_trees(seeded):
    assert set(Site.objects.values_list("name", flat=True)) == {"Main Plant", "North Plant"}
    main = Location.objects.filter(site__name="Main Plant")
    assert main.filter(path="Building A > Machine Shop > Bin A-01").exists()
    assert Location.objects.filter(site__name="North Plant", depth=0).exists()


@pytest.mark.parametrize("username", sorted(DEMO))
def test_each_demo_user_logs_in_with_the_printed_password(seeded, username):
    client = Client()
    assert client.login(username=username, password="shopwright-demo")
    response = client.get("/")
    assert response.status_code == 200
    assert text(by_testid(response, "current-site")) == DEMO[username][0]


@pytest.mark.parametrize("username", sorted(DEMO))
def test_each_demo_user_has_exactly_the_documented_membership(seeded, username):
    memberships = Membership.objects.filter(user__username=username).select_related("site")
    assert [(m.site.name, m.role) for m in memberships] == [DEMO[username]]


def test_seed_demo_is_idempotent(seeded):
    counts = (User.objects.count(), Site.objects.count(), Location.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (User.objects.count(), Site.objects.count(), Location.objects.count()) == counts
