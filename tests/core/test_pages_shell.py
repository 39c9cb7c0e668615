"""The page shell: sign-in, the dashboard, navigation by role, the site switcher, error pages."""

import json
from datetime import UTC, datetime

import pytest
from django import forms

from core.errors import ServiceError
from core.forms import ServiceFormMixin
from core.models import Location, Role
from core.sites import SESSION_KEY
from core.views import server_error
from tests.factories import LocationFactory, MembershipFactory, UserFactory
from tests.pages import HTMX, page_client


@pytest.fixture
def two_site_user(site, other_site):
    """A manager at ``site`` who is also a technician at ``other_site``."""
    user = MembershipFactory(site=site, role=Role.MANAGER, user=UserFactory(username="both")).user
    MembershipFactory(site=other_site, role=Role.TECHNICIAN, user=user)
    user.default_site = site
    user.save()
    return user


# --- Sign-in --------------------------------------------------------------------------------------


def test_login_page_renders_the_form_browser_tests_rely_on(client, db):
    html = client.get("/login/").content.decode()
    for fragment in (
        'id="login-form"',
        'method="post"',
        'name="username"',
        'id="id_username"',
        'name="password"',
        'id="id_password"',
        'id="login-submit"',
        "csrfmiddlewaretoken",
    ):
        assert fragment in html, fragment


def test_login_with_the_right_password_lands_on_the_dashboard_of_the_default_site(
    client, tech_user, site
):
    response = client.post("/login/", {"username": "tech", "password": "pw-for-tests-1"})
    assert response.status_code == 302 and response["Location"] == "/"
    dashboard = client.get("/")
    assert dashboard.status_code == 200
    assert 'data-testid="current-site">Main Plant<' in dashboard.content.decode()


