"""Inventory inputs at the edges are refused with the documented error shapes, never a 500."""

import pytest

from inventory import services
from inventory.models import Part
from tests.helpers import assert_field_error, field_error

HUGE = "99999999999999999999999"


@pytest.mark.parametrize(
    "url",
    [
        f"/api/stock/?part={HUGE}",
        f"/api/stock/?location={HUGE}&cascade=false",
        f"/api/parts/?vendor={HUGE}",
        f"/api/parts/?part_type={HUGE}",
        f"/api/part-transactions/?part={HUGE}",
    ],
)
def test_an_id_filter_outside_the_id_range_is_a_400(tech_api, url):
    response = tech_api.get(url)
    assert response.status_code == 400
    assert isinstance(response.json(), dict) and response.json()


def test_a_lead_time_beyond_the_limit_is_refused_inline_on_the_part_form(
    manager_page, site, manager_user
):
    part = services.part_create(site=site, by=manager_user, name="Seal")
    response = manager_page.post(
        f"/parts/{part.pk}/edit/", {"name": "Seal", "units": "pcs", "lead_time": HUGE}
    )
    assert response.status_code == 200
    assert field_error(response, "id_lead_time")
    assert Part.objects.get(pk=part.pk).lead_time == 0


def test_a_lead_time_beyond_the_limit_is_a_400_in_the_api(manager_api, site, manager_user):
    part = services.part_create(site=site, by=manager_user, name="Seal")
    response = manager_api.patch(f"/api/parts/{part.pk}/", {"lead_time": 10**6}, format="json")
    assert_field_error(response, "lead_time")
    assert Part.objects.get(pk=part.pk).lead_time == 0
