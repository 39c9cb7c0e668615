"""QR values of locations, the scan resolver and scan page, and printable location labels.

A label's code encodes the absolute URL of ``/qr/<value>/``; scanning it opens the record's page,
but only within the site the user works in.
"""

import re
import xml.etree.ElementTree as ET

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory

from core import qr
from core.errors import ServiceError
from core.models import Location
from core.services import location_create, location_qr_set, location_update
from tests.factories import LocationFactory
from tests.helpers import (
    SVG_NS,
    all_by_testid,
    by_id,
    by_testid,
    expected_matrix,
    html,
    label_page_size,
    rendered_matrix,
    svg_in,
    text,
)


@pytest.fixture
def bin_a(site):
    return LocationFactory(site=site, name="Bin A", qr_code="L-BINA")


# --- Rendering ------------------------------------------------------------------------------------


def test_svg_is_embeddable_xml_that_draws_the_code_for_the_data():
    data = "https://shop.example.com/qr/L-3F9A2B1C0D/"
    svg = qr.qr_svg(data, title="L-3F9A2B1C0D")
    assert svg.startswith("<svg ") and "<?xml" not in svg
    root = ET.fromstring(svg)
    assert root.find(f"{SVG_NS}path") is not None
    assert root.find(f"{SVG_NS}title").text == "L-3F9A2B1C0D"
    assert rendered_matrix(svg) == expected_matrix(data)


def test_svg_keeps_the_quiet_zone_and_uses_error_correction_q():
    code = qr.qr_code("x")
    assert code.error == "Q" and not code.is_micro
    matrix = rendered_matrix(qr.qr_svg("x"))
    assert all(v == 0 for v in matrix[0] + matrix[3] + [row[0] for row in matrix])


def test_svg_takes_a_physical_size_for_label_printers():
    root = ET.fromstring(qr.qr_svg("x", size="25mm"))
    assert root.get("width") == "25mm" and root.get("height") == "25mm"


def test_target_url_is_the_absolute_resolver_url_with_the_value_as_one_segment(
    rf: RequestFactory, settings
):
    settings.ALLOWED_HOSTS = ["cmms.example.com"]
    request = rf.get("/", HTTP_HOST="cmms.example.com")
    assert qr.qr_target_url(request, "L-ABC") == "http://cmms.example.com/qr/L-ABC/"
    assert qr.qr_target_url(request, "A/B C") == "http://cmms.example.com/qr/A%2FB%20C/"


def test_a_scanned_label_url_yields_its_value_and_a_raw_value_stays_as_it_is():
    assert qr.value_from_scan("https://other-host:8443/qr/A%2FB%20C/") == "A/B C"
    assert qr.value_from_scan("  L-ABC \n") == "L-ABC"
    assert qr.value_from_scan("https://example.com/elsewhere/") == "https://example.com/elsewhere/"


# --- Resolver -------------------------------------------------------------------------------------


def test_resolver_opens_the_location_of_the_current_site(tech_page, bin_a):
    response = tech_page.get("/qr/L-BINA/")
    assert response.status_code == 302 and response["Location"] == f"/locations/{bin_a.pk}/"


def test_resolver_finds_values_with_slashes_and_spaces(tech_page, site):
    odd = LocationFactory(site=site, name="Odd", qr_code="RACK 7/SHELF 2")
    response = tech_page.get(qr.qr_path("RACK 7/SHELF 2"))
    assert response.status_code == 302 and response["Location"] == f"/locations/{odd.pk}/"


def test_another_sites_value_does_not_resolve(tech_page, bin_a, foreign_location):
    response = tech_page.get("/qr/L-FOREIGN/")
    assert response.status_code == 404
    assert "Foreign Hall" not in response.content.decode()
    assert tech_page.get("/qr/L-BINA/").status_code == 302  # the same path with a value of here


def test_an_unknown_value_is_not_found(tech_page, bin_a):
    assert tech_page.get("/qr/NOPE/").status_code == 404


def test_a_scan_while_signed_out_leads_to_login_and_back(bin_a):
    response = Client().get("/qr/L-BINA/")
    assert response.status_code == 302 and response["Location"].startswith("/login/?next=/qr/")


# --- Scan page ------------------------------------------------------------------------------------


def test_scan_page_has_an_autofocused_box_and_a_hidden_camera_button(tech_page):
    response = tech_page.get("/scan/")
    assert response.status_code == 200
    form = by_testid(response, "scan-form")
    box = form.find("input", attrs={"name": "code"})
    assert box["id"] == "scan-code" and box.has_attr("autofocus")
    camera = by_testid(response, "scan-camera")
    assert camera.name == "button" and camera.has_attr("hidden")
    # The camera is static/js/scan.js's: no inline script, nothing from the internet.
    assert not html(response).find("main").find_all("script")


def test_scanning_a_value_or_a_label_url_opens_the_record(tech_page, bin_a):
    expected = f"/locations/{bin_a.pk}/"
    assert tech_page.get("/scan/", {"code": "L-BINA"})["Location"] == expected
    scanned = "http://testserver/qr/L-BINA/"
    assert tech_page.get("/scan/", {"code": scanned})["Location"] == expected


