"""Location pages: the tree, inline HTMX forms that call the services, site isolation, roles,
and the admin's path rebuild with its polled progress bar."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import Location, TaskRecord, TaskState
from tests.factories import LocationFactory
from tests.pages import HTMX


def names(site) -> set[str]:
    return set(Location.objects.for_site(site).values_list("name", flat=True))


# --- Reading --------------------------------------------------------------------------------------


def test_tree_page_nests_locations_and_shows_each_path(tech_page, tree):
    html = tech_page.get("/locations/").content.decode()
    assert "<html" in html
    # Bin 1 is rendered inside Room 1's list item, which is inside Building A's.
    building_at = html.index(f'id="location-{tree.building.pk}"')
    room_at = html.index(f'id="location-{tree.room.pk}"')
    bin_at = html.index(f'id="location-{tree.bin.pk}"')
    assert building_at < room_at < bin_at
    assert "Building A &gt; Room 1 &gt; Bin 1" in html


def test_technicians_see_no_write_controls(tech_page, tree):
    html = tech_page.get("/locations/").content.decode()
    assert "/locations/new/" not in html
    assert f"/locations/{tree.room.pk}/edit/" not in html
    assert "Rebuild paths" not in html


def test_managers_see_write_controls_but_only_admins_rebuild(manager_page, admin_page, tree):
    html = manager_page.get("/locations/").content.decode()
    assert f'hx-get="/locations/new/?parent={tree.room.pk}"' in html
    assert f'hx-post="/locations/{tree.room.pk}/delete/"' in html
    assert "Rebuild paths" not in html
    assert "Rebuild paths" in admin_page.get("/locations/").content.decode()


def test_htmx_request_gets_only_the_tree_fragment(tech_page, tree):
    response = tech_page.get("/locations/", headers=HTMX)
    html = response.content.decode()
    assert "<html" not in html and 'id="site-switcher"' not in html
    assert html.lstrip().startswith('<div id="location-tree"')
    assert "HX-Request" in response["Vary"]


def test_live_search_lists_matches_with_their_paths(tech_page, tree):
    html = tech_page.get("/locations/", {"q": "bin"}, headers=HTMX).content.decode()
    assert "Building A &gt; Room 1 &gt; Bin 1" in html
    assert "Building B" not in html


def test_search_never_finds_another_sites_locations(tech_page, tree, foreign_location):
    html = tech_page.get("/locations/", {"q": "Hall"}).content.decode()
    assert "Foreign Hall" not in html
    assert "No location matches" in html


def test_detail_shows_breadcrumb_children_and_description(tech_page, tree):
    Location.objects.filter(pk=tree.room.pk).update(description="North wall")
    html = tech_page.get(f"/locations/{tree.room.pk}/").content.decode()
    assert f'href="/locations/{tree.building.pk}/">Building A</a>' in html
    assert f'href="/locations/{tree.bin.pk}/">Bin 1</a>' in html
    assert "North wall" in html


def test_tree_queries_do_not_grow_with_the_number_of_locations(tech_page, site):
    def grow(n):
        for _ in range(n):
            LocationFactory(site=site, parent=LocationFactory(site=site))

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert tech_page.get("/locations/").status_code == 200
        return len(ctx.captured_queries)

    tech_page.get("/locations/")  # the first page of a session also stores the chosen site
    grow(5)
    small = queries()
    grow(5)
    assert Location.objects.for_site(site).count() == 20
    assert queries() == small


# --- Site isolation and roles ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/locations/{pk}/"),
        ("get", "/locations/{pk}/edit/"),
        ("post", "/locations/{pk}/edit/"),
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
        ("post", "/locations/{pk}/delete/"),
        ("post", "/locations/rebuild-paths/"),
    ],
)
def test_technicians_cannot_write(tech_page, tree, location_rows, site, method, url):
    before = location_rows(site)
    response = getattr(tech_page, method)(url.format(pk=tree.bin.pk), {"name": "Changed"})
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
    html = response.content.decode()
    assert response.status_code == 200
    assert '<ul class="field-errors" id="id_name_error">' in html
    assert 'aria-invalid="true"' in html
    assert location_rows(site) == before


def test_create_with_a_sibling_name_shows_the_services_message_at_the_field(
    manager_page, tree, site, location_rows
):
    before = location_rows(site)
    response = manager_page.post("/locations/new/", {"name": "room 1", "parent": tree.building.pk})
    html = response.content.decode()
    assert response.status_code == 200
    error_list = html[html.index('id="id_name_error"') :]
    assert "already exists at this level" in error_list[: error_list.index("</ul>")]
    assert location_rows(site) == before


def test_create_cannot_pick_a_parent_of_another_site(manager_page, foreign_location, site):
    response = manager_page.post(
        "/locations/new/", {"name": "Sneaky", "parent": foreign_location.pk}
    )
    assert response.status_code == 200
    assert 'id="id_parent_error"' in response.content.decode()
    assert "Sneaky" not in names(site)


def test_htmx_form_is_a_fragment_that_posts_back_inline(manager_page, tree):
    html = manager_page.get(f"/locations/new/?parent={tree.room.pk}", headers=HTMX).content.decode()
    assert "<html" not in html
    assert f'hx-post="/locations/new/?parent={tree.room.pk}"' in html
    assert 'hx-target="this"' in html
    assert "New location inside Building A &gt; Room 1" in html


def test_htmx_create_swaps_in_the_refreshed_tree(manager_page, tree):
    response = manager_page.post(
        f"/locations/new/?parent={tree.room.pk}",
        {"name": "Bin 2", "parent": tree.room.pk},
        headers=HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#location-tree"
    assert response["HX-Reswap"] == "outerHTML"
    assert html.lstrip().startswith('<div id="location-tree"')
    assert "Building A &gt; Room 1 &gt; Bin 2" in html


def test_htmx_create_error_rerenders_the_form_in_place(manager_page, tree, site, location_rows):
    before = location_rows(site)
    response = manager_page.post("/locations/new/", {"name": "Building B"}, headers=HTMX)
    html = response.content.decode()
    assert "HX-Retarget" not in response
    assert "<html" not in html and 'data-testid="location-form"' in html
    assert "already exists at this level" in html
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
    html = manager_page.get(f"/locations/{tree.room.pk}/edit/").content.decode()
    assert f'<option value="{tree.building.pk}" selected>' in html
    assert f'<option value="{tree.other_building.pk}">' in html
    assert f'<option value="{tree.room.pk}"' not in html
    assert f'<option value="{tree.bin.pk}"' not in html


def test_edit_into_its_own_descendant_is_refused(manager_page, tree, site, location_rows):
    before = location_rows(site)
    response = manager_page.post(
        f"/locations/{tree.building.pk}/edit/", {"name": "Building A", "parent": tree.bin.pk}
    )
    assert response.status_code == 200
    assert 'id="id_parent_error"' in response.content.decode()
    assert location_rows(site) == before


def test_delete_of_a_leaf_removes_it(manager_page, tree, site):
    response = manager_page.post(f"/locations/{tree.bin.pk}/delete/")
    assert response.status_code == 302 and response["Location"] == "/locations/"
    assert "Bin 1" not in names(site)


def test_delete_of_a_location_with_children_shows_the_error(manager_page, tree, site):
    response = manager_page.post(f"/locations/{tree.room.pk}/delete/", follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == f"/locations/{tree.room.pk}/"
    assert "Move or delete the locations inside “Room 1” first." in html
    assert "Room 1" in names(site)


def test_htmx_delete_refusal_is_shown_above_the_tree(manager_page, tree, site):
    response = manager_page.post(f"/locations/{tree.building.pk}/delete/", headers=HTMX)
    html = response.content.decode()
    assert response["HX-Retarget"] == "#location-tree"
    assert 'data-testid="tree-error"' in html and "first." in html
    assert "Building A" in names(site)


# --- Rebuild paths and task progress --------------------------------------------------------------


def test_rebuild_paths_queues_a_task_and_shows_a_polling_progress_bar(admin_page, tree, site):
    response = admin_page.post("/locations/rebuild-paths/", headers=HTMX)
    html = response.content.decode()
    task = TaskRecord.objects.get(site=site)
    assert task.state == TaskState.PENDING  # queued after commit; the test transaction is open
    assert f'hx-get="/tasks/{task.pk}/"' in html and 'hx-trigger="every 1s"' in html


def test_rebuild_paths_repairs_paths_and_the_finished_bar_stops_polling(
    admin_page, tree, site, eager_tasks, django_capture_on_commit_callbacks
):
    Location.objects.filter(pk=tree.bin.pk).update(path="garbage")
    with django_capture_on_commit_callbacks(execute=True):
        admin_page.post("/locations/rebuild-paths/", headers=HTMX)
    tree.bin.refresh_from_db()
    assert tree.bin.path == "Building A > Room 1 > Bin 1"
    task = TaskRecord.objects.get(site=site)
    response = admin_page.get(f"/tasks/{task.pk}/", headers=HTMX)
    html = response.content.decode()
    assert 'data-state="SUCCESS"' in html and "100%" in html
    assert "every 1s" not in html
    assert "taskFinished" in response["HX-Trigger"]


def test_task_progress_shows_a_running_task_of_this_site(tech_page, site):
    task = TaskRecord.objects.create(
        site=site, name="Import", state=TaskState.STARTED, progress=40, message="4 of 10"
    )
    fragment = tech_page.get(f"/tasks/{task.pk}/", headers=HTMX).content.decode()
    assert "<html" not in fragment
    assert '<progress max="100" value="40"' in fragment and "4 of 10" in fragment
    assert 'hx-trigger="every 1s"' in fragment
    page = tech_page.get(f"/tasks/{task.pk}/").content.decode()
    assert "<html" in page and 'value="40"' in page


def test_another_sites_task_does_not_exist(tech_page, other_site):
    task = TaskRecord.objects.create(site=other_site, name="Secret", progress=10)
    assert tech_page.get(f"/tasks/{task.pk}/").status_code == 404
    assert tech_page.get(f"/tasks/{task.pk}/", headers=HTMX).status_code == 404
