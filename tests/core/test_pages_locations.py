"""Location pages: the tree, inline HTMX forms that call the services, site isolation, roles,
and the admin's path rebuild with its polled progress bar."""

import pytest

from core import selectors
from core.models import Location, TaskRecord, TaskState
from tests.factories import LocationFactory
from tests.helpers import (
    HTMX,
    all_by_testid,
    by_id,
    by_testid,
    field_error,
    html,
    is_full_page,
    queries_for,
    root,
    text,
)


def names(site) -> set[str]:
    return set(Location.objects.for_site(site).values_list("name", flat=True))


def node(page, location):
    """The tree's list item of ``location``."""
    return by_id(page, f"location-{location.pk}")


def shown_paths(source) -> list[str]:
    """The breadcrumb paths the tree (or the search results) shows, in order."""
    return [text(span) for span in html(source).find_all("span", class_="tree-path")]


def inside(element, container) -> bool:
    return any(parent is container for parent in element.parents)


def fact(page, label: str) -> str:
    """The value next to ``label`` in a page's facts list."""
    [term] = [dt for dt in page.find_all("dt") if text(dt) == label]
    return text(term.find_next_sibling("dd"))


# --- Reading --------------------------------------------------------------------------------------


def test_tree_page_nests_locations_and_shows_each_path(tech_page, tree):
    page = html(tech_page.get("/locations/"))
    assert is_full_page(page)
    building, room, bin_ = (node(page, loc) for loc in (tree.building, tree.room, tree.bin))
    assert inside(bin_, room) and inside(room, building)
    assert not inside(node(page, tree.other_building), building)
    assert shown_paths(page) == [
        "Building A",
        "Building A > Room 1",
        "Building A > Room 1 > Bin 1",
        "Building B",
    ]


def test_technicians_see_no_write_controls(tech_page, tree):
    page = html(tech_page.get("/locations/"))
    room = node(page, tree.room)
    assert not all_by_testid(page, "location-new") and not all_by_testid(page, "rebuild-paths")
    assert not all_by_testid(page, "nav-new-location")
    assert room.find("a", href=f"/locations/{tree.room.pk}/edit/") is None
    assert room.find("form") is None and room.find("button") is None


def test_managers_see_write_controls_but_only_admins_rebuild(manager_page, admin_page, tree):
    page = html(manager_page.get("/locations/"))
    room = node(page, tree.room)
    # A row's actions are on the location's page, not in the tree (phones: one link per row).
    assert (
        room.find("form") is None
        and room.find("a", href=f"/locations/{tree.room.pk}/edit/") is None
    )
    detail = manager_page.get(f"/locations/{tree.room.pk}/")
    assert (
        by_testid(detail, "location-add-inside")["href"] == f"/locations/new/?parent={tree.room.pk}"
    )
    assert by_testid(detail, "location-edit")["href"] == f"/locations/{tree.room.pk}/edit/"
    assert (
        by_testid(detail, "location-delete-form")["action"] == f"/locations/{tree.room.pk}/delete/"
    )
    assert by_testid(page, "location-new")["href"] == "/locations/new/"
    assert not all_by_testid(page, "rebuild-paths")
    rebuild = by_testid(admin_page.get("/locations/"), "rebuild-paths")
    assert rebuild.find_parent("form")["hx-post"] == "/locations/rebuild-paths/"


def test_htmx_request_gets_only_the_tree_fragment(tech_page, tree):
    response = tech_page.get("/locations/", headers=HTMX)
    assert not is_full_page(response) and html(response).find(id="site-switcher") is None
    assert root(response)["id"] == "location-tree"
    assert "HX-Request" in response["Vary"]


def test_live_search_lists_matches_with_their_paths(tech_page, tree):
    response = tech_page.get("/locations/", {"q": "bin"}, headers=HTMX)
    assert shown_paths(response) == ["Building A > Room 1 > Bin 1"]


def test_search_never_finds_another_sites_locations(tech_page, site, tree, foreign_location):
    LocationFactory(site=site, name="Main Hall")
    assert shown_paths(tech_page.get("/locations/", {"q": "Hall"})) == ["Main Hall"]
    response = tech_page.get("/locations/", {"q": "Foreign"})
    assert shown_paths(response) == []
    assert text(by_id(response, "location-tree").find("p", class_="empty")) == (
        "No location matches “Foreign”."
    )


