"""Every write in core: sites, memberships, locations and API tokens.

Services are keyword-only, take the acting user and check their role themselves, validate before
writing, and raise ``ServiceError`` (400 / inline form errors) or ``PermissionDenied`` (403).
"""

import secrets
import zoneinfo
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ServiceError
from core.models import APIToken, Location, Membership, Role, Site, User
from core.roles import require_role

_UNSET = object()


# --- Sites ----------------------------------------------------------------------------------------


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
    unknown = set(fields) - allowed
    if unknown:
        raise ServiceError({f: [_("This field cannot be changed.")] for f in unknown})
    fields = _clean_site_fields(fields, instance=site)
    site = Site.objects.select_for_update().get(pk=site.pk)
    for key, value in fields.items():
        setattr(site, key, value)
    site.save()
    return site


# --- Members --------------------------------------------------------------------------------------


def _check_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise ServiceError({"role": [_("Choose technician, manager or admin.")]}) from None


def _refuse_losing_last_admin(membership: Membership) -> None:
    if membership.role != Role.ADMIN:
        return
    admins = Membership.objects.select_for_update().filter(site=membership.site_id, role=Role.ADMIN)
    if admins.count() <= 1:
        raise ServiceError({"role": [_("A site must keep at least one admin.")]})


@transaction.atomic
def member_add(
    *,
    site: Site,
    by: User,
    username: str,
    role: str,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    password: str | None = None,
) -> Membership:
    """Give a user a role at the site, creating the account if the username is new."""
    require_role(by, site, Role.ADMIN)
    role = _check_role(role)
    username = (username or "").strip()
    if not username:
        raise ServiceError({"username": [_("A username is required.")]})
    user = User.objects.filter(username__iexact=username).first()
    if user is None:
        user = User(username=username, email=email, first_name=first_name, last_name=last_name)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
    elif Membership.objects.filter(user=user, site=site).exists():
        raise ServiceError({"username": [_("%s is already a member of this site.") % username]})
    return Membership.objects.create(user=user, site=site, role=role)


@transaction.atomic
def member_set_role(*, membership: Membership, by: User, role: str) -> Membership:
    require_role(by, membership.site_id, Role.ADMIN)
    role = _check_role(role)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if role != Role.ADMIN:
        _refuse_losing_last_admin(membership)
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def member_remove(*, membership: Membership, by: User) -> None:
    require_role(by, membership.site_id, Role.ADMIN)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    _refuse_losing_last_admin(membership)
    membership.delete()


def user_set_default_site(*, user: User, site: Site) -> User:
    if not Membership.objects.filter(user=user, site=site).exists():
        raise ServiceError({"site": [_("You are not a member of that site.")]})
    user.default_site = site
    user.save(update_fields=["default_site"])
    return user


# --- Locations ------------------------------------------------------------------------------------


def _place(location: Location, parent: Location | None) -> None:
    """Derive path, lineage and depth from the parent (the parent's values must be current)."""
    if parent is None:
        location.path = location.name
        location.lineage = f"/{location.pk}/"
        location.depth = 0
    else:
        location.path = f"{parent.path}{Location.PATH_SEPARATOR}{location.name}"
        location.lineage = f"{parent.lineage}{location.pk}/"
        location.depth = parent.depth + 1


def _clean_location(
    *, site: Site, name: str, parent: Location | None, instance: Location | None = None
) -> str:
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("A location needs a name.")]
    elif Location.PATH_SEPARATOR.strip() in name:
        errors["name"] = [_("A name cannot contain “>”: it separates levels in the path.")]
    if parent is not None:
        if parent.site_id != site.pk:
            errors["parent"] = [_("The parent location does not exist at this site.")]
        elif instance is not None and (
            parent.pk == instance.pk or parent.lineage.startswith(instance.lineage)
        ):
            errors["parent"] = [_("A location cannot be moved inside itself.")]
    if name and "parent" not in errors:
        siblings = Location.objects.for_site(site).filter(parent=parent, name__iexact=name)
        if instance is not None:
            siblings = siblings.exclude(pk=instance.pk)
        if siblings.exists():
            errors["name"] = [_("“%s” already exists at this level.") % name]
    if errors:
        raise ServiceError(errors)
    return name


def _lock_level(site: Site, parent: Location | None) -> None:
    """Serialise writers of one tree level, so two requests cannot both add the same name there."""
    if parent is None:
        Site.objects.select_for_update().filter(pk=site.pk).first()
    else:
        Location.objects.select_for_update().filter(pk=parent.pk).first()


