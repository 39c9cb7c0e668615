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

SVG_NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def bin_a(site):
    return LocationFactory(site=site, name="Bin A", qr_code="L-BINA")


@pytest.fixture
def foreign_bin(other_site):
    return LocationFactory(site=other_site, name="Foreign bin", qr_code="L-FOREIGN")


def rendered_matrix(svg: str) -> list[list[int]]:
    """Read the modules back out of a segno SVG: the inverse of what the renderer drew.

    segno draws each row's dark runs as horizontal strokes of width 1 on the line y = row + 0.5,
    with absolute ``M``, relative ``m`` moves and ``h`` runs, inside ``viewBox="0 0 n n"``.
    """
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG_NS}svg"
    size = int(root.get("viewBox").split()[2])
    matrix = [[0] * size for _ in range(size)]
    dark = [p for p in root.iter(f"{SVG_NS}path") if p.get("stroke")]
    assert len(dark) == 1
    x = y = 0.0
    for cmd, a, b in re.findall(r"([MmHh])\s*(-?[\d.]+)(?:\s+(-?[\d.]+))?", dark[0].get("d")):
        if cmd == "M":
            x, y = float(a), float(b)
        elif cmd == "m":
            x, y = x + float(a), y + float(b)
        else:
            run = float(a) if cmd == "h" else float(a) - x
            for col in range(int(x), int(x + run)):
                matrix[int(y)][col] = 1
            x += run
    return matrix


def expected_matrix(data: str) -> list[list[int]]:
    """segno's own matrix for the same data, with the four-module quiet zone around it."""
    code = qr.qr_code(data)
    border = qr.QUIET_ZONE
    width = len(code.matrix) + 2 * border
    rows = [[0] * width for _ in range(border)]
    rows += [[0] * border + [int(bool(m)) for m in row] + [0] * border for row in code.matrix]
    rows += [[0] * width for _ in range(border)]
    return rows


def svg_in(html: str) -> str:
    match = re.search(r"<svg\b.*?</svg>", html, re.S)
    assert match, "no inline SVG in the page"
    return match.group(0)


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


def test_another_sites_value_does_not_resolve(tech_page, bin_a, foreign_bin):
    response = tech_page.get("/qr/L-FOREIGN/")
    assert response.status_code == 404
    assert "Foreign bin" not in response.content.decode()


def test_an_unknown_value_is_not_found(tech_page, bin_a):
    assert tech_page.get("/qr/NOPE/").status_code == 404


def test_a_scan_while_signed_out_leads_to_login_and_back(bin_a):
    response = Client().get("/qr/L-BINA/")
    assert response.status_code == 302 and response["Location"].startswith("/login/?next=/qr/")


# --- Scan page ------------------------------------------------------------------------------------


def test_scan_page_has_an_autofocused_box_and_a_hidden_camera_button(tech_page):
    response = tech_page.get("/scan/")
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'<input[^>]*name="code"[^>]*autofocus', html, re.S)
    assert re.search(r'<button[^>]*id="scan-camera"[^>]*hidden', html, re.S)
    assert "BarcodeDetector" in html
    script = html.split("<script>")[1].split("</script>")[0]
    assert "http://" not in script and "https://" not in script  # nothing from the internet
    assert "<script src=" not in html.split("</header>")[1]


def test_scanning_a_value_or_a_label_url_opens_the_record(tech_page, bin_a):
    expected = f"/locations/{bin_a.pk}/"
    assert tech_page.get("/scan/", {"code": "L-BINA"})["Location"] == expected
    scanned = "http://testserver/qr/L-BINA/"
    assert tech_page.get("/scan/", {"code": scanned})["Location"] == expected


def test_scanning_an_unknown_or_foreign_value_says_so_on_the_scan_page(tech_page, foreign_bin):
    response = tech_page.get("/scan/", {"code": "L-FOREIGN"})
    html = response.content.decode()
    assert response.status_code == 404
    assert "Nothing at this site has the QR value" in html and 'id="scan-code"' in html


# --- Label page -----------------------------------------------------------------------------------


def test_technicians_get_the_label_with_code_name_path_and_value(tech_page, site):
    room = LocationFactory(site=site, name="Room 1")
    shelf = LocationFactory(site=site, name="Shelf 3", parent=room, qr_code="L-SHELF3")
    response = tech_page.get(f"/locations/{shelf.pk}/label/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Shelf 3" in html and "Room 1 &gt; Shelf 3" in html and "L-SHELF3" in html
    assert "window.print()" in html and "@media print" in html
    svg = svg_in(html)
    assert rendered_matrix(svg) == expected_matrix("http://testserver/qr/L-SHELF3/")
    assert "Generate QR value" not in html


def test_label_size_is_chosen_with_size(tech_page, bin_a):
    default = tech_page.get(f"/locations/{bin_a.pk}/label/").content.decode()
    small = tech_page.get(f"/locations/{bin_a.pk}/label/", {"size": "50x25"}).content.decode()
    assert "size: 62mm 29mm" in default
    assert "size: 50mm 25mm" in small
    unknown = tech_page.get(f"/locations/{bin_a.pk}/label/", {"size": "1x1"}).content.decode()
    assert "size: 62mm 29mm" in unknown


def test_label_as_bare_svg_for_label_printers(tech_page, bin_a):
    response = tech_page.get(f"/locations/{bin_a.pk}/label/", {"format": "svg"})
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    svg = response.content.decode()
    root = ET.fromstring(svg)
    assert root.get("width") == "25mm"
    assert rendered_matrix(svg) == expected_matrix("http://testserver/qr/L-BINA/")


def test_another_sites_label_is_not_found(tech_page, foreign_bin):
    assert tech_page.get(f"/locations/{foreign_bin.pk}/label/").status_code == 404
    url = f"/locations/{foreign_bin.pk}/label/?format=svg"
    assert tech_page.get(url).status_code == 404


def test_detail_page_shows_the_value_and_links_the_label(tech_page, bin_a):
    html = tech_page.get(f"/locations/{bin_a.pk}/").content.decode()
    assert f'href="/locations/{bin_a.pk}/label/"' in html and "L-BINA" in html


# --- Generating a value from the label page -------------------------------------------------------


def test_only_managers_see_the_generate_button(tech_page, manager_page, site):
    bare = LocationFactory(site=site, name="Bare")
    url = f"/locations/{bare.pk}/label/"
    assert "Generate QR value" in manager_page.get(url).content.decode()
    tech_html = tech_page.get(url).content.decode()
    assert "Generate QR value" not in tech_html and "<svg" not in tech_html
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
    html = manager_page.get(response["Location"]).content.decode()
    assert first.qr_code in html and "<svg" in html


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


def test_the_same_value_may_be_used_at_another_site(site, manager_user, foreign_bin):
    location = location_create(site=site, by=manager_user, name="Hall", qr_code="L-FOREIGN")
    assert location.qr_code == "L-FOREIGN"


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
    assert given.json()["qr_code"] == "PRE-1"
    none = manager_api.post(
        "/api/locations/", {"name": "B", "generate_qr_code": False}, format="json"
    )
    assert none.json()["qr_code"] == ""


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