def test_login_with_a_wrong_password_shows_an_error_and_signs_nobody_in(client, tech_user):
    response = client.post("/login/", {"username": "tech", "password": "wrong"})
    assert response.status_code == 200
    assert 'class="alert alert-error form-errors"' in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_dashboard_redirects_anonymous_visitors_to_login(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/"


def test_an_htmx_request_without_a_session_reloads_into_the_login_page(client, db):
    response = client.get("/locations/", headers=HTMX)
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith("/login/?next=")


def test_logout_needs_post_and_ends_the_session(tech_page):
    assert tech_page.get("/logout/").status_code == 405
    response = tech_page.post("/logout/")
    assert response.status_code == 302
    assert tech_page.get("/").status_code == 302


# --- Dashboard and navigation ---------------------------------------------------------------------


def test_dashboard_shows_the_site_facts_and_counts_only_this_site(manager_page, site, other_site):
    site.time_zone, site.currency = "Europe/Berlin", "EUR"
    site.save()
    LocationFactory.create_batch(3, site=site)
    LocationFactory.create_batch(5, site=other_site)
    html = manager_page.get("/").content.decode()
    assert 'data-testid="site-time-zone">Europe/Berlin<' in html
    assert 'data-testid="site-currency">EUR<' in html
    assert 'data-testid="your-role">Manager<' in html
    assert 'data-testid="location-count">3<' in html
    assert 'data-testid="member-count">1<' in html
    for soon in ("Work orders", "Maintenance", "Inventory", "Builds"):
        assert soon in html


def test_nav_offers_write_links_to_managers_only(tech_page, manager_page):
    tech_html = tech_page.get("/").content.decode()
    manager_html = manager_page.get("/").content.decode()
    assert 'data-testid="nav-locations"' in tech_html
    assert 'data-testid="nav-new-location"' not in tech_html
    assert 'data-testid="nav-new-location"' in manager_html


def test_django_admin_link_is_for_superusers_only(manager_page, manager_user):
    assert 'data-testid="nav-django-admin"' not in manager_page.get("/").content.decode()
    manager_user.is_superuser = True
    manager_user.save()
    assert 'data-testid="nav-django-admin"' in manager_page.get("/").content.decode()


def test_pages_load_nothing_from_the_internet(tech_page):
    html = tech_page.get("/").content.decode()
    assert "/static/django_htmx/htmx-2.min.js" in html
    assert (
        'src="http' not in html and 'href="http' not in html and "//" not in html.replace("://", "")
    )


def test_user_without_any_site_gets_the_no_site_page(db):
    client = page_client(UserFactory(username="nobody"))
    response = client.get("/")
    assert response.status_code == 403
    assert 'data-testid="no-site"' in response.content.decode()


def test_times_are_shown_in_the_site_time_zone(tech_page, site):
    site.time_zone = "Asia/Tokyo"
    site.save()
    location = LocationFactory(site=site, name="Hall")
    Location.objects.filter(pk=location.pk).update(
        updated_at=datetime(2024, 1, 1, 0, 0, tzinfo=UTC)
    )
    html = tech_page.get(f"/locations/{location.pk}/").content.decode()
    assert "Jan. 1, 2024, 9 a.m." in html


# --- Site switcher --------------------------------------------------------------------------------


def test_site_switcher_form_contract(two_site_user, site, other_site):
    html = page_client(two_site_user).get("/").content.decode()
    form = html[html.index('<form id="site-switcher"') :]
    form = form[: form.index("</form>")]
    assert 'method="post" action="/site/switch/"' in form
    assert '<select id="site-switcher-select" name="site" data-autosubmit>' in form
    assert f'<option value="{other_site.pk}">North Plant</option>' in form
    assert f'value="{site.pk}"' not in form  # the current site is not offered
    assert 'id="site-switcher-submit"' in form


def test_site_switcher_is_hidden_with_only_one_site(tech_page):
    html = tech_page.get("/").content.decode()
    assert 'data-testid="current-site">Main Plant<' in html
    assert 'id="site-switcher"' not in html


def test_switching_to_a_member_site_shows_that_sites_data(two_site_user, other_site):
    LocationFactory(site=other_site, name="North Hall")
    client = page_client(two_site_user)
    response = client.post("/site/switch/", {"site": other_site.pk, "next": "/locations/"})
    assert response.status_code == 302 and response["Location"] == "/locations/"
    assert client.session[SESSION_KEY] == other_site.pk
    html = client.get("/locations/").content.decode()
    assert 'data-testid="current-site">North Plant<' in html
    assert "North Hall" in html
    # The role shown is the one at the new site.
    assert 'data-testid="your-role">Technician<' in client.get("/").content.decode()


def test_switching_to_a_site_you_are_not_a_member_of_is_refused(manager_page, site, other_site):
    response = manager_page.post("/site/switch/", {"site": other_site.pk})
    assert response.status_code == 403
    assert manager_page.session[SESSION_KEY] == site.pk
    assert 'data-testid="current-site">Main Plant<' in manager_page.get("/").content.decode()


def test_switching_by_htmx_reloads_the_whole_page(two_site_user, other_site):
    client = page_client(two_site_user)
    response = client.post("/site/switch/", {"site": other_site.pk, "next": "/"}, headers=HTMX)
    assert response["HX-Redirect"] == "/"
    assert client.session[SESSION_KEY] == other_site.pk


def test_switching_without_a_site_goes_back_with_a_message(two_site_user, site):
    client = page_client(two_site_user)
    response = client.post("/site/switch/", {"site": "", "next": "/locations/"}, follow=True)
    assert response.redirect_chain == [("/locations/", 302)]
    assert "Choose a site to switch to." in response.content.decode()
    assert client.session[SESSION_KEY] == site.pk


def test_switching_never_redirects_off_site(two_site_user, other_site):
    client = page_client(two_site_user)
    response = client.post(
        "/site/switch/", {"site": other_site.pk, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


# --- Error pages and form errors ------------------------------------------------------------------


def test_unknown_page_is_a_friendly_404(tech_page):
    response = tech_page.get("/no-such-page/")
    assert response.status_code == 404
    assert "Back to the dashboard" in response.content.decode()


def test_server_error_page_renders_without_the_request_context(rf):
    response = server_error(rf.get("/locations/"))
    assert response.status_code == 500
    assert "Server error" in response.content.decode()
    assert json.loads(server_error(rf.get("/api/locations/")).content) == {
        "detail": "Server error."
    }


class _ExampleForm(ServiceFormMixin, forms.Form):
    name = forms.CharField()
    quantity = forms.IntegerField()


def test_service_errors_land_on_their_field_and_the_rest_above_the_form():
    form = _ExampleForm({"name": "x", "quantity": "1"})
    assert form.is_valid()
    form.add_service_errors(
        ServiceError(
            {"quantity": ["Only 2 on hand."], "note": ["Needed."], "non_field_errors": "No."}
        )
    )
    assert form.errors["quantity"] == ["Only 2 on hand."]
    assert form.non_field_errors() == ["Needed.", "No."]
    assert "name" not in form.errors
