"""The pieces core gives every app, each declared once: number specs, the quantity and money
filters, the same-site check, ids from URLs, the role-refusal message, dashboard cards, and the
services behind /api/user/me/ and the location-path repair."""

from decimal import Decimal

import pytest
from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template import Context, Template
from django.test import override_settings
from django.utils import formats
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rest_framework import serializers

from core import dashboard
from core.errors import ServiceError
from core.models import Role, TaskRecord
from core.numbers import MONEY, QUANTITY, _localized, format_money, format_quantity
from core.pages import int_or_404
from core.roles import role_refusal
from core.services import (
    location_create,
    location_paths_rebuild,
    location_paths_rebuild_start,
    require_same_site,
    user_update_profile,
)
from inventory import services as inventory_services
from tests.factories import LocationFactory
from tests.helpers import all_by_testid, by_testid

pytestmark = pytest.mark.django_db

# --- One number spec feeds the service check, the form field and the serializer field ------------


def service_accepts(spec, value) -> bool:
    try:
        spec.parse(value, "quantity")
    except ServiceError:
        return False
    return True


def form_accepts(spec, value) -> bool:
    form = type("F", (forms.Form,), {"quantity": spec.form_field("Quantity")})({"quantity": value})
    return form.is_valid()


def serializer_accepts(spec, value) -> bool:
    field = type("S", (serializers.Serializer,), {"quantity": spec.serializer_field()})
    return field(data={"quantity": value}).is_valid()


@pytest.mark.parametrize(
    ("spec", "value", "accepted"),
    [
        (QUANTITY, "1.234", True),
        (QUANTITY, "1.2345", False),  # 4 places
        (QUANTITY, "999999999999.999", True),  # the largest
        (QUANTITY, "1000000000000", False),  # 10**12
        (QUANTITY, "-3", True),  # the sign is the service's call
        (QUANTITY, "lots", False),
        (MONEY, "12.34", True),
        (MONEY, "12.345", False),
        (MONEY, "9999999999.99", True),
        (MONEY, "10000000000", False),
    ],
)
def test_the_service_the_form_and_the_api_draw_the_same_line(spec, value, accepted):
    assert service_accepts(spec, value) is accepted
    assert form_accepts(spec, value) is accepted
    assert serializer_accepts(spec, value) is accepted


def test_too_many_places_reads_the_same_from_the_service_the_form_and_the_api():
    with pytest.raises(ServiceError) as refused:
        QUANTITY.parse("1.2345", "quantity")
    form = type("F", (forms.Form,), {"quantity": QUANTITY.form_field("Q")})({"quantity": "1.2345"})
    form.is_valid()
    api = type("S", (serializers.Serializer,), {"quantity": QUANTITY.serializer_field()})(
        data={"quantity": "1.2345"}
    )
    api.is_valid()

    message = "Ensure that there are no more than 3 decimal places."
    assert refused.value.errors == {"quantity": [message]}
    assert form.errors["quantity"] == [message]
    assert [str(m) for m in api.errors["quantity"]] == [message]


def test_a_number_input_never_carries_a_step_that_could_refuse_a_valid_value():
    widget = QUANTITY.form_field("Quantity").widget
    assert widget.attrs["step"] == "any"
    assert widget.attrs["inputmode"] == "decimal"


@pytest.mark.parametrize(
    ("check", "value", "message"),
    [
        (QUANTITY.positive, "0", "The quantity must be greater than zero."),
        (QUANTITY.non_zero, "0", "The adjustment cannot be zero."),
        (QUANTITY.non_negative, "-1", "This cannot be negative."),
    ],
)
def test_the_service_checks_name_the_rule(check, value, message):
    with pytest.raises(ServiceError) as refused:
        check(value, "quantity")
    assert refused.value.errors == {"quantity": [message]}


def test_an_api_quantity_shows_three_places_or_the_finer_stored_value():
    field = QUANTITY.serializer_output()
    assert field.to_representation(Decimal("4")) == "4.000"
    assert field.to_representation(Decimal("0.00125")) == "0.00125"
    assert field.to_representation(0.30000000000000004) == "0.300"  # SQLite's float sums


# --- Showing numbers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("4.00000"), "4"),
        (Decimal("2.50000"), "2.5"),
        (Decimal("0.00125"), "0.00125"),
        (Decimal("-3.000"), "-3"),
        (0.30000000000000004, "0.3"),
        (None, ""),
    ],
)
def test_a_quantity_is_shown_without_trailing_zeros(value, shown):
    rendered = Template("{% load shopwright %}{{ v|quantity }}").render(Context({"v": value}))
    assert rendered == shown == format_quantity(value)


def test_money_is_shown_with_two_places():
    rendered = Template("{% load shopwright %}{{ v|money }}").render(
        Context({"v": Decimal("12.5")})
    )
    assert rendered == "12.50" == format_money(Decimal("12.5"))


# --- Same site, ids from URLs, the refusal message -----------------------------------------------


def test_a_reference_to_another_sites_record_does_not_exist(site, other_site):
    theirs = LocationFactory(site=other_site)
    with pytest.raises(ServiceError) as refused:
        require_same_site(site, theirs, "location")
    assert refused.value.errors == {"location": ["That location does not exist at this site."]}


def test_no_reference_and_a_reference_of_the_same_site_pass(site):
    assert require_same_site(site, None, "location") is None
    assert require_same_site(site.pk, LocationFactory(site=site), "location") is None


@pytest.mark.parametrize("raw", ["x", "", None, "0", "-4", "1.5", str(2**63)])
def test_anything_but_a_record_id_is_a_404(raw):
    with pytest.raises(Http404):
        int_or_404(raw)


def test_an_id_from_a_url_is_a_whole_number():
    assert int_or_404("42") == 42


