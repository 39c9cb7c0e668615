"""/api/locations/: the site's tree with stored breadcrumbs, its filters, ordering and pages."""

import pytest

from core.models import Location
from core.services import location_paths_rebuild
from tests.factories import LocationFactory, admin_of


def paths(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["path"] for row in response.json()["results"]]


def stored_paths(site) -> dict[str, str]:
    return dict(Location.objects.for_site(site).values_list("name", "path"))


# --- Create, edit, delete -------------------------------------------------------------------------


def test_a_top_level_location_is_its_own_path(manager_api, site):
    response = manager_api.post("/api/locations/", {"name": "  Building A ", "description": "Main"})
    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "Building A" and body["path"] == "Building A"
    assert body["depth"] == 0 and body["parent"] is None and body["has_children"] is False
    stored = Location.objects.get(pk=body["id"])
    assert (stored.site, stored.name, stored.description) == (site, "Building A", "Main")
    assert (stored.path, stored.depth, stored.lineage) == ("Building A", 0, f"/{stored.pk}/")


def test_a_nested_location_gets_the_breadcrumb_and_depth(manager_api, tree):
    response = manager_api.post("/api/locations/", {"name": "Bin 2", "parent": tree.room.pk})
    assert response.status_code == 201
    body = response.json()
    assert body["path"] == "Building A > Room 1 > Bin 2" and body["depth"] == 2
    assert body["parent"] == tree.room.pk
    stored = Location.objects.get(pk=body["id"])
    assert (stored.site, stored.parent, stored.name) == (tree.room.site, tree.room, "Bin 2")
    assert (stored.path, stored.depth) == ("Building A > Room 1 > Bin 2", 2)
    assert stored.lineage == f"{tree.room.lineage}{stored.pk}/"


def test_a_location_records_who_created_and_changed_it(manager_api, manager_user):
    created = manager_api.post("/api/locations/", {"name": "Hall"}).json()
    location = Location.objects.get(pk=created["id"])
    assert location.created_by == manager_user and location.updated_by == manager_user


def test_detail_shows_whether_a_location_has_children(tech_api, tree):
    assert tech_api.get(f"/api/locations/{tree.room.pk}/").json()["has_children"] is True
    assert tech_api.get(f"/api/locations/{tree.bin.pk}/").json()["has_children"] is False


def test_renaming_rewrites_the_paths_below(manager_api, tree, site):
    response = manager_api.patch(f"/api/locations/{tree.building.pk}/", {"name": "Hangar"})
    assert response.status_code == 200 and response.json()["path"] == "Hangar"
    assert stored_paths(site) == {
        "Hangar": "Hangar",
        "Room 1": "Hangar > Room 1",
        "Bin 1": "Hangar > Room 1 > Bin 1",
        "Building B": "Building B",
    }


def test_moving_rewrites_paths_and_depths_below(manager_api, tree, site):
    response = manager_api.patch(
        f"/api/locations/{tree.room.pk}/", {"parent": tree.other_building.pk}
    )
    assert response.status_code == 200 and response.json()["path"] == "Building B > Room 1"
    assert stored_paths(site)["Bin 1"] == "Building B > Room 1 > Bin 1"
    bin_ = Location.objects.get(pk=tree.bin.pk)
    assert bin_.depth == 2
    assert bin_.lineage == f"/{tree.other_building.pk}/{tree.room.pk}/{tree.bin.pk}/"


def test_moving_to_the_top_level(manager_api, tree, site):
    response = manager_api.patch(f"/api/locations/{tree.room.pk}/", {"parent": None})
    assert response.status_code == 200
    assert response.json()["depth"] == 0
    room = Location.objects.get(pk=tree.room.pk)
    assert (room.parent, room.path, room.depth) == (None, "Room 1", 0)
    assert stored_paths(site)["Bin 1"] == "Room 1 > Bin 1"


def test_editing_only_the_description_leaves_paths_alone(manager_api, tree, site):
    before = stored_paths(site)
    response = manager_api.patch(f"/api/locations/{tree.room.pk}/", {"description": "Cold room"})
    assert response.status_code == 200
    assert Location.objects.get(pk=tree.room.pk).description == "Cold room"
    assert stored_paths(site) == before


def test_path_depth_and_lineage_cannot_be_written(manager_api, tree):
    manager_api.patch(f"/api/locations/{tree.room.pk}/", {"path": "X", "depth": 9, "lineage": "/"})
    room = Location.objects.get(pk=tree.room.pk)
    assert (room.path, room.depth) == ("Building A > Room 1", 1)
    assert room.lineage == f"/{tree.building.pk}/{tree.room.pk}/"


