"""Bad input: 400 with ``{field: [messages]}``, every other error ``{"detail": ...}``, and a
refused write changes nothing."""

import pytest

from core.models import APIToken, Location, Membership, Site, User
from tests.factories import LocationFactory
from tests.helpers import assert_field_error


def assert_detail_error(response, status: int):
    assert response.status_code == status, (response.status_code, response.content)
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"detail"} and isinstance(body["detail"], str), body


# --- Locations ------------------------------------------------------------------------------------

BAD_NEW_LOCATIONS = {
    "empty name": ({"name": ""}, "name"),
    "blank name": ({"name": "   "}, "name"),
    "missing name": ({}, "name"),
    "duplicate top-level name, other case": ({"name": "building a"}, "name"),
    "name with the path separator": ({"name": "Hall > 2"}, "name"),
    "bare > in the name": ({"name": "A>B"}, "name"),
    "name too long": ({"name": "x" * 101}, "name"),
    "name of the wrong type": ({"name": ["Hall"]}, "name"),
    "parent of the wrong type": ({"name": "Hall", "parent": "first"}, "parent"),
    "parent that does not exist": ({"name": "Hall", "parent": 999999}, "parent"),
}


@pytest.mark.parametrize("body,field", BAD_NEW_LOCATIONS.values(), ids=BAD_NEW_LOCATIONS.keys())
def test_a_bad_new_location_is_refused_and_nothing_is_written(
    manager_api, tree, site, location_rows, body, field
):
    before = location_rows(site)
    assert_field_error(manager_api.post("/api/locations/", body), field)
    assert location_rows(site) == before


def test_a_duplicate_sibling_name_is_refused_case_insensitively(
    manager_api, tree, site, location_rows
):
    before = location_rows(site)
    response = manager_api.post("/api/locations/", {"name": "ROOM 1", "parent": tree.building.pk})
    assert_field_error(response, "name")
    assert location_rows(site) == before


def test_the_same_name_under_another_parent_is_fine(manager_api, tree):
    response = manager_api.post(
        "/api/locations/", {"name": "Room 1", "parent": tree.other_building.pk}
    )
    assert response.status_code == 201
    created = Location.objects.get(pk=response.json()["id"])
    assert (created.parent, created.path) == (tree.other_building, "Building B > Room 1")
    assert Location.objects.filter(name="Room 1").count() == 2


def test_a_parent_of_another_site_is_not_found_in_this_site(
    manager_api, tree, foreign_location, site, other_site, location_rows
):
    before, foreign_before = location_rows(site), location_rows(other_site)
    response = manager_api.post("/api/locations/", {"name": "Hall", "parent": foreign_location.pk})
    assert_field_error(response, "parent")
    moved = manager_api.patch(f"/api/locations/{tree.room.pk}/", {"parent": foreign_location.pk})
    assert_field_error(moved, "parent")
    assert location_rows(site) == before and location_rows(other_site) == foreign_before


@pytest.mark.parametrize("target", ["building", "room", "bin"])
def test_a_location_cannot_move_under_itself_or_below_itself(
    manager_api, tree, site, location_rows, target
):
    before = location_rows(site)
    response = manager_api.patch(
        f"/api/locations/{tree.building.pk}/", {"parent": getattr(tree, target).pk}
    )
    assert_field_error(response, "parent")
    assert location_rows(site) == before


def test_renaming_into_a_siblings_name_is_refused(manager_api, tree, site, location_rows):
    before = location_rows(site)
    response = manager_api.patch(
        f"/api/locations/{tree.other_building.pk}/", {"name": "Building a"}
    )
    assert_field_error(response, "name")
    assert location_rows(site) == before


def test_moving_next_to_a_same_named_location_is_refused(manager_api, tree, site, location_rows):
    response = manager_api.patch(f"/api/locations/{tree.bin.pk}/", {"name": "Room 1"})
    assert response.status_code == 200  # a bin may share its parent's name
    assert Location.objects.get(pk=tree.bin.pk).path == "Building A > Room 1 > Room 1"
    before = location_rows(site)
    response = manager_api.patch(f"/api/locations/{tree.bin.pk}/", {"parent": tree.building.pk})
    assert_field_error(response, "name")
    assert location_rows(site) == before


