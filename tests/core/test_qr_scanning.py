"""Scanning on phones: QR values found whatever their case, the location lookup behind a form's
"Scan" button, and what the pages give static/js/scan.js (the decoder's URL, the messages).

A phone keyboard types "l-3f9a…" for a generated "L-3F9A…", and some scanners change case, so a
value is matched exactly first and then ignoring case; values that differ only by case clash.
"""

import hashlib
import json
import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from core import qr
from core.errors import ServiceError
from core.forms import LocationChoiceField
from core.services import location_create
from inventory.services import part_create
from tests.factories import LocationFactory, UserFactory
from tests.helpers import by_testid, html

LOOKUP = "/scan/location/"
VENDORED = settings.BASE_DIR / "static" / "vendor" / "jsqr"


@pytest.fixture
def bin_3(site):
    hall = LocationFactory(site=site, name="Hall")
    return LocationFactory(site=site, name="Bin 3", parent=hall, qr_code="L-3F9A2B1C0D")


# --- Case-insensitive resolving -------------------------------------------------------------------


def test_a_location_resolves_whatever_the_case_of_the_scanned_value(site, bin_3):
    for scanned in ("L-3F9A2B1C0D", "l-3f9a2b1c0d", "L-3f9A2b1C0d"):
        match = qr.resolve(site, scanned)
        assert match is not None and match.obj == bin_3, scanned


def test_a_part_resolves_whatever_the_case_of_the_scanned_value(site, manager_user):
    part = part_create(site=site, by=manager_user, name="Gasket", qr_code="P-00AB12CD34")
    match = qr.resolve(site, "p-00ab12cd34")
    assert match is not None and match.obj == part and match.url_name == "part-detail"


def test_an_exact_match_wins_over_one_that_differs_only_by_case(site):
    # Older data may hold both; the exact value is what the printed label encodes.
    upper = LocationFactory(site=site, name="Upper", qr_code="BIN-X")
    lower = LocationFactory(site=site, name="Lower", qr_code="bin-x")
    assert qr.resolve(site, "BIN-X").obj == upper
    assert qr.resolve(site, "bin-x").obj == lower
    assert qr.resolve(site, "Bin-X").obj == upper  # neither exact: the oldest, never at random


def test_another_sites_value_does_not_resolve_in_any_case(site, foreign_location):
    assert qr.resolve(site, "l-foreign") is None
    assert qr.find_location(site, "L-FOREIGN") is None


def test_like_wildcards_in_a_scanned_value_match_only_themselves(site):
    LocationFactory(site=site, name="Shelf", qr_code="SHELF-10")
    assert qr.resolve(site, "SHELF-%") is None
    assert qr.resolve(site, "shelf-1_") is None


def test_values_no_record_can_hold_find_nothing(site, bin_3):
    assert qr.find_location(site, "") is None
    assert qr.find_location(site, "L-3F9A\x002B1C0D") is None
    assert qr.find_location(site, "L" * (qr.MAX_LENGTH + 1)) is None


def test_the_scan_page_opens_a_record_scanned_in_lower_case(tech_page, bin_3):
    response = tech_page.get("/scan/", {"code": "http://testserver/qr/l-3f9a2b1c0d/"})
    assert response.status_code == 302 and response["Location"] == f"/locations/{bin_3.pk}/"


# --- Values that differ only by case clash --------------------------------------------------------


def test_a_location_value_differing_only_by_case_from_another_is_refused(site, manager_user):
    location_create(site=site, by=manager_user, name="Cage", qr_code="CAGE-1")
    with pytest.raises(ServiceError) as refused:
        location_create(site=site, by=manager_user, name="Other cage", qr_code="cage-1")
    assert "qr_code" in refused.value.errors


def test_a_part_value_differing_only_by_case_from_a_location_is_refused(site, manager_user):
    location_create(site=site, by=manager_user, name="Cage", qr_code="CAGE-1")
    with pytest.raises(ServiceError) as refused:
        part_create(site=site, by=manager_user, name="Bolt", qr_code="Cage-1")
    assert "qr_code" in refused.value.errors


def test_a_record_may_keep_its_own_value_in_another_case(site, bin_3):
    assert not qr.value_in_use(site, "l-3f9a2b1c0d", model=type(bin_3), instance=bin_3)
    assert qr.value_in_use(site, "l-3f9a2b1c0d", model=type(bin_3))


# --- The location lookup behind a form's "Scan" button --------------------------------------------


def test_lookup_answers_the_locations_id_and_path(tech_page, bin_3):
    response = tech_page.get(LOOKUP, {"code": "L-3F9A2B1C0D"})
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert response.json() == {"id": bin_3.pk, "path": bin_3.path}


def test_lookup_takes_a_labels_url_in_any_case(tech_page, bin_3):
    response = tech_page.get(LOOKUP, {"code": "https://shop.example/qr/l-3f9a2b1c0d/"})
    assert response.status_code == 200 and response.json()["id"] == bin_3.pk