def test_scanning_an_unknown_or_foreign_value_says_so_on_the_scan_page(tech_page, foreign_location):
    response = tech_page.get("/scan/", {"code": "L-FOREIGN"})
    assert response.status_code == 404
    error = by_id(response, "scan-code_error")
    assert error["role"] == "alert" and "Nothing at this site has the QR value" in text(error)
    assert by_id(response, "scan-code")["value"] == "L-FOREIGN"  # kept, to correct it


# --- Label page -----------------------------------------------------------------------------------


def test_technicians_get_the_label_with_code_name_path_and_value(tech_page, site):
    room = LocationFactory(site=site, name="Room 1")
    shelf = LocationFactory(site=site, name="Shelf 3", parent=room, qr_code="L-SHELF3")
    response = tech_page.get(f"/locations/{shelf.pk}/label/")
    assert response.status_code == 200
    label = by_testid(response, "label")
    assert text(by_testid(label, "label-name")) == "Shelf 3"
    assert text(by_testid(label, "label-path")) == "Room 1 > Shelf 3"
    assert text(by_testid(label, "label-value")) == "L-SHELF3"
    assert by_testid(response, "label-print")["onclick"] == "window.print()"
    assert "@media print" in html(response).find("style").get_text()
    svg = svg_in(response.content.decode())
    assert rendered_matrix(svg) == expected_matrix("http://testserver/qr/L-SHELF3/")
    assert not all_by_testid(response, "qr-generate")


def test_label_size_is_chosen_with_size(tech_page, bin_a):
    url = f"/locations/{bin_a.pk}/label/"
    default = tech_page.get(url)
    assert label_page_size(default) == "62mm 29mm"
    assert by_testid(default, "label")["data-size"] == "62x29"
    small = tech_page.get(url, {"size": "50x25"})
    assert label_page_size(small) == "50mm 25mm"
    assert by_testid(small, "label")["data-size"] == "50x25"
    unknown = tech_page.get(url, {"size": "1x1"})
    assert label_page_size(unknown) == "62mm 29mm"


def test_label_as_bare_svg_for_label_printers(tech_page, bin_a):
    response = tech_page.get(f"/locations/{bin_a.pk}/label/", {"format": "svg"})
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    svg = response.content.decode()
    root = ET.fromstring(svg)
    assert root.get("width") == "25mm"
    assert rendered_matrix(svg) == expected_matrix("http://testserver/qr/L-BINA/")


def test_another_sites_label_is_not_found(tech_page, foreign_location):
    assert tech_page.get(f"/locations/{foreign_location.pk}/label/").status_code == 404
    url = f"/locations/{foreign_location.pk}/label/?format=svg"
    assert tech_page.get(url).status_code == 404


def test_detail_page_shows_the_value_and_links_the_label(tech_page, bin_a):
    response = tech_page.get(f"/locations/{bin_a.pk}/")
    assert by_testid(response, "location-label-link")["href"] == f"/locations/{bin_a.pk}/label/"
    assert text(by_testid(response, "location-qr")) == "L-BINA"


# --- Generating a value from the label page -------------------------------------------------------


def test_only_managers_see_the_generate_button(tech_page, manager_page, site):
    bare = LocationFactory(site=site, name="Bare")
    url = f"/locations/{bare.pk}/label/"
    generate = by_testid(manager_page.get(url), "qr-generate")
    assert generate["type"] == "submit" and generate.find_parent("form")["method"] == "post"
    tech_label = tech_page.get(url)
    assert not all_by_testid(tech_label, "qr-generate")
    assert (
        not all_by_testid(tech_label, "label") and html(tech_label).find("main").find("svg") is None
    )
    assert tech_page.get(url, {"format": "svg"}).status_code == 404


def test_a_technician_cannot_generate_a_value(tech_page, site):
    bare = LocationFactory(site=site, name="Bare")
    assert tech_page.post(f"/locations/{bare.pk}/label/").status_code == 403
    bare.refresh_from_db()
    assert bare.qr_code == ""


def test_a_manager_generates_a_unique_value_and_gets_the_label(manager_page, site, bin_a):
    first = LocationFactory(site=site, name="First")
    second = LocationFactory(site=site, name="Second")
    response = manager_page.post(f"/locations/{first.pk}/label/?size=50x25")
    assert response.status_code == 302
    assert response["Location"] == f"/locations/{first.pk}/label/?size=50x25"
    manager_page.post(f"/locations/{second.pk}/label/")
    first.refresh_from_db()
    second.refresh_from_db()
    assert re.fullmatch(r"L-[0-9A-F]{10}", first.qr_code)
    assert len({first.qr_code, second.qr_code, bin_a.qr_code}) == 3
    label = manager_page.get(response["Location"])
    assert text(by_testid(label, "label-value")) == first.qr_code
    target = f"http://testserver/qr/{first.qr_code}/"
    assert rendered_matrix(svg_in(label.content.decode())) == expected_matrix(target)


