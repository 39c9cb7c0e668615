"""Every write in core: sites, memberships, locations and API tokens.

Services are keyword-only, take the acting user and check their role themselves, validate before
writing, and raise ``ServiceError`` (400 / inline form errors) or ``PermissionDenied`` (403).
"""

import secrets
import zoneinfo
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max, ProtectedError
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext as _

from core import qr
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
    # Evaluated, not counted: Django drops FOR UPDATE from count(), which would lock nothing and
    # let two admins demote each other at the same moment.
    admins = Membership.objects.select_for_update().filter(site=membership.site_id, role=Role.ADMIN)
    if len(admins.values_list("pk", flat=True)) <= 1:
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
    if user is not None and not _may_add_existing(by, user):
        # Another site's account: adding it would hand its profile to this site. Only an
        # operator, or an admin of one of its sites, may give an existing account a new site.
        raise ServiceError({"username": [_("That username is taken; choose another.")]})
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


def _may_add_existing(by: User, user: User) -> bool:
    if by.is_superuser:
        return True
    return Membership.objects.filter(
        user=by, role=Role.ADMIN, site__memberships__user=user
    ).exists()


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
    elif len(name) > Location._meta.get_field("name").max_length:
        errors["name"] = [_("A name can be at most 100 characters long.")]
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
    if not errors:
        errors = _check_tree_limits(name=name, parent=parent, instance=instance)
    if errors:
        raise ServiceError(errors)
    return name


# The deepest level a location can sit at: the lineage column holds the ids of every level above.
MAX_DEPTH = 30


def _check_tree_limits(
    *, name: str, parent: Location | None, instance: Location | None
) -> dict[str, list[str]]:
    """Whether the location, and everything below it, still fits the stored path and lineage."""
    path_length = len(name) + (len(parent.path) + len(Location.PATH_SEPARATOR) if parent else 0)
    depth = parent.depth + 1 if parent else 0
    if instance is not None:  # the subtree (the location included) moves along
        below = Location.objects.filter(
            site=instance.site_id, lineage__startswith=instance.lineage
        ).aggregate(path=Max(Length("path")), depth=Max("depth"))
        path_length += below["path"] - len(instance.path)
        depth += below["depth"] - instance.depth
    max_path = Location._meta.get_field("path").max_length
    moving = instance is not None and (parent.pk if parent else None) != instance.parent_id
    if depth > MAX_DEPTH:
        return {"parent": [_("Locations nest at most %d levels deep.") % (MAX_DEPTH + 1)]}
    if path_length > max_path:
        message = _("The full path would be longer than %d characters.") % max_path
        return {"parent" if moving else "name": [message]}
    return {}


def _lock_tree(site: Site | int) -> None:
    """Serialise the writers of one site's location tree (a lock on the site row).

    A rename or move rewrites a whole subtree, so it must not interleave with any other write in
    that subtree: a create under a node being moved, a move into it, a sibling with the same name.
    Everything a writer reads after taking this lock includes what earlier writers committed.
    Tree edits are rare, so one lock per site costs nothing noticeable; it is a "no key" lock, so
    other apps' inserts that merely reference the site are not blocked by it.
    """
    site_id = site if isinstance(site, int) else site.pk
    Site.objects.select_for_update(no_key=True).filter(pk=site_id).first()


def _current(parent: Location | None) -> Location | None:
    """The parent as stored now: the caller's copy may predate a rename or move of it, and paths,
    lineage and the "not inside itself" check must be derived from the current values."""
    if parent is None:
        return None
    current = Location.objects.filter(pk=parent.pk).first()
    if current is None:
        raise ServiceError({"parent": [_("The parent location does not exist any more.")]})
    return current


