"""Reads for core: querysets shaped for lists and trees, related rows fetched up front."""

from django.db.models import Exists, OuterRef, QuerySet

from core.models import APIToken, Location, Membership, Site, User


def locations_for_site(*, site: Site) -> QuerySet[Location]:
    children = Location.objects.filter(parent=OuterRef("pk"))
    return (
        Location.objects.for_site(site)
        .select_related("parent")
        .annotate(has_children=Exists(children))
    )


def location_tree(*, site: Site) -> list[dict]:
    """The whole tree as nested ``{"location": ..., "children": [...]}`` dicts, in one query."""
    nodes = list(Location.objects.for_site(site).order_by("depth", "name"))
    index: dict[int, dict] = {n.pk: {"location": n, "children": []} for n in nodes}
    roots: list[dict] = []
    for n in nodes:
        entry = index[n.pk]
        (index[n.parent_id]["children"] if n.parent_id in index else roots).append(entry)
    for entry in index.values():
        entry["children"].sort(key=lambda e: e["location"].name.lower())
    roots.sort(key=lambda e: e["location"].name.lower())
    return roots


def members_for_site(*, site: Site) -> QuerySet[Membership]:
    return Membership.objects.filter(site=site).select_related("user").order_by("user__username")


def sites_for_user(*, user: User) -> QuerySet[Site]:
    return Site.objects.filter(memberships__user=user).order_by("name")


def tokens_for_user(*, user: User) -> QuerySet[APIToken]:
    return APIToken.objects.filter(user=user).order_by("revoked_at", "-created_at")
