"""What the browser tests share: the screen sizes, signing in, Main Plant managed by Mona, its oil
filter, and answering a page's confirmation dialog.

The ``browser`` and ``page`` fixtures (and ``guarded_page``) are in the root conftest.
"""

from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from core.models import Role
from inventory import services
from tests.factories import PASSWORD, MembershipFactory, SiteFactory, UserFactory

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def sign_in(page, live_server, username, *, size=PHONE):
    """Sign ``username`` in through the login form on a ``size`` screen; lands on the dashboard."""
    page.set_viewport_size(size)
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("#login-submit")
    expect(page).to_have_url(f"{live_server.url}/")
    return page


@pytest.fixture
def main_plant(transactional_db):
    """The site "Main Plant" and Mona (``mona``), its manager."""
    site = SiteFactory(name="Main Plant")
    manager = UserFactory(username="mona")
    MembershipFactory(user=manager, site=site, role=Role.MANAGER)
    return SimpleNamespace(site=site, manager=manager)


def oil_filter(plant, location, **fields):
    """ "Oil filter": 10 pcs at ``location`` (also its default location) at 2.00, booked by the
    plant's manager through the service."""
    return services.part_create(
        site=plant.site,
        by=plant.manager,
        name="Oil filter",
        on_hand_qty="10",
        unit_cost="2.00",
        location=location,
        default_location=location,
        **fields,
    )


def answer_next_dialog(page, *, accept: bool) -> list[str]:
    """Accept (or dismiss) the page's next dialog; the list returned receives its message."""
    asked: list[str] = []

    def answer(dialog):
        asked.append(dialog.message)
        if accept:
            dialog.accept()
        else:
            dialog.dismiss()

    page.once("dialog", answer)
    return asked
