"""The account page: who you are, your sites and default site, and your API tokens."""

from datetime import timedelta

from django.utils import timezone
from rest_framework.test import APIClient

from core.models import APIToken, Role
from core.services import api_token_create
from tests.factories import MembershipFactory
from tests.helpers import HTMX, by_id, by_testid, field_error, html, is_full_page, root, text


def api_me_status(key: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get("/api/user/me/").status_code


def test_account_needs_login(client, db):
    response = client.get("/account/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_account_lists_your_memberships_with_roles(tech_page, tech_user, other_site):
    MembershipFactory(user=tech_user, site=other_site, role=Role.MANAGER)
    page = html(tech_page.get("/account/"))
    assert tech_user.email in text(page.find(id="main"))
    rows = by_testid(page, "memberships").tbody.find_all("tr")
    assert [[text(td) for td in row.find_all("td")] for row in rows] == [
        ["Main Plant", "Technician"],
        ["North Plant", "Manager"],
    ]


def test_account_explains_how_to_use_a_token(tech_page, site):
    help_text = text(by_id(tech_page.get("/account/"), "tokens").find("details", class_="help"))
    assert "Authorization: Token <key>" in help_text
    assert "Bearer <key>" in help_text
    assert f"X-Site-Id: {site.pk}" in help_text


def test_created_token_is_shown_once_and_works_against_the_api(tech_page, tech_user):
    response = tech_page.post("/account/tokens/new/", {"name": "ERP sync"}, headers=HTMX)
    assert not is_full_page(response) and root(response)["id"] == "tokens"
    assert "no-store" in response["Cache-Control"]
    token = APIToken.objects.get(user=tech_user, name="ERP sync")
    key = by_testid(response, "new-token-key")["value"]
    assert key.startswith(token.prefix) and APIToken.hash_key(key) == token.key_hash
    assert api_me_status(key) == 200
    # Shown once: the account page never shows it again.
    assert key not in tech_page.get("/account/").content.decode()


def test_token_create_without_htmx_renders_the_full_page_with_the_key(tech_page, tech_user):
    response = tech_page.post("/account/tokens/new/", {"name": "CLI"})
    assert response.status_code == 200 and is_full_page(response)
    key = by_testid(by_testid(response, "new-token"), "new-token-key")["value"]
    assert APIToken.hash_key(key) == APIToken.objects.get(user=tech_user, name="CLI").key_hash


def test_token_without_a_name_is_refused_at_the_field(tech_page, tech_user):
    response = tech_page.post("/account/tokens/new/", {"name": ""}, headers=HTMX)
    assert field_error(response, "id_name") == "This field is required."
    assert html(response).find(attrs={"data-testid": "new-token"}) is None
    assert not APIToken.objects.filter(user=tech_user).exists()


def test_token_expiring_in_the_past_shows_the_services_message_at_the_field(tech_page, tech_user):
    yesterday = (timezone.localdate() - timedelta(days=2)).isoformat()
    response = tech_page.post(
        "/account/tokens/new/", {"name": "Old", "expires_at": yesterday}, headers=HTMX
    )
    assert field_error(response, "id_expires_at") == "The expiry must be in the future."
    assert not APIToken.objects.filter(user=tech_user).exists()


def test_token_expiry_date_means_valid_through_that_day(tech_page, tech_user):
    day = timezone.localdate() + timedelta(days=10)
    tech_page.post("/account/tokens/new/", {"name": "Temp", "expires_at": day.isoformat()})
    expires = timezone.localtime(APIToken.objects.get(user=tech_user).expires_at)
    assert expires.date() == day + timedelta(days=1) and expires.hour == 0


def test_revoking_a_token_swaps_its_row_and_stops_it_working(tech_page, tech_user):
    token, key = api_token_create(user=tech_user, name="Scanner")
    assert api_me_status(key) == 200
    response = tech_page.post(f"/account/tokens/{token.pk}/revoke/", headers=HTMX)
    row = root(response)
    assert row.name == "tr" and row["id"] == f"token-{token.pk}"
    assert "is-inactive" in row["class"]
    assert text(row.find(class_="badge")) == "revoked"
    assert row.find("button") is None  # nothing left to revoke
    assert api_me_status(key) == 401
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_revoking_someone_elses_token_is_404(tech_page, manager_user):
    token, key = api_token_create(user=manager_user, name="Theirs")
    assert tech_page.post(f"/account/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None and api_me_status(key) == 200


def test_default_site_can_be_changed_to_a_member_site(tech_page, tech_user, other_site):
    MembershipFactory(user=tech_user, site=other_site)
    response = tech_page.post("/account/default-site/", {"site": other_site.pk})
    assert response.status_code == 302 and response["Location"] == "/account/"
    tech_user.refresh_from_db()
    assert tech_user.default_site == other_site


def test_default_site_cannot_be_a_site_you_are_not_a_member_of(tech_page, tech_user, other_site):
    response = tech_page.post("/account/default-site/", {"site": other_site.pk})
    assert response.status_code == 200
    assert field_error(response, "id_site")
    tech_user.refresh_from_db()
    assert tech_user.default_site_id != other_site.pk