def test_deleting_a_leaf_removes_it(manager_api, tree):
    assert manager_api.delete(f"/api/locations/{tree.bin.pk}/").status_code == 204
    assert not Location.objects.filter(pk=tree.bin.pk).exists()


def test_deleting_a_location_with_children_is_refused(manager_api, tree):
    response = manager_api.delete(f"/api/locations/{tree.building.pk}/")
    assert response.status_code == 400
    assert Location.objects.filter(pk=tree.building.pk).exists()


# --- Filters, search and ordering -----------------------------------------------------------------


def test_filter_by_parent(tech_api, tree):
    assert paths(tech_api.get("/api/locations/", {"parent": tree.building.pk})) == [
        "Building A > Room 1"
    ]


def test_filter_top_level(tech_api, tree):
    assert paths(tech_api.get("/api/locations/", {"top_level": "true"})) == [
        "Building A",
        "Building B",
    ]


def test_filter_within_gives_a_location_and_everything_below_it(tech_api, tree):
    assert paths(tech_api.get("/api/locations/", {"within": tree.room.pk})) == [
        "Building A > Room 1",
        "Building A > Room 1 > Bin 1",
    ]


def test_filter_within_does_not_match_ids_that_only_share_a_prefix(tech_api, site, tree):
    shed = LocationFactory(site=site, name="Shed", id=int(f"{tree.building.pk}7"))
    assert shed.lineage.startswith(f"/{tree.building.pk}")  # "/17/" starts like "/1"
    within = paths(tech_api.get("/api/locations/", {"within": tree.building.pk}))
    assert within == ["Building A", "Building A > Room 1", "Building A > Room 1 > Bin 1"]


def test_filter_within_another_sites_location_is_empty(tech_api, tree, foreign_location):
    assert len(paths(tech_api.get("/api/locations/"))) == 4
    assert paths(tech_api.get("/api/locations/", {"within": foreign_location.pk})) == []


def test_filter_by_depth(tech_api, tree):
    assert paths(tech_api.get("/api/locations/", {"depth": 2})) == ["Building A > Room 1 > Bin 1"]


def test_filter_q_matches_name_or_path(tech_api, tree):
    assert paths(tech_api.get("/api/locations/", {"q": "room"})) == [
        "Building A > Room 1",
        "Building A > Room 1 > Bin 1",
    ]


def test_search(tech_api, tree):
    Location.objects.filter(pk=tree.other_building.pk).update(description="Paint shop")
    assert paths(tech_api.get("/api/locations/", {"search": "paint"})) == ["Building B"]


def test_default_order_is_by_path(tech_api, tree):
    assert paths(tech_api.get("/api/locations/")) == [
        "Building A",
        "Building A > Room 1",
        "Building A > Room 1 > Bin 1",
        "Building B",
    ]


def test_ordering_param(tech_api, tree):
    names = [
        row["name"] for row in tech_api.get("/api/locations/?ordering=-name").json()["results"]
    ]
    assert names == ["Room 1", "Building B", "Building A", "Bin 1"]


def test_ordering_by_an_unlisted_field_is_ignored(tech_api, tree, site):
    LocationFactory(
        site=site, name="Annex"
    )  # last by lineage (its id is the highest), first by path
    assert paths(tech_api.get("/api/locations/?ordering=lineage")) == [
        "Annex",
        "Building A",
        "Building A > Room 1",
        "Building A > Room 1 > Bin 1",
        "Building B",
    ]


# --- Pages ----------------------------------------------------------------------------------------


def make_top_level(site, count: int) -> None:
    """Many rows quickly: bulk insert, then let the repair tool derive paths and lineage."""
    Location.objects.bulk_create(
        Location(site=site, name=f"Bay {i:04d}", path="", lineage="/") for i in range(count)
    )
    location_paths_rebuild(site=site, by=admin_of(site))


def test_a_page_has_count_next_previous_and_50_results_by_default(tech_api, site):
    make_top_level(site, 60)
    body = tech_api.get("/api/locations/").json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 60 and len(body["results"]) == 50
    assert body["previous"] is None and "offset=50" in body["next"]
    second = tech_api.get(body["next"]).json()
    assert len(second["results"]) == 10 and second["next"] is None


def test_limit_and_offset(tech_api, site):
    make_top_level(site, 10)
    body = tech_api.get("/api/locations/", {"limit": 3, "offset": 3}).json()
    assert [row["name"] for row in body["results"]] == ["Bay 0003", "Bay 0004", "Bay 0005"]


@pytest.mark.parametrize("limit", [1000, 5000])
def test_a_page_holds_at_most_1000_rows(tech_api, site, limit):
    make_top_level(site, 1005)
    body = tech_api.get("/api/locations/", {"limit": limit}).json()
    assert body["count"] == 1005 and len(body["results"]) == 1000
    assert "offset=1000" in body["next"]
