"""Roles in the API: technicians read, managers write locations, admins run sites and members."""

import pytest

from core.models import Location, Membership, Role, Site, TaskRecord, TaskState, User
from tests.factories import MembershipFactory
from tests.helpers import assert_needs_role

# --- Locations ------------------------------------------------------------------------------------


def test_technicians_read_locations(tech_api, tree):
    assert tech_api.get("/api/locations/").json()["count"] == 4
    room = tech_api.get(f"/api/locations/{tree.room.pk}/")
    assert room.status_code == 200
    assert (room.json()["id"], room.json()["path"]) == (tree.room.pk, "Building A > Room 1")


def test_technicians_cannot_write_locations_and_nothing_changes(
    tech_api, tree, site, location_rows
):
    before = location_rows(site)
    assert_needs_role(tech_api, "post", "/api/locations/", {"name": "New"})
    assert_needs_role(tech_api, "put", f"/api/locations/{tree.room.pk}/", {"name": "R"})
    assert_needs_role(tech_api, "patch", f"/api/locations/{tree.room.pk}/", {"name": "R"})
    assert_needs_role(tech_api, "delete", f"/api/locations/{tree.bin.pk}/")
    assert location_rows(site) == before


def test_managers_create_update_and_delete_locations(manager_api, tree):
    created = manager_api.post("/api/locations/", {"name": "Yard"})
    assert created.status_code == 201
    pk = created.json()["id"]
    assert Location.objects.get(pk=pk).name == "Yard"
    url = f"/api/locations/{pk}/"
    assert manager_api.patch(url, {"name": "Back Yard"}).json()["path"] == "Back Yard"
    assert Location.objects.get(pk=pk).path == "Back Yard"
    assert manager_api.put(url, {"name": "Yard 2", "parent": tree.building.pk}).status_code == 200
    assert Location.objects.get(pk=pk).path == "Building A > Yard 2"
    assert manager_api.delete(url).status_code == 204
    assert not Location.objects.filter(pk=pk).exists()
    assert not Location.objects.filter(name__startswith="Yard").exists()


@pytest.mark.parametrize("actor", ["tech_api", "manager_api"])
def test_only_admins_rebuild_location_paths(request, actor):
    assert_needs_role(request.getfixturevalue(actor), "post", "/api/locations/rebuild-paths/")
    assert not TaskRecord.objects.exists()


def test_admins_rebuild_location_paths(
    admin_api, tree, site, django_capture_on_commit_callbacks, eager_tasks
):
    Location.objects.filter(pk=tree.bin.pk).update(path="Broken")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_api.post("/api/locations/rebuild-paths/")
    assert response.status_code == 202
    task = TaskRecord.objects.get(pk=response.json()["id"])
    assert (task.site, task.state, task.result) == (
        site,
        TaskState.SUCCESS,
        {"locations": 4, "repaired": 1},
    )
    assert Location.objects.get(pk=tree.bin.pk).path == "Building A > Room 1 > Bin 1"


# --- Members --------------------------------------------------------------------------------------


@pytest.mark.parametrize("actor", ["tech_api", "manager_api"])
def test_only_admins_add_change_or_remove_members(request, actor, tech_user, site):
    api = request.getfixturevalue(actor)
    members_before = list(Membership.objects.values_list("pk", "role"))
    assert_needs_role(api, "post", "/api/users/", {"username": "new", "role": "technician"})
    assert_needs_role(api, "patch", f"/api/users/{tech_user.pk}/", {"role": "admin"})
    assert_needs_role(api, "delete", f"/api/users/{tech_user.pk}/")
    assert list(Membership.objects.values_list("pk", "role")) == members_before
    assert not User.objects.filter(username="new").exists()


def test_everyone_at_the_site_lists_its_members(tech_api, manager_user, admin_user):
    usernames = {row["username"] for row in tech_api.get("/api/users/").json()["results"]}
    assert usernames == {"tech", "manager", "admin"}


def test_admins_add_a_new_person_as_a_member(admin_api, site):
    response = admin_api.post(
        "/api/users/", {"username": "newbie", "role": "manager", "password": "long-enough-1"}
    )
    assert response.status_code == 201
    assert response.json()["role"] == "manager"
    user = User.objects.get(username="newbie")
    assert user.check_password("long-enough-1")
    assert Membership.objects.get(user=user, site=site).role == Role.MANAGER


