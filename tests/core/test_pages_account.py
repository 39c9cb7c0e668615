"""The account page: who you are, your sites and default site, and your API tokens."""

from datetime import timedelta

from django.utils import timezone
from rest_framework.test import APIClient

from core.models import APIToken, Role
from core.services import api_token_create
from tests.factories import MembershipFactory
from tests.pages import HTMX


def api_me_status(key: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get("/api/user/me/").status_code


def test_account_needs_login(client, db):
    response = client.get("/account/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_account_lists_your_memberships_with_roles(tech_page, tech_user, other_site):
    MembershipFactory(user=tech_user, site=other_site, role=Role.MANAGER)
    html = tech_page.get("/account/").content.decode()
    assert tech_user.email in html
    table = html[html.index('data-testid="memberships"') :]
    table = table[: table.index("</table>")]
    assert "Main Plant" in table and "Technician" in table
    assert "North Plant" in table and "Manager" in table


def test_account_explains_how_to_use_a_token(tech_page, site):
    html = tech_page.get("/account/").content.decode()
    assert "Authorization: Token &lt;key&gt;" in html
    assert "Bearer &lt;key&gt;" in html
    assert f"X-Site-Id: {site.pk}" in html


def test_created_token_is_shown_once_and_works_against_the_api(tech_page, tech_user):
    response = tech_page.post("/account/tokens/new/", {"name": "ERP sync"}, headers=HTMX)
    html = response.content.decode()
    assert "<html" not in html and html.lstrip().startswith('<section class="card" id="tokens"')
    assert "no-store" in response["Cache-Control"]
    token = APIToken.objects.get(user=tech_user, name="ERP sync")
    marker = 'data-testid="new-token-key"'
    assert marker in html
    key = html.split('id="new-token-key" class="key" value="', 1)[1].split('"', 1)[0]
    assert key.startswith(token.prefix) and APIToken.hash_key(key) == token.key_hash
    assert api_me_status(key) == 200
    # Shown once: the account page never shows it again.
    assert key not in tech_page.get("/account/").content.decode()


def test_token_create_without_htmx_renders_the_full_page_with_the_key(tech_page, tech_user):
    response = tech_page.post("/account/tokens/new/", {"name": "CLI"})
    html = response.content.decode()
    assert response.status_code == 200 and "<html" in html
    assert 'data-testid="new-token"' in html


def test_token_without_a_name_is_refused_at_the_field(tech_page, tech_user):
    html = tech_page.post("/account/tokens/new/", {"name": ""}, headers=HTMX).content.decode()
    assert 'id="id_name_error"' in html
    assert 'data-testid="new-token"' not in html
    assert not APIToken.objects.filter(user=tech_user).exists()


def test_token_expiring_in_the_past_shows_the_services_message_at_the_field(tech_page, tech_user):
    yesterday = (timezone.localdate() - timedelta(days=2)).isoformat()
    html = tech_page.post(
        "/account/tokens/new/", {"name": "Old", "expires_at": yesterday}, headers=HTMX
    ).content.decode()
    errors = html[html.index('id="id_expires_at_error"') :]
    assert "The expiry must be in the future." in errors[: errors.index("</ul>")]
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
    html = response.content.decode()
    assert html.lstrip().startswith(f'<tr id="token-{token.pk}" class="is-inactive">')
    assert "revoked" in html and "Revoke</button>" not in html
    assert api_me_status(key) == 401


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
    assert 'id="id_site_error"' in response.content.decode()
    tech_user.refresh_from_db()
    assert tech_user.default_site_id != other_site.pk
