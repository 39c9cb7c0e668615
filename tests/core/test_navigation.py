"""``core.navigation``: the places apps register, written once per language, prefix and page."""

import pytest
from django.utils import translation

from core import navigation
from tests.helpers import html


def places(markup) -> list[tuple[str, str, bool]]:
    return [(a["data-testid"], a["href"], a.has_attr("aria-current")) for a in html(markup)("a")]


def test_the_places_are_in_order_and_the_current_one_is_marked():
    shown = places(navigation.nav_links("part-detail"))
    assert [key for key, _href, _here in shown] == [
        "nav-dashboard",
        "nav-scan",
        "nav-parts",
        "nav-stock",
        "nav-counts",
        "nav-reorder",
        "nav-locations",
        "nav-vendors",
    ]
    assert [key for key, _href, here in shown if here] == ["nav-parts"]
    assert ("nav-locations", "/locations/", True) in places(navigation.nav_links("location-edit"))
    assert not any(here for _k, _h, here in places(navigation.nav_links("account")))


def test_the_tab_bar_holds_home_scan_and_parts():
    tabs = places(navigation.tab_links("dashboard"))
    assert tabs == [
        ("tab-dashboard", "/", True),
        ("tab-scan", "/scan/", False),
        ("tab-parts", "/parts/", False),
    ]
    assert "Home" in html(navigation.tab_links("dashboard")).get_text()


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_links_follow_the_language(language):
    with translation.override(language):
        written = navigation.nav_links("dashboard")
    assert "Dashboard" in written or language != "en"


def test_an_app_adds_a_place_without_core_importing_it():
    navigation.register_nav_item("assets", url_name="account", label="Assets", order=65)
    try:
        keys = [key for key, _h, _c in places(navigation.nav_links("account"))]
        assert keys.index("nav-assets") == keys.index("nav-reorder") + 1
        assert ("nav-assets", "/account/", True) in places(navigation.nav_links("account"))
    finally:
        del navigation._items["assets"]
        navigation._written.cache_clear()
