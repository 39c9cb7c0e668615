"""The page shell: sign-in, the dashboard, navigation by role, the site switcher, error pages."""

import json
from datetime import UTC, datetime

import pytest
from django import forms
from django.urls import reverse

from core.errors import ServiceError
from core.forms import ServiceFormMixin
from core.models import Location, Role
from core.sites import SESSION_KEY
from core.views import server_error
from tests.factories import PASSWORD, LocationFactory, MembershipFactory, UserFactory
from tests.helpers import (
    HTMX,
    all_by_testid,
    by_id,
    by_testid,
    html,
    page_client,
    text,
)


def current_site(response) -> str:
    return text(by_testid(response, "current-site"))


def messages_shown(response) -> str:
    return text(html(response).find("div", class_="messages", attrs={"role": "status"}))


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
    form = by_id(client.get("/login/"), "login-form")
    assert form.name == "form" and form["method"] == "post" and form["action"] == "/login/"
    assert by_id(form, "id_username")["name"] == "username"
    assert by_id(form, "id_password")["name"] == "password"
    assert by_id(form, "id_password")["type"] == "password"
    assert by_id(form, "login-submit")["type"] == "submit"
    assert form.find("input", attrs={"name": "csrfmiddlewaretoken", "type": "hidden"})


def test_login_with_the_right_password_lands_on_the_dashboard_of_the_default_site(
    client, tech_user, site
):
    response = client.post("/login/", {"username": "tech", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    dashboard = client.get("/")
    assert dashboard.status_code == 200
    assert current_site(dashboard) == "Main Plant"


def test_login_with_a_wrong_password_shows_an_error_and_signs_nobody_in(client, tech_user):
    response = client.post("/login/", {"username": "tech", "password": "wrong"})
    assert response.status_code == 200
    errors = by_id(response, "login-form").find(class_="form-errors")
    assert errors["role"] == "alert" and "correct username and password" in text(errors)
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
    assert "_auth_user_id" in tech_page.session  # GET did not sign out
    response = tech_page.post("/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in tech_page.session
    assert tech_page.get("/").status_code == 302


# --- Dashboard and navigation ---------------------------------------------------------------------


def test_dashboard_shows_the_site_facts_and_counts_only_this_site(manager_page, site, other_site):
    site.time_zone, site.currency = "Europe/Berlin", "EUR"
    site.save()
    LocationFactory.create_batch(3, site=site)
    LocationFactory.create_batch(5, site=other_site)
    page = html(manager_page.get("/"))
    facts = ("site-time-zone", "site-currency", "your-role", "location-count", "member-count")
    assert [text(by_testid(page, testid)) for testid in facts] == [
        "Europe/Berlin",
        "EUR",
        "Manager",
        "3",
        "1",
    ]
    assert "soon" not in text(page.find("main")).lower()  # only what is there


def test_nav_holds_places_not_actions_and_nothing_that_is_not_there_yet(tech_page, manager_page):
    for client in (tech_page, manager_page):
        page = client.get("/")
        nav = html(page).find(id="main-nav")
        assert by_testid(page, "nav-locations")["href"] == "/locations/"
        assert not all_by_testid(page, "nav-new-location")  # on the locations page instead
        assert "soon" not in text(nav).lower()
    assert by_testid(manager_page.get("/locations/"), "location-new")["href"] == "/locations/new/"


def test_phones_get_a_tab_bar_with_home_scan_parts_and_menu(tech_page):
    bar = by_testid(tech_page.get("/parts/"), "tabbar")
    tabs = [(a["data-testid"], a["href"]) for a in bar.find_all("a")]
    assert tabs == [
        ("tab-dashboard", "/"),
        ("tab-scan", "/scan/"),
        ("tab-parts", "/parts/"),
        ("tab-menu", "#main-nav"),
    ]
    assert by_testid(bar, "tab-parts")["aria-current"] == "page"
    assert by_testid(bar, "tab-menu")["aria-controls"] == "main-nav"


def test_django_admin_link_is_for_superusers_only(manager_page, manager_user):
    assert not all_by_testid(manager_page.get("/"), "nav-django-admin")
    manager_user.is_superuser = True
    manager_user.save()
    assert by_testid(manager_page.get("/"), "nav-django-admin")["href"] == reverse("admin:index")


def test_pages_load_nothing_from_the_internet(tech_page):
    response = tech_page.get("/")
    scripts = [script["src"] for script in html(response).find_all("script", src=True)]
    assert "/static/django_htmx/htmx-2.min.js" in scripts
    linked = scripts + [link["href"] for link in html(response).find_all("link", href=True)]
    assert all(url.startswith(("/", "data:")) and not url.startswith("//") for url in linked)
    page = response.content.decode()
    assert "//" not in page.replace("://", "")  # no protocol-relative URL anywhere, scripts too
    assert 'src="http' not in page and 'href="http' not in page


def test_user_without_any_site_gets_the_no_site_page(db):
    client = page_client(UserFactory(username="nobody"))
    response = client.get("/")
    assert response.status_code == 403
    assert "not a member of any site" in text(by_testid(response, "no-site").h1)


def test_times_are_shown_in_the_site_time_zone(tech_page, site):
    site.time_zone = "Asia/Tokyo"
    site.save()
    location = LocationFactory(site=site, name="Hall")
    Location.objects.filter(pk=location.pk).update(
        updated_at=datetime(2024, 1, 1, 0, 0, tzinfo=UTC)
    )
    changed = html(tech_page.get(f"/locations/{location.pk}/")).find("main").find("time")
    assert changed["datetime"] == "2024-01-01T09:00:00+09:00"
    assert text(changed) == "Jan. 1, 2024, 9 a.m."


# --- Site switcher --------------------------------------------------------------------------------


def test_site_switcher_form_contract(two_site_user, site, other_site):
    page = page_client(two_site_user).get("/")
    assert current_site(page) == "Main Plant"  # the pill opens the switcher
    form = by_id(page, "site-switcher")
    assert (form.name, form["method"], form["action"]) == ("form", "post", "/site/switch/")
    offered = [(b["name"], b["value"], text(b)) for b in form.find_all("button")]
    assert offered == [("site", str(other_site.pk), "North Plant")]  # not the current site
    assert all(b.get("type", "submit") == "submit" for b in form.find_all("button"))


def test_site_switcher_is_hidden_with_only_one_site(tech_page):
    response = tech_page.get("/")
    assert current_site(response) == "Main Plant"
    assert html(response).find(id="site-switcher") is None


def test_switching_to_a_member_site_shows_that_sites_data(two_site_user, other_site):
    LocationFactory(site=other_site, name="North Hall")
    client = page_client(two_site_user)
    response = client.post("/site/switch/", {"site": other_site.pk, "next": "/locations/"})
    assert response.status_code == 302 and response["Location"] == "/locations/"
    assert client.session[SESSION_KEY] == other_site.pk
    locations = client.get("/locations/")
    assert current_site(locations) == "North Plant"
    shown = [text(a) for a in html(locations).find_all("a", class_="tree-name")]
    assert shown == ["North Hall"]
    # The role shown is the one at the new site.
    assert text(by_testid(client.get("/"), "your-role")) == "Technician"


def test_switching_to_a_site_you_are_not_a_member_of_is_refused(manager_page, site, other_site):
    response = manager_page.post("/site/switch/", {"site": other_site.pk})
    assert response.status_code == 403
    assert manager_page.session[SESSION_KEY] == site.pk
    assert current_site(manager_page.get("/")) == "Main Plant"


def test_switching_by_htmx_reloads_the_whole_page(two_site_user, other_site):
    client = page_client(two_site_user)
    response = client.post("/site/switch/", {"site": other_site.pk, "next": "/"}, headers=HTMX)
    assert response["HX-Redirect"] == "/"
    assert client.session[SESSION_KEY] == other_site.pk


def test_switching_without_a_site_goes_back_with_a_message(two_site_user, site):
    client = page_client(two_site_user)
    response = client.post("/site/switch/", {"site": "", "next": "/locations/"}, follow=True)
    assert response.redirect_chain == [("/locations/", 302)]
    assert messages_shown(response) == "Choose a site to switch to."
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
    page = html(response)
    assert text(page.find("h1")) == "Not found"
    assert page.find("main").find("a", string="Back to the dashboard")["href"] == "/"


def test_server_error_page_renders_without_the_request_context(rf):
    response = server_error(rf.get("/locations/"))
    assert response.status_code == 500
    assert text(html(response).find("h1")) == "Server error"
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