def test_detail_shows_breadcrumb_children_and_description(tech_page, tree):
    Location.objects.filter(pk=tree.room.pk).update(description="North wall")
    page = html(tech_page.get(f"/locations/{tree.room.pk}/"))
    crumbs = page.find("nav", class_="breadcrumb")
    assert [(a["href"], text(a)) for a in crumbs.find_all("a")] == [
        ("/locations/", "Locations"),
        (f"/locations/{tree.building.pk}/", "Building A"),
    ]
    assert text(crumbs.find(attrs={"aria-current": "page"})) == "Room 1"
    children = page.find("section", attrs={"aria-labelledby": "children-title"})
    assert [(a["href"], text(a)) for a in children.find_all("a")] == [
        (f"/locations/{tree.bin.pk}/", "Bin 1")
    ]
    assert text(by_testid(page, "location-path")) == "Building A > Room 1"
    assert fact(page, "Description") == "North wall"


def test_tree_queries_do_not_grow_with_the_number_of_locations(tech_page, site):
    def grow(n):
        for _ in range(n):
            LocationFactory(site=site, parent=LocationFactory(site=site))

    tech_page.get("/locations/")  # the first page of a session also stores the chosen site
    grow(5)
    small = queries_for(tech_page, "/locations/")
    grow(5)
    assert Location.objects.for_site(site).count() == 20
    assert queries_for(tech_page, "/locations/") == small


# --- Site isolation and roles ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/locations/{pk}/"),
        ("get", "/locations/{pk}/edit/"),
        ("post", "/locations/{pk}/edit/"),
        ("get", "/locations/{pk}/delete/"),
        ("post", "/locations/{pk}/delete/"),
        ("get", "/locations/new/?parent={pk}"),
    ],
)
def test_another_sites_location_does_not_exist(manager_page, foreign_location, method, url):
    url = url.format(pk=foreign_location.pk)
    data = {"name": "X"} if method == "post" else None  # GET data would replace ?parent=
    response = getattr(manager_page, method)(url, data)
    assert response.status_code == 404
    foreign_location.refresh_from_db()
    assert foreign_location.name == "Foreign Hall"


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/locations/new/"),
        ("post", "/locations/new/"),
        ("get", "/locations/{pk}/edit/"),
        ("post", "/locations/{pk}/edit/"),
        ("get", "/locations/{pk}/delete/"),
        ("post", "/locations/{pk}/delete/"),
        ("post", "/locations/rebuild-paths/"),
    ],
)
def test_technicians_cannot_write(tech_page, tree, location_rows, site, method, url):
    before = location_rows(site)
    data = {"name": "Changed", "confirm": "yes"}
    response = getattr(tech_page, method)(url.format(pk=tree.bin.pk), data)
    assert response.status_code == 403
    assert location_rows(site) == before


def test_managers_cannot_rebuild_paths(manager_page):
    assert manager_page.post("/locations/rebuild-paths/").status_code == 403
    assert not TaskRecord.objects.exists()


# --- Create ---------------------------------------------------------------------------------------


def test_create_inside_a_parent_stores_the_path(manager_page, tree, site):
    response = manager_page.post(
        f"/locations/new/?parent={tree.building.pk}",
        {"name": "Room 2", "parent": tree.building.pk, "description": ""},
    )
    created = Location.objects.get(site=site, name="Room 2")
    assert response.status_code == 302 and response["Location"] == f"/locations/{created.pk}/"
    assert created.path == "Building A > Room 2"
    assert created.created_by.username == "manager"


def test_create_with_an_empty_name_shows_the_error_at_the_field(manager_page, site, location_rows):
    before = location_rows(site)
    response = manager_page.post("/locations/new/", {"name": "   "})
    assert response.status_code == 200
    assert field_error(response, "id_name") == "This field is required."
    assert by_id(response, "id_name")["aria-invalid"] == "true"
    assert location_rows(site) == before


def test_create_with_a_sibling_name_shows_the_services_message_at_the_field(
    manager_page, tree, site, location_rows
):
    before = location_rows(site)
    response = manager_page.post("/locations/new/", {"name": "room 1", "parent": tree.building.pk})
    assert response.status_code == 200
    assert "already exists at this level" in field_error(response, "id_name")
    assert location_rows(site) == before