def test_generating_keeps_an_existing_value(manager_page, bin_a):
    manager_page.post(f"/locations/{bin_a.pk}/label/")
    bin_a.refresh_from_db()
    assert bin_a.qr_code == "L-BINA"


# --- Services -------------------------------------------------------------------------------------


def test_a_new_location_gets_a_generated_value_unless_told_otherwise(site, manager_user):
    generated = location_create(site=site, by=manager_user, name="Hall")
    given = location_create(site=site, by=manager_user, name="Yard", qr_code=" PRE-001 ")
    none = location_create(site=site, by=manager_user, name="Roof", generate_qr_code=False)
    assert generated.qr_code.startswith("L-")
    assert given.qr_code == "PRE-001"
    assert none.qr_code == ""


def test_a_value_in_use_at_the_site_is_refused(site, manager_user, bin_a):
    with pytest.raises(ServiceError) as exc:
        location_create(site=site, by=manager_user, name="Hall", qr_code="L-BINA")
    assert "qr_code" in exc.value.errors
    other = LocationFactory(site=site, name="Other")
    with pytest.raises(ServiceError):
        location_update(location=other, by=manager_user, qr_code="L-BINA")
    with pytest.raises(ServiceError):
        location_qr_set(location=other, by=manager_user, value="L-BINA")


def test_the_same_value_may_be_used_at_another_site(site, manager_user, foreign_location):
    value = foreign_location.qr_code
    location = location_create(site=site, by=manager_user, name="Hall", qr_code=value)
    assert Location.objects.get(pk=location.pk).qr_code == value


def test_update_keeps_replaces_regenerates_or_removes_the_value(site, manager_user, bin_a):
    assert location_update(location=bin_a, by=manager_user, name="Bin A1").qr_code == "L-BINA"
    assert location_update(location=bin_a, by=manager_user, qr_code="L-BINA").qr_code == "L-BINA"
    renewed = location_update(location=bin_a, by=manager_user, generate_qr_code=True).qr_code
    assert renewed.startswith("L-") and renewed != "L-BINA"
    assert location_update(location=bin_a, by=manager_user, qr_code="").qr_code == ""


@pytest.mark.parametrize("bad", ["x" * 201, "A\x00B", "..", "."])
def test_values_that_cannot_be_a_qr_value_are_refused(site, manager_user, bad):
    with pytest.raises(ServiceError) as exc:
        location_create(site=site, by=manager_user, name="Hall", qr_code=bad)
    assert "qr_code" in exc.value.errors


def test_only_managers_set_a_value(site, tech_user, bin_a):
    with pytest.raises(PermissionDenied):
        location_qr_set(location=bin_a, by=tech_user, generate=True)


# --- API ------------------------------------------------------------------------------------------


def test_api_create_with_generate_qr_code_gives_a_value(manager_api):
    response = manager_api.post(
        "/api/locations/", {"name": "Hall", "generate_qr_code": True}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["qr_code"].startswith("L-") and "generate_qr_code" not in body
    assert Location.objects.get(pk=body["id"]).qr_code == body["qr_code"]


def test_api_create_with_a_given_value_or_none(manager_api):
    given = manager_api.post("/api/locations/", {"name": "A", "qr_code": "PRE-1"}, format="json")
    assert given.status_code == 201 and given.json()["qr_code"] == "PRE-1"
    none = manager_api.post(
        "/api/locations/", {"name": "B", "generate_qr_code": False}, format="json"
    )
    assert none.status_code == 201 and none.json()["qr_code"] == ""
    stored = dict(Location.objects.values_list("name", "qr_code"))
    assert stored == {"A": "PRE-1", "B": ""}


def test_api_duplicate_value_is_a_400_on_qr_code_and_writes_nothing(manager_api, site, bin_a):
    before = list(Location.objects.for_site(site).values_list("pk", "name", "qr_code"))
    response = manager_api.post(
        "/api/locations/", {"name": "Hall", "qr_code": "L-BINA"}, format="json"
    )
    assert response.status_code == 400 and "qr_code" in response.json()
    other = LocationFactory(site=site, name="Other")
    before.append((other.pk, "Other", ""))
    response = manager_api.patch(
        f"/api/locations/{other.pk}/", {"name": "Renamed", "qr_code": "L-BINA"}, format="json"
    )
    assert response.status_code == 400 and "qr_code" in response.json()
    assert list(Location.objects.for_site(site).values_list("pk", "name", "qr_code")) == before


def test_api_reads_the_value(tech_api, bin_a):
    assert tech_api.get(f"/api/locations/{bin_a.pk}/").json()["qr_code"] == "L-BINA"
    rows = tech_api.get("/api/locations/").json()["results"]
    assert rows[0]["qr_code"] == "L-BINA"


def test_api_patch_generates_a_new_value(manager_api, bin_a):
    response = manager_api.patch(
        f"/api/locations/{bin_a.pk}/", {"generate_qr_code": True}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["qr_code"].startswith("L-") and response.json()["qr_code"] != "L-BINA"
    assert Location.objects.get(pk=bin_a.pk).qr_code == response.json()["qr_code"]
