"""List endpoints run a fixed number of queries, however many rows they return."""

from core.models import Role, TaskRecord
from tests.factories import LocationFactory, MembershipFactory


def add_locations(site, count: int) -> None:
    for _ in range(count):
        parent = LocationFactory(site=site)
        LocationFactory(site=site, parent=parent)


def queries_for(api, url, query_count) -> int:
    def fetch():
        response = api.get(url)
        assert response.status_code == 200

    return query_count(fetch)


def test_location_list_queries_do_not_grow_with_rows(tech_api, site, query_count):
    add_locations(site, 5)
    tech_api.get("/api/locations/")  # warm up: the token's last-used time is written once
    at_n = queries_for(tech_api, "/api/locations/", query_count)
    add_locations(site, 5)
    assert queries_for(tech_api, "/api/locations/", query_count) == at_n


def test_member_list_queries_do_not_grow_with_rows(tech_api, site, query_count):
    for _ in range(5):
        MembershipFactory(site=site, role=Role.MANAGER)
    tech_api.get("/api/users/")
    at_n = queries_for(tech_api, "/api/users/", query_count)
    for _ in range(5):
        MembershipFactory(site=site, role=Role.TECHNICIAN)
    assert queries_for(tech_api, "/api/users/", query_count) == at_n


def test_site_and_task_list_queries_do_not_grow_with_rows(admin_api, admin_user, site, query_count):
    for _ in range(3):
        TaskRecord.objects.create(site=site, name="t", created_by=admin_user)
        MembershipFactory(user=admin_user, role=Role.ADMIN)
    admin_api.get("/api/sites/")
    sites_at_n = queries_for(admin_api, "/api/sites/", query_count)
    tasks_at_n = queries_for(admin_api, "/api/tasks/", query_count)
    for _ in range(3):
        TaskRecord.objects.create(site=site, name="t", created_by=admin_user)
        MembershipFactory(user=admin_user, role=Role.ADMIN)
    assert queries_for(admin_api, "/api/sites/", query_count) == sites_at_n
    assert queries_for(admin_api, "/api/tasks/", query_count) == tasks_at_n
