"""Sites: a plant or business unit, its time zone and currency."""

import zoneinfo

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import ServiceError
from core.models import Membership, Role, Site, User
from core.roles import require_role


def _clean_site_fields(fields: dict, *, instance: Site | None = None) -> dict:
    errors: dict[str, list[str]] = {}
    if "name" in fields:
        fields["name"] = (fields["name"] or "").strip()
        if not fields["name"]:
            errors["name"] = [_("A site needs a name.")]
        elif (
            Site.objects.filter(name__iexact=fields["name"])
            .exclude(pk=instance.pk if instance else None)
            .exists()
        ):
            errors["name"] = [_("Another site is already called “%s”.") % fields["name"]]
    if "time_zone" in fields and fields["time_zone"] not in zoneinfo.available_timezones():
        errors["time_zone"] = [_("Unknown time zone “%s”.") % fields["time_zone"]]
    if "currency" in fields:
        code = (fields["currency"] or "").strip().upper()
        if len(code) != 3 or not code.isalpha():
            errors["currency"] = [_("Use a three-letter ISO 4217 code such as USD or EUR.")]
        fields["currency"] = code
    if errors:
        raise ServiceError(errors)
    return fields


@transaction.atomic
def site_create(
    *,
    by: User,
    name: str,
    description: str = "",
    address: str = "",
    time_zone: str = "UTC",
    currency: str = "USD",
) -> Site:
    """Create a site; its creator becomes its first admin. Only admins create sites."""
    if not (by.is_superuser or by.memberships.filter(role=Role.ADMIN).exists()):
        raise PermissionDenied(_("Only site admins can create sites."))
    fields = _clean_site_fields(
        {
            "name": name,
            "description": description,
            "address": address,
            "time_zone": time_zone,
            "currency": currency,
        }
    )
    site = Site.objects.create(**fields)
    Membership.objects.create(user=by, site=site, role=Role.ADMIN)
    return site


@transaction.atomic
def site_update(*, site: Site, by: User, **fields) -> Site:
    require_role(by, site, Role.ADMIN)
    allowed = {"name", "description", "address", "time_zone", "currency"}
    allowed.add("technicians_may_reconcile")  # the counting policy (docs/inventory.md)
    unknown = set(fields) - allowed
    if unknown:
        raise ServiceError({f: [_("This field cannot be changed.")] for f in unknown})
    fields = _clean_site_fields(fields, instance=site)
    site = Site.objects.select_for_update().get(pk=site.pk)
    for key, value in fields.items():
        setattr(site, key, value)
    site.save()
    return site