# --- Sites ----------------------------------------------------------------------------------------

BAD_SITE_EDITS = {
    "empty name": ({"name": ""}, "name"),
    "name of another site, other case": ({"name": "north plant"}, "name"),
    "unknown time zone": ({"time_zone": "Mars/Olympus_Mons"}, "time_zone"),
    "time zone of the wrong type": ({"time_zone": ["UTC"]}, "time_zone"),
    "currency too long": ({"currency": "EURO"}, "currency"),
    "currency with a digit": ({"currency": "E1R"}, "currency"),
    "empty currency": ({"currency": ""}, "currency"),
}


def site_row(site) -> tuple:
    return Site.objects.filter(pk=site.pk).values_list(
        "name", "time_zone", "currency", "description", "updated_at"
    )[0]


@pytest.mark.parametrize("body,field", BAD_SITE_EDITS.values(), ids=BAD_SITE_EDITS.keys())
def test_a_bad_site_edit_is_refused_and_changes_nothing(admin_api, site, other_site, body, field):
    before = site_row(site)
    response = admin_api.patch(f"/api/sites/{site.pk}/", {**body, "description": "changed"})
    assert_field_error(response, field)
    assert site_row(site) == before


def test_a_bad_new_site_is_refused_and_nothing_is_written(admin_api, site):
    before = Site.objects.count(), Membership.objects.count()
    response = admin_api.post("/api/sites/", {"name": "South", "time_zone": "Nowhere/Land"})
    assert_field_error(response, "time_zone")
    assert (Site.objects.count(), Membership.objects.count()) == before


# --- Members --------------------------------------------------------------------------------------

BAD_NEW_MEMBERS = {
    "invalid role": ({"username": "newbie", "role": "owner"}, "role"),
    "missing role": ({"username": "newbie"}, "role"),
    "missing username": ({"role": "technician"}, "username"),
    "blank username": ({"username": " ", "role": "technician"}, "username"),
    "bad email": ({"username": "newbie", "role": "technician", "email": "nope"}, "email"),
    "short password": ({"username": "newbie", "role": "technician", "password": "x"}, "password"),
    "existing member": ({"username": "tech", "role": "manager"}, "username"),
}


@pytest.mark.parametrize("body,field", BAD_NEW_MEMBERS.values(), ids=BAD_NEW_MEMBERS.keys())
def test_a_bad_new_member_is_refused_and_nothing_is_written(admin_api, tech_user, body, field):
    before = User.objects.count(), list(Membership.objects.values_list("pk", "role"))
    assert_field_error(admin_api.post("/api/users/", body), field)
    assert (User.objects.count(), list(Membership.objects.values_list("pk", "role"))) == before


@pytest.mark.parametrize("role", ["owner", "", None, 3])
def test_an_invalid_role_change_is_refused(admin_api, tech_user, role):
    assert_field_error(admin_api.patch(f"/api/users/{tech_user.pk}/", {"role": role}), "role")
    assert Membership.objects.get(user=tech_user).role == "technician"


# --- Tokens and account ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body,field",
    [
        ({"name": ""}, "name"),
        ({}, "name"),
        ({"name": "ci", "expires_at": "2001-01-01T00:00:00Z"}, "expires_at"),
        ({"name": "ci", "expires_at": "next week"}, "expires_at"),
    ],
)
def test_a_bad_new_token_is_refused_and_nothing_is_written(tech_api, tech_user, body, field):
    before = APIToken.objects.count()
    assert_field_error(tech_api.post("/api/user/tokens/", body), field)
    assert APIToken.objects.count() == before


@pytest.mark.parametrize("value", ["abc", 999999, [1]])
def test_a_bad_default_site_is_refused(tech_api, tech_user, value):
    assert_field_error(tech_api.patch("/api/user/me/", {"default_site": value}), "default_site")
    tech_user.refresh_from_db()
    assert tech_user.default_site_id is None


# --- Malformed requests and other errors ----------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/api/locations/", "/api/sites/", "/api/users/", "/api/batch/", "/api/user/tokens/"]
)
def test_a_body_that_is_not_json_is_400_with_detail(admin_api, url):
    response = admin_api.generic("POST", url, "{not json", content_type="application/json")
    assert_detail_error(response, 400)


