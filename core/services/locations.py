"""Locations: one tree per site. Writers of a site's tree take the site's tree lock."""

from django.db import transaction
from django.db.models import Max, ProtectedError
from django.db.models.functions import Length
from django.utils.translation import gettext as _

from core import qr
from core.errors import ServiceError
from core.models import Location, Role, Site, TaskRecord, User
from core.roles import require_role
from core.services.common import UNSET, require_same_site
from core.versions import data_changed

# The data version (``core.versions``) of a site's location tree: every tree write changes it.
# Lists filtered by "this location and what is inside it" cache their counts under it too.
LOCATIONS_DATA = "locations"


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
    require_same_site(site, parent, "parent")
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("A location needs a name.")]
    elif len(name) > Location._meta.get_field("name").max_length:
        errors["name"] = [_("A name can be at most 100 characters long.")]
    elif Location.PATH_SEPARATOR.strip() in name:
        errors["name"] = [_("A name cannot contain “>”: it separates levels in the path.")]
    if (
        parent is not None
        and instance is not None
        and (parent.pk == instance.pk or parent.lineage.startswith(instance.lineage))
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
    other apps' inserts that merely reference the site are not blocked by it. Every writer takes
    it, so it is also where the tree's data version changes.
    """
    site_id = site if isinstance(site, int) else site.pk
    Site.objects.select_for_update(no_key=True).filter(pk=site_id).first()
    data_changed(site_id, LOCATIONS_DATA)


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
    name: str = UNSET,
    description: str = UNSET,
    address: str = UNSET,
    parent: Location | None = UNSET,
    qr_code: str = UNSET,
    generate_qr_code: bool = False,
) -> Location:
    """Edit a location. Renaming or moving it rewrites the path of everything below it.

    ``qr_code`` replaces the QR value ("" removes it); ``generate_qr_code`` gives the location a
    new generated value unless ``qr_code`` names one (printed labels of the old value stop working).
    """
    require_role(by, location.site_id, Role.MANAGER)
    _lock_tree(location.site_id)
    location = Location.objects.select_related("site").get(pk=location.pk)
    new_parent = location.parent if parent is UNSET else _current(parent)
    new_name = location.name if name is UNSET else name
    new_name = _clean_location(
        site=location.site, name=new_name, parent=new_parent, instance=location
    )
    if qr_code is not UNSET or generate_qr_code:
        location.qr_code = _location_qr_value(
            location.site,
            given="" if qr_code is UNSET else qr_code,
            generate=generate_qr_code,
            instance=location,
        )
    if description is not UNSET:
        location.description = description or ""
    if address is not UNSET:
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


def location_paths_rebuild_start(*, site: Site, by: User) -> TaskRecord:
    """Queue ``location_paths_rebuild`` as a background task (admins only); the record is what
    the API answers with and the page's progress bar polls."""
    from core.background import enqueue
    from core.tasks import rebuild_location_paths

    require_role(by, site, Role.ADMIN)
    return enqueue(
        rebuild_location_paths,
        site=site,
        by=by,
        name=_("Rebuild location paths"),
        target=site,
        site_id=site.pk,
        user_id=by.pk,
    )


@transaction.atomic
def location_paths_rebuild(*, site: Site, by: User, progress=None) -> dict:
    """Recompute every stored path of a site from the tree itself (a repair tool for admins).

    It holds the tree lock, so an edit made meanwhile is neither missed nor overwritten. The role
    is checked again when the task runs: an admin demoted meanwhile no longer repairs the tree.
    """
    require_role(by, site, Role.ADMIN)
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
