"""Services check the caller's role themselves, so pages and the API cannot forget to."""

import pytest
from django.core.exceptions import PermissionDenied

from core.errors import ServiceError
from core.models import APIToken, Location, Membership, Role, Site
from core.services import (
    api_token_create,
    api_token_revoke,
    location_create,
    location_delete,
    location_update,
    member_add,
    member_remove,
    member_set_role,
    site_create,
    site_update,
    user_set_default_site,
)
from tests.factories import LocationFactory, MembershipFactory


@pytest.fixture
def hall(site):
    return LocationFactory(site=site, name="Hall")


def test_technicians_cannot_write_locations(site, tech_user, hall):
    with pytest.raises(PermissionDenied):
        location_create(site=site, by=tech_user, name="Yard")
    with pytest.raises(PermissionDenied):
        location_update(location=hall, by=tech_user, name="Yard")
    with pytest.raises(PermissionDenied):
        location_delete(location=hall, by=tech_user)
    assert list(Location.objects.values_list("name", flat=True)) == ["Hall"]


def test_a_manager_of_another_site_cannot_write_this_sites_locations(site, other_site, hall):
    outsider = MembershipFactory(site=other_site, role=Role.ADMIN).user
    with pytest.raises(PermissionDenied):
        location_create(site=site, by=outsider, name="Yard")
    with pytest.raises(PermissionDenied):
        location_update(location=hall, by=outsider, name="Yard")


@pytest.mark.parametrize("actor", ["tech_user", "manager_user"])
def test_only_admins_manage_members(request, site, actor, admin_user):
    user = request.getfixturevalue(actor)
    membership = Membership.objects.get(user=admin_user)
    with pytest.raises(PermissionDenied):
        member_add(site=site, by=user, username="newbie", role="technician")
    with pytest.raises(PermissionDenied):
        member_set_role(membership=membership, by=user, role="technician")
    with pytest.raises(PermissionDenied):
        member_remove(membership=membership, by=user)
    assert Membership.objects.get(user=admin_user).role == Role.ADMIN


@pytest.mark.parametrize("actor", ["tech_user", "manager_user"])
def test_only_admins_edit_a_site(request, site, actor):
    with pytest.raises(PermissionDenied):
        site_update(site=site, by=request.getfixturevalue(actor), name="Renamed")
    assert Site.objects.get(pk=site.pk).name == "Main Plant"


def test_creating_a_site_needs_the_admin_role_somewhere(manager_user, admin_user):
    with pytest.raises(PermissionDenied):
        site_create(by=manager_user, name="South")
    created = site_create(by=admin_user, name="South")
    assert Membership.objects.get(site=created).user == admin_user


def test_site_update_refuses_fields_that_are_not_editable(site, admin_user):
    with pytest.raises(ServiceError) as refused:
        site_update(site=site, by=admin_user, id=99)
    assert "id" in refused.value.errors


def test_a_token_can_only_be_revoked_by_its_owner(tech_user, manager_user):
    token, _key = api_token_create(user=manager_user, name="theirs")
    with pytest.raises(PermissionDenied):
        api_token_revoke(token=token, by=tech_user)
    assert APIToken.objects.get(pk=token.pk).revoked_at is None


def test_the_default_site_must_be_a_site_of_the_user(tech_user, other_site):
    with pytest.raises(ServiceError):
        user_set_default_site(user=tech_user, site=other_site)
    tech_user.refresh_from_db()
    assert tech_user.default_site_id is None


def test_the_last_admin_stays(site, admin_user):
    membership = Membership.objects.get(user=admin_user)
    with pytest.raises(ServiceError):
        member_set_role(membership=membership, by=admin_user, role="manager")
    with pytest.raises(ServiceError):
        member_remove(membership=membership, by=admin_user)
    assert Membership.objects.get(pk=membership.pk).role == Role.ADMIN
