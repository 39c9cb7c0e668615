"""Reads for core: querysets shaped for lists and trees, related rows fetched up front."""

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Exists, OuterRef, QuerySet

from core.models import TASK_OPEN_STATES, APIToken, Location, Membership, Site, TaskRecord, User
from core.services.locations import LOCATIONS_DATA
from core.versions import cached_answer

# The columns of a user a list shows (``UserRefSerializer``, "by" columns).
USER_REF_COLUMNS = ("username", "first_name", "last_name")


def select_related_columns(queryset: QuerySet, **related: tuple[str, ...]) -> QuerySet:
    """``select_related`` the named relations, loading only the given columns of each (and
    every column of the model itself): a page of 50 rows then builds its related records from
    a few columns instead of whole rows (users' passwords and dates, locations' trees)."""
    own = [field.name for field in queryset.model._meta.concrete_fields]
    columns = [f"{relation}__{column}" for relation, names in related.items() for column in names]
    return queryset.select_related(*related).only(*own, *columns)


def locations_for_site(*, site: Site) -> QuerySet[Location]:
    children = Location.objects.filter(parent=OuterRef("pk"))
    return (
        Location.objects.for_site(site)
        .select_related("parent")
        .annotate(has_children=Exists(children))
    )


def locations_by_path(*, site: Site | int) -> QuerySet[Location]:
    """The site's locations in breadcrumb order, as a location select offers them (its path
    only: a plant has a thousand locations, each an option)."""
    return Location.objects.for_site(site).order_by("path").only("id", "site_id", "path")


# A tree up to this size is shown whole; a larger one shows its top level and opens each level
# when asked, so the page costs what is shown, not the whole tree.
TREE_SHOWN_WHOLE = 300


def location_tree(*, site: Site, parent: Location | None = None) -> list[dict]:
    """``[{"location": ..., "children": [...] or None}]``, by name: the whole tree when it is
    small; else the level below ``parent`` (the top level by default) with ``children`` None,
    to be fetched when opened (``location.has_children`` says whether there are any)."""
    locations = locations_for_site(site=site)
    if parent is None and locations.count() <= TREE_SHOWN_WHOLE:
        return _nested(list(locations.order_by("depth", "name", "pk")))
    level = locations.filter(parent=parent).order_by("name", "pk")
    return [{"location": node, "children": None} for node in level]


def _nested(nodes: list[Location]) -> list[dict]:
    index: dict[int, dict] = {n.pk: {"location": n, "children": []} for n in nodes}
    roots: list[dict] = []
    for n in nodes:
        entry = index[n.pk]
        (index[n.parent_id]["children"] if n.parent_id in index else roots).append(entry)
    for entry in index.values():
        entry["children"].sort(key=lambda e: e["location"].name.lower())
    roots.sort(key=lambda e: e["location"].name.lower())
    return roots


def location_ancestors(*, location: Location) -> list[Location]:
    """The locations above this one, from the top down (its breadcrumb), read from what the
    location stores: the ids in its ``lineage`` and the names in its ``path`` (a name cannot
    contain the separator, ``core.services.locations``). No query; a path and lineage out of
    step (a tree mid-repair) are read from the database instead."""
    ids = [int(i) for i in location.lineage.strip("/").split("/")[:-1] if i]
    names = location.path.split(Location.PATH_SEPARATOR)[:-1]
    if len(names) != len(ids):
        return list(
            Location.objects.for_site(location.site_id).filter(pk__in=ids).order_by("depth")
        )
    return [
        Location(pk=pk, site_id=location.site_id, name=name)
        for pk, name in zip(ids, names, strict=True)
    ]


def locations_inside(*, site: Site | int, location_id: int) -> list[int] | None:
    """The ids of a location of ``site`` and of everything below it; None when the site has no
    such location. Kept under the site's location tree version: a filter by place (a building's
    stock, later its assets) costs one cache read between changes of the tree, and then one
    prefix match on the stored lineage."""
    site_id = getattr(site, "pk", site)

    def compute() -> list[int] | None:
        lineage = (
            Location.objects.filter(site_id=site_id, pk=location_id)
            .values_list("lineage", flat=True)
            .first()
        )
        if lineage is None:
            return None
        inside = Location.objects.filter(site_id=site_id, lineage__startswith=lineage)
        return list(inside.order_by().values_list("id", flat=True))

    return cached_answer(
        (site_id, LOCATIONS_DATA), ("inside", str(location_id)), compute, INSIDE_CACHE_SECONDS
    )


# Cached under the tree's version, so never stale; the timeout only bounds memory.
INSIDE_CACHE_SECONDS = 600


def location_children(*, location: Location) -> QuerySet[Location]:
    return Location.objects.for_site(location.site_id).filter(parent=location).order_by("name")


def site_summary(*, site: Site) -> dict:
    """The dashboard's figures for the site itself. The number of locations is kept under the
    tree's version by name (one cache read, no query to compile for a key)."""
    locations = cached_answer(
        (site.pk, LOCATIONS_DATA),
        ("dashboard", "locations"),
        lambda: Location.objects.for_site(site).count(),
        SUMMARY_CACHE_SECONDS,
    )
    return {"locations": locations, "members": Membership.objects.filter(site=site).count()}


# Cached under the data's version, so never stale; the timeout only bounds memory.
SUMMARY_CACHE_SECONDS = 600


def members_for_site(*, site: Site) -> QuerySet[Membership]:
    return Membership.objects.filter(site=site).select_related("user").order_by("user__username")


def sites_for_user(*, user: User) -> QuerySet[Site]:
    return Site.objects.filter(memberships__user=user).order_by("name")


def active_tasks_for(obj: models.Model) -> QuerySet[TaskRecord]:
    """Unfinished background tasks working on ``obj`` (one query once its type is cached)."""
    return TaskRecord.objects.filter(
        target_type=ContentType.objects.get_for_model(obj),
        target_id=str(obj.pk),
        state__in=TASK_OPEN_STATES,
    ).order_by("-created_at")


def tokens_for_user(*, user: User) -> QuerySet[APIToken]:
    return APIToken.objects.filter(user=user).order_by("revoked_at", "-created_at")