def test_create_cannot_pick_a_parent_of_another_site(manager_page, foreign_location, site):
    response = manager_page.post(
        "/locations/new/", {"name": "Sneaky", "parent": foreign_location.pk}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in field_error(response, "id_parent")
    assert "Sneaky" not in names(site)


def test_htmx_form_is_a_fragment_that_posts_back_inline(manager_page, tree):
    response = manager_page.get(f"/locations/new/?parent={tree.room.pk}", headers=HTMX)
    form = root(response)
    assert not is_full_page(response) and form["data-testid"] == "location-form"
    assert form["hx-post"] == f"/locations/new/?parent={tree.room.pk}"
    assert form["hx-target"] == "this"
    assert text(form.find("h2")) == "New location inside Building A > Room 1"


def test_htmx_create_swaps_in_the_refreshed_tree(manager_page, tree, site):
    response = manager_page.post(
        f"/locations/new/?parent={tree.room.pk}",
        {"name": "Bin 2", "parent": tree.room.pk},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#location-tree"
    assert response["HX-Reswap"] == "outerHTML"
    assert root(response)["id"] == "location-tree"
    assert shown_paths(response) == [
        "Building A",
        "Building A > Room 1",
        "Building A > Room 1 > Bin 1",
        "Building A > Room 1 > Bin 2",
        "Building B",
    ]
    created = Location.objects.get(site=site, name="Bin 2")
    assert (created.parent, created.path) == (tree.room, "Building A > Room 1 > Bin 2")


def test_htmx_create_error_rerenders_the_form_in_place(manager_page, tree, site, location_rows):
    before = location_rows(site)
    response = manager_page.post("/locations/new/", {"name": "Building B"}, headers=HTMX)
    assert "HX-Retarget" not in response
    assert not is_full_page(response) and root(response)["data-testid"] == "location-form"
    assert "already exists at this level" in field_error(response, "id_name")
    assert location_rows(site) == before


# --- Edit and delete ------------------------------------------------------------------------------


def test_moving_a_location_rewrites_the_paths_below_it(manager_page, tree):
    response = manager_page.post(
        f"/locations/{tree.room.pk}/edit/",
        {"name": "Room 1", "parent": tree.other_building.pk},
    )
    assert response.status_code == 302
    tree.bin.refresh_from_db()
    assert tree.bin.path == "Building B > Room 1 > Bin 1"
    assert tree.bin.lineage.startswith(f"/{tree.other_building.pk}/{tree.room.pk}/")


def test_edit_offers_no_parent_inside_the_location_itself(manager_page, tree):
    parent = by_id(manager_page.get(f"/locations/{tree.room.pk}/edit/"), "id_parent")
    offered = {o["value"]: o.has_attr("selected") for o in parent.find_all("option")}
    assert offered[str(tree.building.pk)] is True
    assert offered[str(tree.other_building.pk)] is False
    assert str(tree.room.pk) not in offered and str(tree.bin.pk) not in offered


def test_edit_into_its_own_descendant_is_refused(manager_page, tree, site, location_rows):
    before = location_rows(site)
    response = manager_page.post(
        f"/locations/{tree.building.pk}/edit/", {"name": "Building A", "parent": tree.bin.pk}
    )
    assert response.status_code == 200
    assert field_error(response, "id_parent")
    assert location_rows(site) == before


def test_delete_of_a_leaf_removes_it(manager_page, tree, site):
    response = manager_page.post(f"/locations/{tree.bin.pk}/delete/", {"confirm": "yes"})
    assert response.status_code == 302 and response["Location"] == "/locations/"
    assert "Bin 1" not in names(site)


def test_delete_of_a_location_with_children_shows_the_error(manager_page, tree, site):
    response = manager_page.post(
        f"/locations/{tree.room.pk}/delete/", {"confirm": "yes"}, follow=True
    )
    assert response.redirect_chain[-1][0] == f"/locations/{tree.room.pk}/"
    messages = html(response).find("div", class_="messages", attrs={"role": "status"})
    assert text(messages) == "Move or delete the locations inside “Room 1” first."
    assert "Room 1" in names(site)


def test_htmx_delete_refusal_is_shown_above_the_tree(manager_page, tree, site):
    response = manager_page.post(
        f"/locations/{tree.building.pk}/delete/", {"confirm": "yes"}, headers=HTMX
    )
    assert response["HX-Retarget"] == "#location-tree"
    error = by_testid(response, "tree-error")
    assert error["role"] == "alert"
    assert text(error) == "Move or delete the locations inside “Building A” first."
    assert "Building A" in names(site)


# --- Rebuild paths and task progress --------------------------------------------------------------


def test_rebuild_paths_queues_a_task_and_shows_a_polling_progress_bar(admin_page, tree, site):
    response = admin_page.post("/locations/rebuild-paths/", headers=HTMX)
    task = TaskRecord.objects.get(site=site)
    assert task.state == TaskState.PENDING  # queued after commit; the test transaction is open
    bar = by_testid(response, "task-progress")
    assert bar["data-state"] == "PENDING"
    assert bar["hx-get"] == f"/tasks/{task.pk}/" and bar["hx-trigger"] == "every 1s"


def test_a_repair_still_running_shows_its_bar_when_the_tree_is_opened(tech_page, admin_page, site):
    admin_page.post("/locations/rebuild-paths/", headers=HTMX)  # queued: the test never commits
    task = TaskRecord.objects.get(site=site)
    assert (task.target_type.model, task.target_id) == ("site", str(site.pk))

    bars = by_testid(tech_page.get("/locations/"), "object-tasks").select(
        '[data-testid="task-progress"]'
    )

    assert [bar["id"] for bar in bars] == [f"task-{task.pk}"]
    TaskRecord.objects.filter(pk=task.pk).update(state=TaskState.SUCCESS)
    assert not all_by_testid(tech_page.get("/locations/"), "object-tasks")


def test_rebuild_paths_repairs_paths_and_the_finished_bar_stops_polling(
    admin_page, tree, site, eager_tasks, django_capture_on_commit_callbacks
):
    Location.objects.filter(pk=tree.bin.pk).update(path="garbage")
    with django_capture_on_commit_callbacks(execute=True):
        admin_page.post("/locations/rebuild-paths/", headers=HTMX)
    tree.bin.refresh_from_db()
    assert tree.bin.path == "Building A > Room 1 > Bin 1"
    task = TaskRecord.objects.get(site=site)
    assert (task.state, task.result) == (TaskState.SUCCESS, {"locations": 4, "repaired": 1})
    response = admin_page.get(f"/tasks/{task.pk}/", headers=HTMX)
    bar = by_testid(response, "task-progress")
    assert bar["data-state"] == "SUCCESS" and bar.find("progress")["value"] == "100"
    assert not bar.has_attr("hx-trigger") and not bar.has_attr("hx-get")
    assert "taskFinished" in response["HX-Trigger"]


def test_task_progress_shows_a_running_task_of_this_site(tech_page, site):
    task = TaskRecord.objects.create(
        site=site, name="Import", state=TaskState.STARTED, progress=40, message="4 of 10"
    )
    fragment = tech_page.get(f"/tasks/{task.pk}/", headers=HTMX)
    assert not is_full_page(fragment)
    bar = by_testid(fragment, "task-progress")
    assert bar.find("progress")["value"] == "40"
    assert text(bar.find(class_="task-message")) == "4 of 10"
    assert bar["hx-trigger"] == "every 1s"
    page = tech_page.get(f"/tasks/{task.pk}/")
    assert is_full_page(page)
    assert by_testid(page, "task-progress").find("progress")["value"] == "40"


def test_another_sites_task_does_not_exist(tech_page, other_site):
    task = TaskRecord.objects.create(site=other_site, name="Secret", progress=10)
    assert tech_page.get(f"/tasks/{task.pk}/").status_code == 404
    assert tech_page.get(f"/tasks/{task.pk}/", headers=HTMX).status_code == 404


# --- A large tree opens level by level ------------------------------------------------------------


@pytest.fixture
def large_tree(monkeypatch, tree):
    """The same tree, treated as too large to show whole."""
    monkeypatch.setattr(selectors, "TREE_SHOWN_WHOLE", 2)
    return tree


def test_a_large_tree_shows_its_top_level_and_opens_a_level_when_asked(tech_page, large_tree, site):
    page = tech_page.get("/locations/")
    names_shown = [text(a) for a in html(page).select("#location-tree .tree-name")]
    assert names_shown == ["Building A", "Building B"]
    [level] = all_by_testid(page, "tree-level")  # Building B has nothing inside
    assert level["hx-get"] == f"/locations/?parent={large_tree.building.pk}"

    opened = tech_page.get(level["hx-get"], headers=HTMX)

    assert [text(a) for a in html(opened).select(".tree-name")] == ["Room 1"]
    assert by_testid(opened, "tree-level")["hx-get"] == f"/locations/?parent={large_tree.room.pk}"


def test_opening_a_level_of_another_sites_tree_is_404(tech_page, large_tree, foreign_location):
    response = tech_page.get(f"/locations/?parent={foreign_location.pk}", headers=HTMX)
    assert response.status_code == 404


def test_search_matches_come_a_page_at_a_time(tech_page, site):
    for i in range(55):
        LocationFactory(site=site, name=f"Bay {i:02d}")

    first = tech_page.get("/locations/", {"q": "Bay"})
    second = tech_page.get("/locations/", {"q": "Bay", "page": "2"}, headers=HTMX)

    assert len(html(first).select(".tree-results .tree-name")) == 50
    assert [text(a) for a in html(second).select(".tree-results .tree-name")][-1] == "Bay 54"
    assert by_testid(first, "page-next")["hx-target"] == "#location-tree"