def test_admins_cannot_take_in_or_read_an_account_of_another_site(admin_api, site, other_site_user):
    response = admin_api.post("/api/users/", {"username": "OTHER-ADMIN", "role": "technician"})
    assert response.status_code == 400 and "username" in response.json()
    assert other_site_user.email not in response.content.decode()
    assert Membership.objects.filter(user=other_site_user).count() == 1


def test_an_admin_of_both_sites_adds_an_existing_account(
    admin_user, admin_api, site, other_site, other_site_user
):
    MembershipFactory(user=admin_user, site=other_site, role=Role.ADMIN)
    response = admin_api.post("/api/users/", {"username": "OTHER-ADMIN", "role": "technician"})
    assert response.status_code == 201 and response.json()["id"] == other_site_user.pk
    assert Membership.objects.get(user=other_site_user, site=site).role == Role.TECHNICIAN
    assert Membership.objects.filter(user=other_site_user).count() == 2


def test_admins_change_a_members_role(admin_api, tech_user):
    response = admin_api.patch(f"/api/users/{tech_user.pk}/", {"role": "manager"})
    assert response.status_code == 200 and response.json()["role"] == "manager"
    assert Membership.objects.get(user=tech_user).role == Role.MANAGER


def test_admins_remove_a_member_but_not_the_account(admin_api, tech_user):
    assert admin_api.delete(f"/api/users/{tech_user.pk}/").status_code == 204
    assert not Membership.objects.filter(user=tech_user).exists()
    assert User.objects.filter(pk=tech_user.pk).exists()


def test_the_last_admin_cannot_be_demoted(admin_api, admin_user):
    response = admin_api.patch(f"/api/users/{admin_user.pk}/", {"role": "manager"})
    assert response.status_code == 400 and "role" in response.json()
    assert Membership.objects.get(user=admin_user).role == Role.ADMIN


def test_the_last_admin_cannot_be_removed(admin_api, admin_user):
    response = admin_api.delete(f"/api/users/{admin_user.pk}/")
    assert response.status_code == 400 and "role" in response.json()
    assert Membership.objects.filter(user=admin_user, role=Role.ADMIN).exists()


def test_an_admin_can_step_down_while_another_admin_remains(admin_api, admin_user, site):
    MembershipFactory(site=site, role=Role.ADMIN)
    response = admin_api.patch(f"/api/users/{admin_user.pk}/", {"role": "technician"})
    assert response.status_code == 200
    assert Membership.objects.get(user=admin_user).role == Role.TECHNICIAN


# --- Sites ----------------------------------------------------------------------------------------


def test_site_admins_edit_their_site(admin_api, site):
    response = admin_api.patch(f"/api/sites/{site.pk}/", {"time_zone": "Europe/Berlin"})
    assert response.status_code == 200 and response.json()["time_zone"] == "Europe/Berlin"
    assert Site.objects.get(pk=site.pk).time_zone == "Europe/Berlin"


def test_site_admins_set_the_counting_policy(admin_api, manager_api, site):
    url = f"/api/sites/{site.pk}/"
    response = admin_api.patch(url, {"technicians_may_reconcile": True}, format="json")
    assert response.status_code == 200 and response.json()["technicians_may_reconcile"] is True
    assert Site.objects.get(pk=site.pk).technicians_may_reconcile is True
    assert_needs_role(manager_api, "patch", url, {"technicians_may_reconcile": False})
    assert Site.objects.get(pk=site.pk).technicians_may_reconcile is True


@pytest.mark.parametrize("actor", ["tech_api", "manager_api"])
def test_non_admins_cannot_edit_the_site(request, actor, site):
    assert_needs_role(
        request.getfixturevalue(actor), "patch", f"/api/sites/{site.pk}/", {"name": "X"}
    )
    assert Site.objects.get(pk=site.pk).name == "Main Plant"


def test_an_admin_anywhere_creates_a_site_and_becomes_its_admin(admin_api, admin_user):
    response = admin_api.post("/api/sites/", {"name": "South Plant", "currency": "eur"})
    assert response.status_code == 201
    body = response.json()
    assert body["currency"] == "EUR" and body["role"] == "admin"
    new_site = Site.objects.get(name="South Plant")
    assert Membership.objects.get(site=new_site).user == admin_user


def test_creating_a_site_needs_the_admin_role_somewhere(manager_api):
    before = Site.objects.count()
    assert_needs_role(manager_api, "post", "/api/sites/", {"name": "South Plant"})
    assert Site.objects.count() == before
