"""Part labels and part QR scans: every part has a QR value whose label opens the part's page,
within the site the user works in only. Parts are created through ``part_create``, as users do."""

import re
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from core.errors import ServiceError
from core.services import location_create
from inventory.models import Part
from inventory.services import part_create, part_update
from tests.factories import LocationFactory
from tests.helpers import (
    all_by_testid,
    by_testid,
    expected_matrix,
    html,
    label_page_size,
    rendered_matrix,
    svg_in,
    text,
)


@pytest.fixture
def shelf(site):
    return LocationFactory(site=site, name="Shelf A")


@pytest.fixture
def filter_part(site, manager_user, shelf):
    return part_create(
        site=site,
        by=manager_user,
        name="Oil filter",
        number="OF-1",
        area="Aisle 3, bin 12",
        on_hand_qty="4",
        unit_cost="5",
        location=shelf,
    )


@pytest.fixture
def bare_part(site, manager_user):
    return part_create(site=site, by=manager_user, name="Gasket", generate_qr_code=False)


def label_url(part: Part, **query) -> str:
    url = reverse("part-label", args=[part.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


# --- Values ---------------------------------------------------------------------------------------


def test_a_new_part_gets_a_generated_value(filter_part):
    assert re.fullmatch(r"P-[0-9A-F]{10}", filter_part.qr_code)


def test_a_part_cannot_take_a_value_a_location_has_and_the_reverse(site, manager_user, shelf):
    location = location_create(site=site, by=manager_user, name="Cage", qr_code="CAGE-1")
    with pytest.raises(ServiceError) as exc:
        part_create(site=site, by=manager_user, name="Bolt", qr_code=location.qr_code)
    assert "qr_code" in exc.value.errors
    bolt = part_create(site=site, by=manager_user, name="Bolt", qr_code="BOLT-1")
    with pytest.raises(ServiceError):
        location_create(site=site, by=manager_user, name="Cage 2", qr_code="BOLT-1")
    assert part_update(part=bolt, by=manager_user, qr_code="BOLT-1").qr_code == "BOLT-1"


# --- Resolver -------------------------------------------------------------------------------------


def test_resolver_opens_the_part_of_the_current_site(tech_page, filter_part):
    response = tech_page.get(f"/qr/{filter_part.qr_code}/")
    assert response.status_code == 302
    assert response["Location"] == reverse("part-detail", args=[filter_part.pk])


def test_the_scan_page_opens_a_part_from_a_scanned_label_url(tech_page, filter_part):
    response = tech_page.get("/scan/", {"code": f"http://testserver/qr/{filter_part.qr_code}/"})
    assert response["Location"] == reverse("part-detail", args=[filter_part.pk])


def test_another_sites_part_value_does_not_resolve(tech_page, filter_part, foreign_part):
    theirs = foreign_part.qr_code
    assert theirs and theirs != filter_part.qr_code
    assert tech_page.get(f"/qr/{theirs}/").status_code == 404
    assert tech_page.get("/scan/", {"code": theirs}).status_code == 404


# --- Label page -----------------------------------------------------------------------------------


def test_technicians_get_the_label_with_code_name_number_and_value(tech_page, filter_part):
    response = tech_page.get(label_url(filter_part))
    assert response.status_code == 200
    label = by_testid(response, "label")
    lines = ("label-name", "label-number", "label-area", "label-value")
    assert [text(by_testid(label, testid)) for testid in lines] == [
        "Oil filter",
        "OF-1",
        "Aisle 3, bin 12",
        filter_part.qr_code,
    ]
    assert by_testid(response, "label-print")["onclick"] == "window.print()"
    assert "@media print" in html(response).find("style").get_text()
    assert label_page_size(response) == "62mm 29mm"
    target = f"http://testserver/qr/{filter_part.qr_code}/"
    assert rendered_matrix(svg_in(response.content.decode())) == expected_matrix(target)


def test_label_size_choice(tech_page, filter_part):
    response = tech_page.get(label_url(filter_part, size="50x25"))
    assert label_page_size(response) == "50mm 25mm"
    assert by_testid(response, "label")["data-size"] == "50x25"


def test_part_label_as_bare_svg(tech_page, filter_part):
    response = tech_page.get(label_url(filter_part, format="svg", size="50x25"))
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    root = ET.fromstring(response.content)
    assert root.get("width") == "21mm"
    target = f"http://testserver/qr/{filter_part.qr_code}/"
    assert rendered_matrix(response.content.decode()) == expected_matrix(target)


def test_another_sites_part_label_is_not_found(tech_page, foreign_part):
    assert tech_page.get(label_url(foreign_part)).status_code == 404
    assert tech_page.get(label_url(foreign_part, format="svg")).status_code == 404
    assert tech_page.post(label_url(foreign_part)).status_code == 404
    assert Part.objects.get(pk=foreign_part.pk).qr_code == foreign_part.qr_code


def test_only_managers_see_the_generate_button(tech_page, manager_page, bare_part):
    generate = by_testid(manager_page.get(label_url(bare_part)), "qr-generate")
    assert generate.find_parent("form")["method"] == "post"
    assert not all_by_testid(tech_page.get(label_url(bare_part)), "qr-generate")


def test_a_technician_cannot_generate_a_part_value(tech_page, bare_part):
    assert tech_page.post(label_url(bare_part)).status_code == 403
    bare_part.refresh_from_db()
    assert bare_part.qr_code == ""


def test_a_manager_generates_a_unique_part_value(manager_page, bare_part, filter_part):
    response = manager_page.post(label_url(bare_part))
    assert response.status_code == 302 and response["Location"] == label_url(bare_part)
    bare_part.refresh_from_db()
    assert re.fullmatch(r"P-[0-9A-F]{10}", bare_part.qr_code)
    assert bare_part.qr_code != filter_part.qr_code
    label = manager_page.get(label_url(bare_part))
    assert text(by_testid(label, "label-value")) == bare_part.qr_code
