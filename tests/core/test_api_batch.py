"""POST /api/batch/: up to 100 operations, run in order, each with the caller's permissions."""

import pytest

from core.models import Location, Membership, Role
from tests.factories import LocationFactory, MembershipFactory


def run(api, *ops, **options):
    response = api.post("/api/batch/", {"ops": list(ops), **options})
    assert response.status_code == 200, response.content
    return response.json()["results"]


def op(method: str, url: str, params=None) -> dict:
    return {"method": method, "url": url, **({"params": params} if params is not None else {})}


def test_operations_run_in_order_and_each_reports_status_and_body(manager_api, site):
    results = run(
        manager_api,
        op("POST", "/api/locations/", {"name": "Hall"}),
        op("PATCH", "/api/locations/", {"name": "nope"}),
        op("GET", "/api/user/me/"),
    )
    assert [r["status"] for r in results] == [201, 405, 200]
    assert all(set(r) == {"status", "body"} for r in results)
    assert results[0]["body"]["path"] == "Hall"
    assert results[2]["body"]["username"] == "manager"
    hall = Location.objects.get(site=site, name="Hall")
    assert results[0]["body"]["id"] == hall.pk and hall.path == "Hall"


def test_a_later_operation_sees_what_an_earlier_one_created(manager_api):
    results = run(
        manager_api,
        op("POST", "/api/locations/", {"name": "Hall"}),
        op("GET", "/api/locations/", {"q": "hall"}),
    )
    assert [row["name"] for row in results[1]["body"]["results"]] == ["Hall"]


def test_get_params_become_the_query_string(tech_api, tree):
    results = run(
        tech_api, op("GET", "/api/locations/?depth=1"), op("GET", "/api/locations/", {"depth": 2})
    )
    assert [row["name"] for row in results[0]["body"]["results"]] == ["Room 1"]
    assert [row["name"] for row in results[1]["body"]["results"]] == ["Bin 1"]


def test_operations_run_with_the_callers_permissions(tech_api, tree, site, location_rows):
    before = location_rows(site)
    results = run(
        tech_api,
        op("POST", "/api/locations/", {"name": "Hall"}),
        op("DELETE", f"/api/locations/{tree.bin.pk}/"),
        op("GET", f"/api/locations/{tree.bin.pk}/"),
    )
    assert [r["status"] for r in results] == [403, 403, 200]
    assert "detail" in results[0]["body"]
    assert location_rows(site) == before


def test_a_failed_operation_of_a_plain_batch_does_not_undo_the_others(manager_api, site):
    results = run(
        manager_api,
        op("POST", "/api/locations/", {"name": "Hall"}),
        op("POST", "/api/locations/", {"name": ""}),
        op("POST", "/api/locations/", {"name": "Yard"}),
    )
    assert [r["status"] for r in results] == [201, 400, 201]
    assert results[1]["body"] == {"name": [results[1]["body"]["name"][0]]}
    assert set(Location.objects.for_site(site).values_list("name", flat=True)) == {"Hall", "Yard"}


