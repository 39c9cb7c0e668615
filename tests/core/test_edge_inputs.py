"""Inputs at the edges (huge ids, wrong JSON types, far dates, NUL characters) are refused with the
documented error shapes, never a server error."""

import pytest

from core.models import APIToken
from tests.helpers import field_error

HUGE = "99999999999999999999999"


@pytest.mark.parametrize(
    "url",
    [
        f"/api/locations/?parent={HUGE}",
        f"/api/locations/?within={HUGE}",
        "/api/locations/?parent=1.5",
    ],
)
def test_an_id_filter_outside_the_id_range_is_a_400(tech_api, url):
    response = tech_api.get(url)
    assert response.status_code == 400
    assert isinstance(response.json(), dict) and response.json()


def test_a_member_id_outside_the_id_range_is_a_404(tech_api):
    response = tech_api.get(f"/api/users/{HUGE}/")
    assert response.status_code == 404 and "detail" in response.json()


@pytest.mark.parametrize("params", [[1, 2], "abc", 5])
def test_batch_params_that_are_not_an_object_are_a_400(tech_api, params):
    body = {"ops": [{"method": "GET", "url": "/api/locations/", "params": params}]}
    response = tech_api.post("/api/batch/", body, format="json")
    assert response.status_code == 400
    assert "ops" in response.json()


def test_a_token_expiring_at_the_end_of_time_is_refused_inline(tech_page, tech_user):
    response = tech_page.post("/account/tokens/new/", {"name": "x", "expires_at": "9999-12-31"})
    assert response.status_code == 200
    assert "before the year 9999" in field_error(response, "id_expires_at")
    assert not APIToken.objects.filter(user=tech_user).exists()


def test_a_qr_value_with_a_nul_character_is_not_found(tech_page, site):
    assert tech_page.get("/qr/%00/").status_code == 404
    assert tech_page.get("/scan/?code=%00").status_code == 404