def test_the_api_the_pages_and_the_services_refuse_a_role_in_the_same_words(
    site, manager_user, manager_api, manager_page
):
    expected = role_refusal(Role.ADMIN)

    api = manager_api.post("/api/locations/rebuild-paths/")
    page = manager_page.post("/locations/rebuild-paths/")
    with pytest.raises(PermissionDenied) as service:
        location_paths_rebuild_start(site=site, by=manager_user)

    assert (api.status_code, api.json()) == (403, {"detail": expected})
    assert page.status_code == 403 and expected in page.content.decode()
    assert str(service.value) == expected
    assert not TaskRecord.objects.exists()


def test_the_path_repair_checks_the_role_again_when_it_runs(site, manager_user):
    with pytest.raises(PermissionDenied):
        location_paths_rebuild(site=site, by=manager_user)


# --- Dashboard cards ------------------------------------------------------------------------------


@pytest.fixture
def extra_card(monkeypatch):
    cards = dict(dashboard._cards)
    monkeypatch.setattr(dashboard, "_cards", cards)
    dashboard.register_card(
        "test",
        template="core/_dashboard_site.html",
        context=lambda request: {"summary": {"locations": 99, "members": 7}},
        order=50,
    )


def test_an_apps_card_is_shown_on_the_dashboard_with_its_figures(tech_page, site, extra_card):
    response = tech_page.get("/")

    keys = [card["key"] for card in response.context["cards"]]
    assert keys == ["find", "inventory", "stock-movements", "test", "site"]
    counts = [c.get_text(strip=True) for c in all_by_testid(response, "location-count")]
    assert counts == ["99", "0"]


def test_the_inventory_card_counts_active_and_low_parts(tech_page, site, manager_user):
    shelf = LocationFactory(site=site)
    create = inventory_services.part_create
    create(site=site, by=manager_user, name="Low", on_hand_qty="1", location=shelf, min_qty="5")
    create(site=site, by=manager_user, name="Fine", min_qty="0")
    create(site=site, by=manager_user, name="Old", active=False, min_qty="5")

    response = tech_page.get("/")

    assert by_testid(response, "inventory-part-count").get_text(strip=True) == "2"
    assert by_testid(response, "inventory-low-stock-count").get_text(strip=True) == "1"


def test_the_dashboard_figures_follow_every_write_though_they_are_cached(
    tech_page, site, manager_user, admin_user
):
    """The counts are cached under the data versions of what they count (``core.versions``):
    each write below changes one, and the next visit shows it."""

    def figures() -> tuple[str, str, str]:
        page = tech_page.get("/")
        return tuple(
            by_testid(page, testid).get_text(strip=True)
            for testid in ("inventory-part-count", "inventory-low-stock-count", "location-count")
        )

    assert figures() == ("0", "0", "0")
    shelf = location_create(site=site, by=admin_user, name="Shelf")
    low = inventory_services.part_create(
        site=site, by=manager_user, name="Low", on_hand_qty="1", location=shelf, min_qty="5"
    )
    assert figures() == ("1", "1", "1")
    inventory_services.part_restock(
        part=low, by=manager_user, quantity="10", cost="1", location=shelf
    )
    assert figures() == ("1", "0", "1")
    inventory_services.part_update(part=low, by=manager_user, active=False)
    assert figures() == ("0", "0", "1")


# --- Your own profile (PATCH /api/user/me/) -------------------------------------------------------


def test_a_profile_edit_trims_and_saves_names_email_and_default_site(tech_user, site):
    user = user_update_profile(
        user=tech_user, first_name="  Ada ", email="ada@example.com", default_site=site
    )
    user.refresh_from_db()
    assert (user.first_name, user.email, user.default_site_id) == (
        "Ada",
        "ada@example.com",
        site.pk,
    )


def test_a_profile_edit_can_drop_the_default_site(tech_user, site):
    user_update_profile(user=tech_user, default_site=site)
    user_update_profile(user=tech_user, default_site=None)
    tech_user.refresh_from_db()
    assert tech_user.default_site_id is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"email": "not-an-address"}, "email"),
        ({"first_name": "x" * 151}, "first_name"),
        ({"username": "root"}, "username"),
        ({"is_superuser": True}, "is_superuser"),
    ],
)
def test_a_bad_profile_edit_is_refused_and_changes_nothing(tech_user, changes, field):
    before = (tech_user.first_name, tech_user.email, tech_user.username, tech_user.is_superuser)
    with pytest.raises(ServiceError) as refused:
        user_update_profile(user=tech_user, **changes)
    assert field in refused.value.errors
    tech_user.refresh_from_db()
    assert (
        tech_user.first_name,
        tech_user.email,
        tech_user.username,
        tech_user.is_superuser,
    ) == before


def test_another_site_cannot_become_your_default(tech_user, other_site):
    with pytest.raises(ServiceError) as refused:
        user_update_profile(user=tech_user, default_site=other_site)
    assert refused.value.errors == {"default_site": ["You are not a member of that site."]}


@given(
    value=st.decimals(
        allow_nan=False, allow_infinity=False, places=None, max_value=10**16, min_value=-(10**16)
    ),
    decimal_pos=st.sampled_from([None, 0, 2, 3]),
    grouping=st.booleans(),
)
@example(value=Decimal("-0.5"), decimal_pos=0, grouping=False)  # Django's cutoff is 0.1 there
@example(value=Decimal("-0.004"), decimal_pos=2, grouping=False)
@settings(max_examples=1000, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_numbers_are_written_as_django_writes_them(value, decimal_pos, grouping):
    # The fast writer in core.numbers must give exactly what Django's number_format gives.
    with override_settings(USE_THOUSAND_SEPARATOR=grouping):
        assert _localized(value, decimal_pos) == formats.number_format(value, decimal_pos)