def test_a_json_body_that_is_not_an_object_is_a_validation_error(manager_api, site, location_rows):
    response = manager_api.post("/api/locations/", ["Hall"])
    assert response.status_code == 400
    assert isinstance(response.json()["non_field_errors"], list)
    assert location_rows(site) == []


@pytest.mark.parametrize("method", ["get", "post", "delete"])
@pytest.mark.parametrize("url", ["/api/nothing-here/", "/api/locations/1/extra/", "/api/locations"])
def test_unknown_api_paths_are_json_404(anon_api, db, method, url):
    assert_detail_error(getattr(anon_api, method)(url), 404)


def test_a_missing_object_is_404_with_detail(tech_api):
    assert_detail_error(tech_api.get("/api/locations/999999/"), 404)
    assert_detail_error(tech_api.get("/api/tasks/not-a-uuid/"), 404)
    assert_detail_error(tech_api.get("/api/users/abc/"), 404)


def test_an_unsupported_method_is_405_with_detail(manager_api):
    assert_detail_error(manager_api.delete("/api/locations/"), 405)


def test_a_role_refusal_is_403_with_detail(tech_api):
    assert_detail_error(tech_api.post("/api/locations/", {"name": "Hall"}), 403)


def test_a_missing_credential_is_401_with_detail(anon_api, db):
    assert_detail_error(anon_api.get("/api/locations/"), 401)


def test_deleting_a_location_with_children_is_400_and_deletes_nothing(
    manager_api, tree, site, location_rows
):
    before = location_rows(site)
    response = manager_api.delete(f"/api/locations/{tree.room.pk}/")
    assert response.status_code == 400
    assert isinstance(response.json()["non_field_errors"], list)
    assert location_rows(site) == before


# --- Tree limits: the stored path (1000 characters) and lineage (31 levels) -----------------------


def chain(site, levels: int, width: int = 1) -> Location:
    """``levels`` nested locations with names ``width`` characters long; returns the deepest."""
    node = None
    for i in range(levels):
        node = LocationFactory(site=site, name=f"{i % 10}" * width, parent=node)
    return node


def test_a_location_whose_path_would_pass_1000_characters_is_refused(
    manager_api, site, location_rows
):
    deepest = chain(site, 9, width=100)  # path: 9 x 100 + 8 x 3 = 924 characters
    before = location_rows(site)
    response = manager_api.post("/api/locations/", {"name": "x" * 100, "parent": deepest.pk})
    assert_field_error(response, "name")
    assert location_rows(site) == before
    response = manager_api.post("/api/locations/", {"name": "x" * 73, "parent": deepest.pk})
    assert response.status_code == 201
    assert len(Location.objects.get(pk=response.json()["id"]).path) == 1000


def test_a_move_that_would_push_a_path_below_past_1000_characters_is_refused(
    manager_api, site, location_rows
):
    deepest = chain(site, 9, width=100)
    top = LocationFactory(site=site, name="X")
    LocationFactory(site=site, name="Y" * 100, parent=top)
    before = location_rows(site)
    response = manager_api.patch(f"/api/locations/{top.pk}/", {"parent": deepest.pk})
    assert_field_error(response, "parent")
    assert location_rows(site) == before


def test_a_location_nests_at_most_31_levels_deep(manager_api, site, location_rows):
    deepest = chain(site, 31)
    before = location_rows(site)
    assert_field_error(
        manager_api.post("/api/locations/", {"name": "z", "parent": deepest.pk}), "parent"
    )
    assert location_rows(site) == before


def test_a_move_that_would_push_a_location_below_past_31_levels_is_refused(
    manager_api, site, location_rows
):
    deepest = chain(site, 29)  # depth 28
    top = LocationFactory(site=site, name="X")
    LocationFactory(site=site, name="Y", parent=LocationFactory(site=site, name="Z", parent=top))
    before = location_rows(site)
    response = manager_api.patch(f"/api/locations/{top.pk}/", {"parent": deepest.pk})
    assert_field_error(response, "parent")  # X at depth 29, Y at 31
    assert location_rows(site) == before
