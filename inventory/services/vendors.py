"""Vendors (who supplies parts) and part types (how the catalogue is grouped)."""

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import ServiceError
from core.models import Role, Site, User
from core.roles import require_role
from core.versions import data_changed
from inventory.models import PartType, Vendor

# The site's vendors and part types as selects offer them (``core.versions``): the options are
# cached until one is added or renamed.
CATALOGUE_DATA = "catalogue"

# What a vendor's create and edit take (the API's vendor fields are these, in this order).
VENDOR_FIELDS = (
    "name",
    "description",
    "contact_name",
    "email",
    "phone",
    "address",
    "website",
    "is_active",
)


def _clean_vendor(site: Site, fields: dict, instance: Vendor | None = None) -> dict:
    unknown = set(fields) - set(VENDOR_FIELDS)
    if unknown:
        raise ServiceError({f: [_("Unknown field.")] for f in sorted(unknown)})
    if "name" in fields:
        fields["name"] = (fields["name"] or "").strip()
        if not fields["name"]:
            raise ServiceError({"name": [_("A vendor needs a name.")]})
        clash = Vendor.objects.for_site(site).filter(name__iexact=fields["name"])
        if instance is not None:
            clash = clash.exclude(pk=instance.pk)
        if clash.exists():
            raise ServiceError({"name": [_("A vendor called “%s” exists.") % fields["name"]]})
    return fields


@transaction.atomic
def vendor_create(*, site: Site, by: User, name: str, **fields) -> Vendor:
    require_role(by, site, Role.MANAGER)
    fields = _clean_vendor(site, {"name": name, **fields})
    vendor = Vendor.objects.create(site=site, created_by=by, updated_by=by, **fields)
    data_changed(site.pk, CATALOGUE_DATA)
    return vendor


@transaction.atomic
def vendor_update(*, vendor: Vendor, by: User, **fields) -> Vendor:
    require_role(by, vendor.site_id, Role.MANAGER)
    # Lock the vendor's row only: FOR UPDATE on the joined site row would hold up every insert
    # at the site (each takes a key-share lock on its site) until this transaction ends.
    vendor = Vendor.objects.select_for_update(of=("self",)).select_related("site").get(pk=vendor.pk)
    fields = _clean_vendor(vendor.site, fields, instance=vendor)
    for key, value in fields.items():
        setattr(vendor, key, value)
    vendor.updated_by = by
    vendor.save()
    data_changed(vendor.site_id, CATALOGUE_DATA)
    return vendor


@transaction.atomic
def part_type_create(*, site: Site, by: User, name: str) -> PartType:
    require_role(by, site, Role.MANAGER)
    name = (name or "").strip()
    if not name:
        raise ServiceError({"name": [_("A part type needs a name.")]})
    if PartType.objects.for_site(site).filter(name__iexact=name).exists():
        raise ServiceError({"name": [_("Part type “%s” exists.") % name]})
    part_type = PartType.objects.create(site=site, name=name)
    data_changed(site.pk, CATALOGUE_DATA)
    return part_type
