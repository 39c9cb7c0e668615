"""In the browser: sign in, switch site with the switcher, and see only that site's locations."""

import pytest
from playwright.sync_api import expect

from core.models import Role
from tests.e2e.conftest import DESKTOP, sign_in
from tests.factories import LocationFactory, MembershipFactory, SiteFactory, UserFactory

pytestmark = pytest.mark.e2e

SCREENSHOT = "/tmp/e2e-switch.png"


@pytest.fixture
def two_site_user(transactional_db):
    main, north = SiteFactory(name="Main Plant"), SiteFactory(name="North Plant")
    user = UserFactory(username="mia")
    MembershipFactory(user=user, site=main, role=Role.MANAGER)
    MembershipFactory(user=user, site=north, role=Role.TECHNICIAN)
    user.default_site = main
    user.save(update_fields=["default_site"])
    LocationFactory(site=main, name="Machine Shop")
    LocationFactory(site=north, name="Packaging Line")
    return user


def test_login_then_switch_site_shows_the_other_sites_locations(page, live_server, two_site_user):
    sign_in(page, live_server, "mia", size=DESKTOP)  # lands on the dashboard
    current_site = page.locator('[data-testid="current-site"]')
    expect(current_site).to_have_text("Main Plant")

    # The site pill is the switcher: it opens a list of the other sites, one button each.
    current_site.click()
    page.get_by_role("button", name="North Plant").click()
    expect(current_site).to_have_text("North Plant")

    page.goto("/locations/")
    expect(current_site).to_have_text("North Plant")
    body = page.locator("body")
    expect(body).to_contain_text("Packaging Line")
    expect(page.get_by_text("Packaging Line").first).to_be_visible()
    expect(body).not_to_contain_text("Machine Shop")
    page.screenshot(path=SCREENSHOT, full_page=True)
