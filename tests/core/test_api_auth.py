"""Who gets into the API: anonymous callers, tokens (Token and Bearer), HTTP basic, /api/user/*."""

import base64
from datetime import timedelta

import pytest
from django.urls import get_resolver
from django.utils import timezone
from rest_framework.test import APIClient

from core.models import APIToken
from core.services import api_token_create, api_token_revoke
from tests.factories import PASSWORD, LocationFactory, UserFactory

METHODS = ("get", "post", "put", "patch", "delete")


def api_routes() -> list[str]:
    """Every URL under /api/ the URLconf can produce, with placeholder values for its arguments."""
    values = {"format": "json"}
    urls = set()
    for _view, entries in get_resolver().reverse_dict.lists():
        for possibilities, _pattern, _defaults, _converters in entries:
            for template, params in possibilities:
                url = "/" + template % {p: values.get(p, "1") for p in params}
                if url.startswith("/api/"):
                    urls.add(url)
    return sorted(urls)


ROUTES = api_routes()


def client_with(header: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    return client


def basic(username: str, password: str = PASSWORD) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


# --- Anonymous callers ----------------------------------------------------------------------------


def test_the_route_walk_finds_the_core_api():
    expected = {"/api/", "/api/schema/", "/api/docs/", "/api/locations/", "/api/locations/1/"}
    expected |= {"/api/batch/", "/api/tasks/1/", "/api/user/token/", "/api/user/tokens/1/"}
    assert expected <= set(ROUTES)


@pytest.mark.parametrize("url", [u for u in ROUTES if u != "/api/"])
def test_every_api_route_refuses_anonymous_callers(db, anon_api, url):
    for method in METHODS:
        response = getattr(anon_api, method)(url)
        assert response.status_code in (401, 403), (method, url, response.status_code)


def test_api_root_answers_anonymous_callers_with_server_and_versions(db, anon_api):
    response = anon_api.get("/api/")
    assert response.status_code == 200
    body = response.json()
    assert body["server"] == "Shopwright"
    assert body["apiVersion"] == 477
    assert isinstance(body["version"], str) and body["version"]


# --- Tokens ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("keyword", ["Token", "Bearer"])
def test_a_token_authenticates_with_either_keyword(tech_user, keyword):
    _token, key = api_token_create(user=tech_user, name="ci")
    response = client_with(f"{keyword} {key}").get("/api/user/me/")
    assert response.status_code == 200
    assert response.json()["username"] == tech_user.username


def test_a_wrong_key_is_401(tech_user):
    api_token_create(user=tech_user, name="ci")
    response = client_with("Token not-a-real-key").get("/api/user/me/")
    assert response.status_code == 401
    assert "detail" in response.json()


def test_a_token_header_without_a_key_is_401(db):
    assert client_with("Token").get("/api/user/me/").status_code == 401


def test_a_revoked_token_is_401(tech_user):
    token, key = api_token_create(user=tech_user, name="ci")
    api_token_revoke(token=token, by=tech_user)
    assert client_with(f"Token {key}").get("/api/user/me/").status_code == 401


def test_an_expired_token_is_401(tech_user):
    token, key = api_token_create(
        user=tech_user, name="ci", expires_at=timezone.now() + timedelta(days=1)
    )
    APIToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client_with(f"Token {key}").get("/api/user/me/").status_code == 401


def test_a_token_of_an_inactive_user_is_401(tech_user):
    _token, key = api_token_create(user=tech_user, name="ci")
    tech_user.is_active = False
    tech_user.save()
    assert client_with(f"Token {key}").get("/api/user/me/").status_code == 401


def test_using_a_token_records_when_it_was_last_used(tech_user):
    token, key = api_token_create(user=tech_user, name="ci")
    client_with(f"Token {key}").get("/api/user/me/")
    token.refresh_from_db()
    assert token.last_used_at is not None


# --- HTTP basic and the token endpoint ------------------------------------------------------------


def test_http_basic_authenticates_on_the_api(tech_user, site):
    hall = LocationFactory(site=site, name="Hall")
    response = client_with(basic(tech_user.username)).get("/api/locations/")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [hall.pk]


def test_token_endpoint_trades_basic_credentials_for_a_working_token(tech_user):
    response = client_with(basic(tech_user.username)).get("/api/user/token/", {"name": "laptop"})
    assert response.status_code == 200
    key = response.json()["token"]
    me = client_with(f"Token {key}").get("/api/user/me/")
    assert me.status_code == 200 and me.json()["id"] == tech_user.pk
    assert APIToken.objects.get(user=tech_user).name == "laptop"


def test_token_endpoint_without_basic_credentials_is_401(tech_api):
    anonymous = APIClient().get("/api/user/token/")
    assert anonymous.status_code == 401
    assert tech_api.get("/api/user/token/").status_code == 401  # a token cannot mint tokens


def test_token_endpoint_with_a_wrong_password_is_401_and_issues_nothing(tech_user):
    response = client_with(basic(tech_user.username, "wrong")).get("/api/user/token/")
    assert response.status_code == 401
    assert not APIToken.objects.filter(user=tech_user).exists()


# --- /api/user/me/ --------------------------------------------------------------------------------


def test_me_describes_the_user_and_their_memberships(tech_api, tech_user, site):
    body = tech_api.get("/api/user/me/").json()
    assert set(body) == {
        "id",
        "username",
        "first_name",
        "last_name",
        "email",
        "default_site",
        "memberships",
        "is_superuser",
    }
    assert body["id"] == tech_user.pk and body["username"] == "tech"
    assert body["memberships"] == [{"site": site.pk, "site_name": site.name, "role": "technician"}]


def test_me_patch_sets_the_default_site_to_a_site_of_the_user(tech_api, tech_user, site):
    response = tech_api.patch("/api/user/me/", {"default_site": site.pk})
    assert response.status_code == 200 and response.json()["default_site"] == site.pk
    tech_user.refresh_from_db()
    assert tech_user.default_site_id == site.pk


def test_me_patch_to_a_site_the_user_is_not_in_is_400_and_changes_nothing(
    tech_api, tech_user, other_site
):
    response = tech_api.patch("/api/user/me/", {"default_site": other_site.pk, "first_name": "X"})
    assert response.status_code == 400
    assert isinstance(response.json()["default_site"], list)
    tech_user.refresh_from_db()
    assert tech_user.default_site_id is None and tech_user.first_name != "X"


def test_me_patch_with_null_clears_the_default_site(tech_api, tech_user, site):
    tech_user.default_site = site
    tech_user.save()
    response = tech_api.patch("/api/user/me/", {"default_site": None})
    assert response.status_code == 200
    tech_user.refresh_from_db()
    assert tech_user.default_site_id is None


def test_me_cannot_change_username_or_superuser_flag(tech_api, tech_user):
    tech_api.patch("/api/user/me/", {"username": "root", "is_superuser": True})
    tech_user.refresh_from_db()
    assert tech_user.username == "tech" and not tech_user.is_superuser


# --- /api/user/tokens/ ----------------------------------------------------------------------------


def test_token_list_shows_own_tokens_without_keys(tech_api, tech_user, manager_user):
    api_token_create(user=tech_user, name="laptop")
    api_token_create(user=manager_user, name="not mine")
    rows = tech_api.get("/api/user/tokens/").json()
    assert {row["name"] for row in rows} == {"tests", "laptop"}  # "tests": the fixture's token
    assert all("token" not in row and "key" not in row and "key_hash" not in row for row in rows)


def test_token_create_shows_the_key_once_and_it_works(tech_api, tech_user):
    response = tech_api.post("/api/user/tokens/", {"name": "scanner"})
    assert response.status_code == 201
    key = response.json()["token"]
    stored = APIToken.objects.get(user=tech_user, name="scanner")
    assert stored.key_hash == APIToken.hash_key(key) and key.startswith(stored.prefix)
    assert stored.revoked_at is None and stored.expires_at is None
    assert client_with(f"Bearer {key}").get("/api/user/me/").status_code == 200
    listed = tech_api.get("/api/user/tokens/").json()
    assert key not in str(listed)


def test_a_revoked_token_stops_working(tech_api, tech_user):
    token, key = api_token_create(user=tech_user, name="old")
    response = tech_api.delete(f"/api/user/tokens/{token.pk}/")
    assert response.status_code == 204
    assert client_with(f"Token {key}").get("/api/user/me/").status_code == 401
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_someone_elses_token_is_404_and_stays_active(tech_api, manager_user):
    token, key = api_token_create(user=manager_user, name="theirs")
    assert tech_api.delete(f"/api/user/tokens/{token.pk}/").status_code == 404
    assert client_with(f"Token {key}").get("/api/user/me/").status_code == 200


def test_a_user_without_a_password_cannot_use_basic_auth(db):
    user = UserFactory(username="sso")
    user.set_unusable_password()
    user.save()
    assert client_with(basic("sso")).get("/api/user/token/").status_code == 401
    assert not APIToken.objects.filter(user=user).exists()