def test_an_atomic_batch_stops_at_the_first_failure_and_commits_nothing(manager_api, site):
    response = manager_api.post(
        "/api/batch/",
        {
            "atomic": True,
            "ops": [
                op("POST", "/api/locations/", {"name": "Hall"}),
                op("POST", "/api/locations/", {"name": "Hall"}),
                op("POST", "/api/locations/", {"name": "Yard"}),
            ],
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert [r["status"] for r in body["results"]] == [201, 400, 424]
    assert "detail" in body["results"][2]["body"]
    assert body["committed"] is False
    assert not Location.objects.for_site(site).exists()


def test_an_atomic_batch_that_succeeds_commits_everything(manager_api, site):
    results = run(
        manager_api,
        op("POST", "/api/locations/", {"name": "Hall"}),
        op("POST", "/api/locations/", {"name": "Yard"}),
        atomic=True,
    )
    assert [r["status"] for r in results] == [201, 201]
    assert set(Location.objects.for_site(site).values_list("name", flat=True)) == {"Hall", "Yard"}


def test_the_batch_site_header_applies_to_its_operations(api_for, site, other_site):
    user = MembershipFactory(site=site, role=Role.MANAGER).user
    MembershipFactory(user=user, site=other_site, role=Role.MANAGER)
    LocationFactory(site=other_site, name="There")
    results = run(
        api_for(user, other_site),
        op("GET", "/api/locations/"),
        op("POST", "/api/locations/", {"name": "New"}),
    )
    assert [row["name"] for row in results[0]["body"]["results"]] == ["There"]
    assert Location.objects.get(name="New").site == other_site


def test_a_batch_header_naming_a_foreign_site_refuses_each_operation(manager_api, other_site):
    response = manager_api.post(
        "/api/batch/",
        {"ops": [op("POST", "/api/locations/", {"name": "Hall"})]},
        HTTP_X_SITE_ID=str(other_site.pk),
    )
    assert response.json()["results"][0]["status"] == 403
    assert not Location.objects.exists()


def test_an_unknown_url_is_a_404_result(tech_api):
    results = run(tech_api, op("GET", "/api/no-such-thing/"), op("GET", "/api/user/me/"))
    assert results[0] == {"status": 404, "body": {"detail": results[0]["body"]["detail"]}}
    assert results[1]["status"] == 200


def test_roles_changed_by_an_operation_apply_to_the_next_one(admin_api, admin_user, site):
    MembershipFactory(site=site, role=Role.ADMIN)  # so the caller may step down
    results = run(
        admin_api,
        op("PATCH", f"/api/users/{admin_user.pk}/", {"role": "technician"}),
        op("POST", "/api/locations/", {"name": "Hall"}),
    )
    assert [r["status"] for r in results] == [200, 403]
    assert Membership.objects.get(user=admin_user, site=site).role == Role.TECHNICIAN
    assert not Location.objects.exists()


HALL = op("POST", "/api/locations/", {"name": "Hall"})  # valid, so it proves nothing ran
MALFORMED_OPS = {
    "101 ops": [HALL] + [op("GET", "/api/user/me/")] * 100,
    "empty ops": [],
    "ops not a list": "GET /api/",
    "url outside /api/": [HALL, op("GET", "/locations/")],
    "absolute url": [HALL, op("GET", "https://example.com/api/")],
    "nested batch": [HALL, op("POST", "/api/batch/", {"ops": []})],
    "nested batch with query": [HALL, op("POST", "/api/batch?x=1", {"ops": []})],
    "unknown method": [HALL, op("TRACE", "/api/")],
    "no method": [HALL, {"url": "/api/"}],
}


@pytest.mark.parametrize("ops", MALFORMED_OPS.values(), ids=MALFORMED_OPS.keys())
def test_a_malformed_batch_is_400_and_runs_nothing(manager_api, ops):
    response = manager_api.post("/api/batch/", {"ops": ops})
    assert response.status_code == 400
    assert "ops" in response.json()
    assert not Location.objects.exists()


def test_a_batch_without_ops_is_400(manager_api):
    response = manager_api.post("/api/batch/", {"atomic": True})
    assert response.status_code == 400 and "ops" in response.json()


def test_a_batch_of_100_operations_is_accepted(tech_api):
    results = run(tech_api, *[op("GET", "/api/")] * 100)
    assert len(results) == 100 and {r["status"] for r in results} == {200}


def test_an_unauthenticated_batch_is_401_and_runs_nothing(anon_api, site):
    response = anon_api.post("/api/batch/", {"ops": [HALL]}, HTTP_X_SITE_ID=str(site.pk))
    assert response.status_code == 401 and "detail" in response.json()
    assert not Location.objects.exists()


def test_an_answer_that_is_not_json_is_reported_as_text(tech_api):
    results = run(tech_api, op("GET", "/api/schema/"), op("GET", "/api/user/me/"))
    assert results[0]["status"] == 200
    assert isinstance(results[0]["body"], str) and "openapi" in results[0]["body"]
    assert results[1]["status"] == 200
