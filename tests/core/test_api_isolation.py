"""A user never sees, counts or changes another site's data: 404, never 403, for its objects.

``other_site_api`` is an admin of ``other_site`` only, so a refusal cannot be a role refusal.
"""

from core.models import Location, Membership, Role, Site, TaskRecord, TaskState
from tests.factories import LocationFactory
from tests.helpers import assert_site_isolated


def test_a_location_of_another_site_is_invisible_and_untouchable(
    other_site_api, tree, location_rows, site
):
    before = location_rows(site)
    assert_site_isolated(
        other_site_api,
        detail_url=f"/api/locations/{tree.room.pk}/",
        list_url="/api/locations/",
        obj_id=tree.room.pk,
    )
    assert location_rows(site) == before


def test_a_real_edit_of_another_sites_location_is_404_and_changes_nothing(
    other_site_api, tree, location_rows, site
):
    before = location_rows(site)
    url = f"/api/locations/{tree.room.pk}/"
    assert other_site_api.patch(url, {"name": "Taken"}).status_code == 404
    assert other_site_api.put(url, {"name": "Taken", "parent": None}).status_code == 404
    assert other_site_api.delete(f"/api/locations/{tree.bin.pk}/").status_code == 404
    assert location_rows(site) == before


def test_location_counts_never_include_another_sites_rows(other_site_api, tree, other_site):
    LocationFactory(site=other_site, name="Theirs")
    body = other_site_api.get("/api/locations/").json()
    assert body["count"] == 1
    assert [row["name"] for row in body["results"]] == ["Theirs"]


def test_a_member_of_another_site_is_invisible_and_untouchable(
    other_site_api, tech_user, admin_user
):
    assert_site_isolated(
        other_site_api,
        detail_url=f"/api/users/{tech_user.pk}/",
        list_url="/api/users/",
        obj_id=tech_user.pk,
        methods=("get", "patch", "delete"),
    )
    response = other_site_api.patch(f"/api/users/{tech_user.pk}/", {"role": "admin"})
    assert response.status_code == 404
    assert Membership.objects.get(user=tech_user).role == Role.TECHNICIAN


def test_member_counts_never_include_another_sites_members(other_site_api, tech_user, manager_user):
    body = other_site_api.get("/api/users/").json()
    assert body["count"] == 1
    assert [row["username"] for row in body["results"]] == ["other-admin"]


def test_a_task_of_another_site_is_invisible(other_site_api, site, admin_user):
    record = TaskRecord.objects.create(site=site, name="Rebuild", created_by=admin_user)
    assert_site_isolated(
        other_site_api,
        detail_url=f"/api/tasks/{record.pk}/",
        list_url="/api/tasks/",
        obj_id=str(record.pk),
        methods=("get",),
    )
    assert other_site_api.get("/api/tasks/").json()["count"] == 0


def test_a_site_the_user_is_not_in_is_404(other_site_api, site):
    assert other_site_api.get(f"/api/sites/{site.pk}/").status_code == 404
    assert other_site_api.patch(f"/api/sites/{site.pk}/", {"name": "Mine"}).status_code == 404
    assert Site.objects.get(pk=site.pk).name == "Main Plant"


def test_the_site_list_shows_only_the_users_sites_with_their_role(other_site_api, site, other_site):
    body = other_site_api.get("/api/sites/").json()
    assert body["count"] == 1
    assert body["results"][0]["id"] == other_site.pk
    assert body["results"][0]["role"] == "admin"


def test_rebuilding_paths_touches_only_the_callers_site(
    other_site_api, tree, site, other_site, django_capture_on_commit_callbacks, eager_tasks
):
    Location.objects.filter(pk=tree.room.pk).update(path="Broken")
    with django_capture_on_commit_callbacks(execute=True):
        response = other_site_api.post("/api/locations/rebuild-paths/")
    assert response.status_code == 202
    task = TaskRecord.objects.get(pk=response.json()["id"])
    assert (task.site, task.state) == (other_site, TaskState.SUCCESS)
    assert task.result == {"locations": 0, "repaired": 0}
    assert Location.objects.get(pk=tree.room.pk).path == "Broken"