@transaction.atomic
def location_create(
    *,
    site: Site,
    by: User,
    name: str,
    description: str = "",
    address: str = "",
    parent: Location | None = None,
) -> Location:
    require_role(by, site, Role.MANAGER)
    _lock_level(site, parent)
    name = _clean_location(site=site, name=name, parent=parent)
    location = Location.objects.create(
        site=site,
        name=name,
        description=description or "",
        address=address or "",
        parent=parent,
        path=name,
        lineage="/",
        created_by=by,
        updated_by=by,
    )
    _place(location, parent)
    location.save(update_fields=["path", "lineage", "depth"])
    return location


@transaction.atomic
def location_update(
    *,
    location: Location,
    by: User,
    name: str = _UNSET,
    description: str = _UNSET,
    address: str = _UNSET,
    parent: Location | None = _UNSET,
) -> Location:
    """Edit a location. Renaming or moving it rewrites the path of everything below it."""
    require_role(by, location.site_id, Role.MANAGER)
    location = Location.objects.select_for_update().select_related("site").get(pk=location.pk)
    new_parent = location.parent if parent is _UNSET else parent
    new_name = location.name if name is _UNSET else name
    _lock_level(location.site, new_parent)
    new_name = _clean_location(
        site=location.site, name=new_name, parent=new_parent, instance=location
    )
    if description is not _UNSET:
        location.description = description or ""
    if address is not _UNSET:
        location.address = address or ""
    moved = new_parent != location.parent or new_name != location.name
    old_lineage = location.lineage
    location.name, location.parent, location.updated_by = new_name, new_parent, by
    if moved:
        _place(location, new_parent)
    location.save()
    if moved:
        _replace_descendants(location, old_lineage)
    return location


def _replace_descendants(root: Location, old_lineage: str) -> None:
    descendants = list(
        Location.objects.select_for_update()
        .filter(site=root.site_id, lineage__startswith=old_lineage)
        .exclude(pk=root.pk)
        .order_by("depth")
    )
    placed = {root.pk: root}
    for node in descendants:
        _place(node, placed[node.parent_id])
        placed[node.pk] = node
    Location.objects.bulk_update(descendants, ["path", "lineage", "depth"], batch_size=500)


@transaction.atomic
def location_delete(*, location: Location, by: User) -> None:
    require_role(by, location.site_id, Role.MANAGER)
    if location.children.exists():
        raise ServiceError(_("Move or delete the locations inside “%s” first.") % location.name)
    try:
        location.delete()
    except ProtectedError:
        raise ServiceError(
            _("“%s” is still in use (stock or assets are stored there).") % location.name
        ) from None


def location_paths_rebuild(*, site: Site, progress=None) -> dict:
    """Recompute every stored path of a site from the tree itself (a repair tool for admins)."""
    nodes = list(Location.objects.for_site(site).order_by("depth", "pk"))
    by_parent: dict[int | None, list[Location]] = {}
    for node in nodes:
        by_parent.setdefault(node.parent_id, []).append(node)
    ordered: list[Location] = []
    queue = [None]
    while queue:
        parent_id = queue.pop(0)
        for child in by_parent.get(parent_id, []):
            ordered.append(child)
            queue.append(child.pk)
    placed: dict[int, Location] = {}
    changed = []
    total = len(ordered)
    for i, node in enumerate(ordered, start=1):
        before = (node.path, node.lineage, node.depth)
        _place(node, placed.get(node.parent_id))
        placed[node.pk] = node
        if (node.path, node.lineage, node.depth) != before:
            changed.append(node)
        if progress is not None and (i % 50 == 0 or i == total):
            progress.update(i, total, _("%(i)s of %(n)s locations checked") % {"i": i, "n": total})
    with transaction.atomic():
        Location.objects.bulk_update(changed, ["path", "lineage", "depth"], batch_size=500)
    return {"locations": total, "repaired": len(changed)}


# --- API tokens -----------------------------------------------------------------------------------


def api_token_create(
    *, user: User, name: str, expires_at: datetime | None = None
) -> tuple[APIToken, str]:
    """Create a token; return it with its key, which is not stored and cannot be shown again."""
    name = (name or "").strip()
    if not name:
        raise ServiceError({"name": [_("Give the token a name so you can recognise it later.")]})
    if expires_at is not None and expires_at <= timezone.now():
        raise ServiceError({"expires_at": [_("The expiry must be in the future.")]})
    key = secrets.token_hex(20)
    token = APIToken.objects.create(
        user=user,
        name=name[:100],
        key_hash=APIToken.hash_key(key),
        prefix=key[:8],
        expires_at=expires_at,
    )
    return token, key


def api_token_revoke(*, token: APIToken, by: User) -> APIToken:
    if token.user_id != by.pk:
        raise PermissionDenied(_("You can only revoke your own tokens."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token