@transaction.atomic
def location_create(
    *,
    site: Site,
    by: User,
    name: str,
    description: str = "",
    address: str = "",
    parent: Location | None = None,
    qr_code: str = "",
    generate_qr_code: bool = True,
) -> Location:
    """Add a location. It gets the QR value ``qr_code`` (unique within the site) or, unless
    ``generate_qr_code`` is false, a generated one, so that every location can be labelled."""
    require_role(by, site, Role.MANAGER)
    _lock_tree(site)
    parent = _current(parent)
    name = _clean_location(site=site, name=name, parent=parent)
    qr_value = _location_qr_value(site, given=qr_code, generate=generate_qr_code)
    location = Location.objects.create(
        site=site,
        name=name,
        description=description or "",
        address=address or "",
        parent=parent,
        path=name,
        lineage="/",
        qr_code=qr_value,
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
    qr_code: str = _UNSET,
    generate_qr_code: bool = False,
) -> Location:
    """Edit a location. Renaming or moving it rewrites the path of everything below it.

    ``qr_code`` replaces the QR value ("" removes it); ``generate_qr_code`` gives the location a
    new generated value unless ``qr_code`` names one (printed labels of the old value stop working).
    """
    require_role(by, location.site_id, Role.MANAGER)
    _lock_tree(location.site_id)
    location = Location.objects.select_related("site").get(pk=location.pk)
    new_parent = location.parent if parent is _UNSET else _current(parent)
    new_name = location.name if name is _UNSET else name
    new_name = _clean_location(
        site=location.site, name=new_name, parent=new_parent, instance=location
    )
    if qr_code is not _UNSET or generate_qr_code:
        location.qr_code = _location_qr_value(
            location.site,
            given="" if qr_code is _UNSET else qr_code,
            generate=generate_qr_code,
            instance=location,
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
        Location.objects.filter(site=root.site_id, lineage__startswith=old_lineage)
        .exclude(pk=root.pk)
        .order_by("depth")
    )
    placed = {root.pk: root}
    for node in descendants:
        _place(node, placed[node.parent_id])
        placed[node.pk] = node
    Location.objects.bulk_update(descendants, ["path", "lineage", "depth"], batch_size=500)


def _location_qr_value(
    site: Site, *, given: str, generate: bool, instance: Location | None = None
) -> str:
    """A location's QR value: the one given or a generated ``L-…``; unique within the site
    across locations and every other kind of record with QR values (``core.qr``)."""
    return qr.unique_value(
        site, model=Location, given=given, generate=generate, prefix="L", instance=instance
    )


@transaction.atomic
def location_qr_set(
    *, location: Location, by: User, value: str = "", generate: bool = False
) -> Location:
    """Give a location the QR value ``value``, or a generated one with ``generate``; with
    neither, remove its value. Managers only."""
    require_role(by, location.site_id, Role.MANAGER)
    _lock_tree(location.site_id)
    location = Location.objects.select_related("site").get(pk=location.pk)
    location.qr_code = _location_qr_value(
        location.site, given=value, generate=generate, instance=location
    )
    location.updated_by = by
    location.save(update_fields=["qr_code", "updated_by", "updated_at"])
    return location


@transaction.atomic
def location_delete(*, location: Location, by: User) -> None:
    require_role(by, location.site_id, Role.MANAGER)
    _lock_tree(location.site_id)
    if location.children.exists():
        raise ServiceError(_("Move or delete the locations inside “%s” first.") % location.name)
    try:
        location.delete()
    except ProtectedError:
        raise ServiceError(
            _("“%s” is still in use (stock or assets are stored there).") % location.name
        ) from None


@transaction.atomic
def location_paths_rebuild(*, site: Site, progress=None) -> dict:
    """Recompute every stored path of a site from the tree itself (a repair tool for admins).

    It holds the tree lock, so an edit made meanwhile is neither missed nor overwritten.
    """
    _lock_tree(site)
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
    Location.objects.bulk_update(changed, ["path", "lineage", "depth"], batch_size=500)
    return {"locations": total, "repaired": len(changed)}


# --- API tokens -----------------------------------------------------------------------------------


def api_token_create(
    *, user: User, name: str, expires_at: datetime | None = None
) -> tuple[APIToken, str]:
    """Create a token; return it with its key, which is not stored and cannot be shown again."""
    name = (name or "").replace("\x00", "").strip()
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
