"""List endpoints run a fixed number of queries, however many rows they return."""

from core.models import Role, TaskRecord
from tests.factories import LocationFactory, MembershipFactory
from tests.helpers import queries_for


def add_locations(site, count: int) -> None:
    for _ in range(count):
        parent = LocationFactory(site=site)
        LocationFactory(site=site, parent=parent)


def test_location_list_queries_do_not_grow_with_rows(tech_api, site):
    add_locations(site, 5)
    tech_api.get("/api/locations/")  # warm up: the token's last-used time is written once
    at_n = queries_for(tech_api, "/api/locations/")
    add_locations(site, 5)
    assert queries_for(tech_api, "/api/locations/") == at_n


def test_member_list_queries_do_not_grow_with_rows(tech_api, site):
    for _ in range(5):
        MembershipFactory(site=site, role=Role.MANAGER)
    tech_api.get("/api/users/")
    at_n = queries_for(tech_api, "/api/users/")
    for _ in range(5):
        MembershipFactory(site=site, role=Role.TECHNICIAN)
    assert queries_for(tech_api, "/api/users/") == at_n


def test_site_and_task_list_queries_do_not_grow_with_rows(admin_api, admin_user, site):
    for _ in range(3):
        TaskRecord.objects.create(site=site, name="t", created_by=admin_user)
        MembershipFactory(user=admin_user, role=Role.ADMIN)
    admin_api.get("/api/sites/")
    sites_at_n = queries_for(admin_api, "/api/sites/")
    tasks_at_n = queries_for(admin_api, "/api/tasks/")
    for _ in range(3):
        TaskRecord.objects.create(site=site, name="t", created_by=admin_user)
        MembershipFactory(user=admin_user, role=Role.ADMIN)
    assert queries_for(admin_api, "/api/sites/") == sites_at_n
    assert queries_for(admin_api, "/api/tasks/") == tasks_at_n
