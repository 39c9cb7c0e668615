"""Which site an API request works in: X-Site-Id / X-Entity-Id, else the default site."""

import pytest

from core.models import Location, Role
from tests.factories import LocationFactory, MembershipFactory, UserFactory


@pytest.fixture
def two_site_user(site, other_site):
    """A technician at both sites, joined to ``other_site`` first."""
    user = UserFactory(username="roamer")
    MembershipFactory(user=user, site=other_site, role=Role.TECHNICIAN)
    MembershipFactory(user=user, site=site, role=Role.TECHNICIAN)
    return user


@pytest.fixture
def one_location_each(site, other_site):
    return LocationFactory(site=site, name="Here"), LocationFactory(site=other_site, name="There")


def names(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["name"] for row in response.json()["results"]}


@pytest.mark.parametrize("header", ["HTTP_X_SITE_ID", "HTTP_X_ENTITY_ID"])
def test_a_site_header_selects_the_site(
    api_for, two_site_user, other_site, one_location_each, header
):
    api = api_for(two_site_user)
    assert names(api.get("/api/locations/", **{header: str(other_site.pk)})) == {"There"}


def test_without_a_header_the_default_site_is_used(
    api_for, two_site_user, other_site, one_location_each
):
    two_site_user.default_site = other_site
    two_site_user.save()
    assert names(api_for(two_site_user).get("/api/locations/")) == {"There"}


def test_without_a_header_or_default_the_first_membership_by_site_name_is_used(
    api_for, two_site_user, site, one_location_each
):
    assert site.name < "North Plant"  # "Main Plant" sorts first although joined second
    assert names(api_for(two_site_user).get("/api/locations/")) == {"Here"}


def test_a_default_site_the_user_has_left_falls_back_to_a_membership(
    api_for, tech_user, other_site, one_location_each
):
    tech_user.default_site = other_site
    tech_user.save()
    assert names(api_for(tech_user).get("/api/locations/")) == {"Here"}


def test_a_site_the_user_is_not_in_is_403_with_detail_and_changes_nothing(
    manager_api, other_site, one_location_each
):
    before = Location.objects.count()
    response = manager_api.post(
        "/api/locations/", {"name": "Sneaky"}, HTTP_X_SITE_ID=str(other_site.pk)
    )
    assert response.status_code == 403
    assert "detail" in response.json()
    assert Location.objects.count() == before


def test_reading_a_site_the_user_is_not_in_is_403(tech_api, other_site, one_location_each):
    response = tech_api.get("/api/locations/", HTTP_X_ENTITY_ID=str(other_site.pk))
    assert response.status_code == 403 and "detail" in response.json()


@pytest.mark.parametrize("value", ["abc", "1.5", "1; drop table"])
def test_a_non_integer_site_header_is_400_with_detail(manager_api, value):
    before = Location.objects.count()
    response = manager_api.post("/api/locations/", {"name": "X"}, HTTP_X_SITE_ID=value)
    assert response.status_code == 400
    assert "detail" in response.json()
    assert Location.objects.count() == before


@pytest.mark.parametrize("url", ["/api/locations/", "/api/users/", "/api/tasks/"])
def test_a_user_without_any_membership_is_403_on_site_scoped_routes(api_for, db, url):
    response = api_for(UserFactory(username="drifter")).get(url)
    assert response.status_code == 403 and "detail" in response.json()


def test_a_user_without_any_membership_gets_403_for_each_batch_operation(api_for, db):
    body = {"ops": [{"method": "GET", "url": "/api/locations/"}]}
    response = api_for(UserFactory(username="drifter")).post("/api/batch/", body)
    assert response.status_code == 200
    assert response.json()["results"][0]["status"] == 403


def test_a_user_without_any_membership_still_reaches_their_account(api_for, db):
    api = api_for(UserFactory(username="drifter"))
    me = api.get("/api/user/me/")
    assert me.status_code == 200
    assert (me.json()["username"], me.json()["memberships"]) == ("drifter", [])
    sites = api.get("/api/sites/")
    assert sites.status_code == 200 and sites.json()["count"] == 0