def test_lookup_of_an_unknown_value_is_a_404_with_a_message(tech_page, bin_3):
    response = tech_page.get(LOOKUP, {"code": "L-NOPE"})
    assert response.status_code == 404
    assert "No location at this site has the QR value “L-NOPE”" in response.json()["detail"]


def test_lookup_does_not_find_another_sites_location(tech_page, foreign_location):
    response = tech_page.get(LOOKUP, {"code": foreign_location.qr_code})
    assert response.status_code == 404 and "id" not in response.json()


def test_lookup_does_not_answer_with_a_part(tech_page, site, manager_user):
    part_create(site=site, by=manager_user, name="Gasket", qr_code="P-GASKET")
    assert tech_page.get(LOOKUP, {"code": "P-GASKET"}).status_code == 404


def test_lookup_without_a_value_is_a_400(tech_page):
    response = tech_page.get(LOOKUP, {"code": "  "})
    assert response.status_code == 400 and response.json()["detail"]


def test_lookup_needs_a_signed_in_user_and_says_so_in_json(bin_3):
    response = Client().get(LOOKUP, {"code": "L-3F9A2B1C0D"})
    assert response.status_code == 401
    assert "Sign in again" in response.json()["detail"] and "id" not in response.json()


def test_lookup_needs_a_site(bin_3):
    client = Client()
    client.force_login(UserFactory(username="nobody"))
    response = client.get(LOOKUP, {"code": "L-3F9A2B1C0D"})
    assert response.status_code == 403 and "id" not in response.json()


def test_lookup_only_reads(tech_page, bin_3):
    assert tech_page.post(LOOKUP, {"code": "L-3F9A2B1C0D"}).status_code == 405


def test_lookup_is_routed_by_name():
    assert reverse("qr-scan-location") == LOOKUP


# --- What the pages give the scanner script -------------------------------------------------------


def test_a_location_picker_names_the_lookup_the_decoder_and_the_messages(site):
    field = LocationChoiceField("To location")
    field.offer(site)
    select = html(field.widget.render("location", None)).find("select")
    assert select["data-scan-location"] == LOOKUP
    assert select["data-scan-decoder"] == "/static/vendor/jsqr/jsQR.js"
    messages = json.loads(select["data-scan-messages"])
    assert messages["scan"] == "Scan" and "HTTPS" in messages["insecure"].upper()
    assert set(messages) == set(qr.SCANNER_MESSAGES)


def test_a_location_picker_is_a_plain_select_that_works_without_javascript(tech_page, site):
    LocationFactory(site=site, name="Hall")
    response = tech_page.get("/stock/")
    select = html(response).find("select", attrs={"name": "location"})
    assert select is not None and select.has_attr("data-scan-location")
    assert select.find_parent("form")["method"] == "get"  # submitting it still filters


def test_the_scan_page_gives_the_script_the_decoders_url_and_hides_the_camera_until_it_runs(
    tech_page,
):
    response = tech_page.get("/scan/")
    form = by_testid(response, "scan-form")
    assert form.has_attr("data-scan-page")
    assert form["data-scan-decoder"] == "/static/vendor/jsqr/jsQR.js"
    assert json.loads(form["data-scan-messages"])["denied"]
    camera = by_testid(response, "scan-camera")
    assert camera.name == "button" and camera.has_attr("hidden")  # shown by the script
    # The decoder is loaded by the script on the first scan, never by the page itself.
    assert not html(response).find("script", src=lambda src: src and "jsQR" in src)


def test_the_scan_page_keeps_a_failed_value_for_the_script_to_select(tech_page):
    response = tech_page.get("/scan/", {"code": "L-NOPE"})
    box = html(response).find("input", attrs={"name": "code"})
    assert response.status_code == 404
    assert box["value"] == "L-NOPE" and box["aria-invalid"] == "true"


# --- The vendored decoder -------------------------------------------------------------------------


def test_the_vendored_decoder_is_pinned_licensed_and_loads_nothing_from_the_network():
    folder = VENDORED
    readme = (folder / "README.md").read_text()
    assert "jsqr" in readme and "1.4.0" in readme and "Apache-2.0" in readme
    assert "Apache License" in (folder / "LICENSE").read_text()
    source = (folder / "jsQR.js").read_text()
    for loader in ("XMLHttpRequest", "fetch(", "importScripts", "sourceMappingURL"):
        assert loader not in source
    assert "jsQR.default = jsQR" in source


def test_the_vendored_decoder_is_the_file_its_readme_names():
    folder = VENDORED
    named = re.search(r"jsQR\.js sha256 \| `([0-9a-f]{64})`", (folder / "README.md").read_text())
    assert named is not None
    assert hashlib.sha256((folder / "jsQR.js").read_bytes()).hexdigest() == named.group(1)
