"""What a location's page and the location tree show besides the locations themselves.

A location is where stock is stored (inventory) and where assets stand (maintenance), but core
cannot import the apps above it. So, as with the dashboard's cards (``core.dashboard``), each app
plugs in from its ``AppConfig.ready()``:

- ``register_location_section(key, template=, context=, order=)``: a section of the location's
  page ("Stock here"). ``context(request, location)`` reads its figures through the app's
  selectors; the template gets them as ``section``, with ``section.element_id``, the id of the
  element around it. An HTMX request that targets that element (the section's pager) gets the
  section alone, so paging it does not render the rest of the page.
- ``register_location_count(key, counts, label=, legend=, order=)``: a figure on every row of the
  tree. ``counts(site, location_ids)`` answers ``{location_id: n}`` for all the rows a page shows
  in one go (one query, or a cache read), never one query per row; ``label(n)`` is the text a row
  shows ("3 stock items") and ``legend`` says once, above the tree, what is counted.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.http import HttpRequest

from core.models import Location, Site

SECTION_ID_PREFIX = "location-section-"


@dataclass(frozen=True)
class LocationSection:
    key: str
    template: str
    context: Callable[[HttpRequest, Location], dict]
    order: int = 100

    @property
    def element_id(self) -> str:
        return f"{SECTION_ID_PREFIX}{self.key}"


@dataclass(frozen=True)
class LocationCount:
    key: str
    counts: Callable[[Site, list[int]], dict[int, int]]
    label: Callable[[int], str]
    legend: Callable[[], str]  # called per request: its words are translated then
    order: int = 100


@dataclass(frozen=True)
class Figure:
    """One registered count of one location, as a row shows it."""

    key: str
    count: int
    text: str


_sections: dict[str, LocationSection] = {}
_counts: dict[str, LocationCount] = {}


def register_location_section(
    key: str, *, template: str, context: Callable, order: int = 100
) -> None:
    """Add (or replace, by ``key``) a section of the location page; lower ``order`` first."""
    _sections[key] = LocationSection(key=key, template=template, context=context, order=order)


def register_location_count(
    key: str, counts: Callable, *, label: Callable, legend: Callable, order: int = 100
) -> None:
    """Add (or replace, by ``key``) a figure shown on each row of the location tree."""
    _counts[key] = LocationCount(key=key, counts=counts, label=label, legend=legend, order=order)


def _render_section(section: LocationSection, request, location: Location) -> dict:
    return {
        "key": section.key,
        "template": section.template,
        "element_id": section.element_id,
        **section.context(request, location),
    }


def location_sections(request: HttpRequest, location: Location) -> list[dict]:
    """The sections of ``location``'s page, each ``{"key", "template", "element_id", ...its
    context}``, in order."""
    sections = sorted(_sections.values(), key=lambda s: (s.order, s.key))
    return [_render_section(s, request, location) for s in sections]


def targeted_section(request: HttpRequest, location: Location) -> dict | None:
    """The one section an HTMX request swaps (its ``HX-Target`` is the section's element), or
    None when the request is not for a section."""
    htmx = getattr(request, "htmx", None)
    target = (htmx.target or "") if htmx else ""
    if not target.startswith(SECTION_ID_PREFIX):
        return None
    section = _sections.get(target.removeprefix(SECTION_ID_PREFIX))
    return _render_section(section, request, location) if section else None


def location_count_legends() -> list[str]:
    """What each registered count counts, for a line above the tree."""
    return [str(c.legend()) for c in _ordered_counts()]


def location_figures(site: Site, location_ids: Iterable[int]) -> dict[int, list[Figure]]:
    """``{location_id: [Figure, ...]}`` for the given locations: each registered count is asked
    once for all of them."""
    ids = list(location_ids)
    figures: dict[int, list[Figure]] = {pk: [] for pk in ids}
    if not ids:
        return figures
    for registered in _ordered_counts():
        counts = registered.counts(site, ids)
        for pk in ids:
            n = counts.get(pk, 0)
            figures[pk].append(Figure(key=registered.key, count=n, text=registered.label(n)))
    return figures


def _ordered_counts() -> list[LocationCount]:
    return sorted(_counts.values(), key=lambda c: (c.order, c.key))
