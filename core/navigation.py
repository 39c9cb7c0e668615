"""The navigation every page shows: the main links and, on phones, the tab bar.

Apps register their places (``register_nav_item``) from ``AppConfig.ready()``, as they register
dashboard cards: core never imports them, and maintenance, work orders and builds add theirs the
same way. Only places go here; actions ("New location") live on their pages.

The links are written in Python and kept per language, script prefix and current page: in the
template they were a dozen URL reversals and translations on every page (about 0.5 ms of a
part page), and they change only with those three.
"""

from dataclasses import dataclass
from functools import lru_cache
from html import escape

from django.urls import get_script_prefix, reverse
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language


@dataclass(frozen=True)
class NavItem:
    key: str  # data-testid "nav-<key>"
    url_name: str
    label: str | Promise
    order: int
    current: tuple[str, ...]  # URL names (or their starts, ending in "-") it is the place of
    tab: str = ""  # an SVG icon: the item is also one of the tab bar's places
    tab_label: str | Promise = ""  # its shorter name there

    def is_current(self, url_name: str) -> bool:
        return any(
            url_name == c or (c.endswith("-") and url_name.startswith(c)) for c in self.current
        )


_items: dict[str, NavItem] = {}


def register_nav_item(
    key: str,
    *,
    url_name: str,
    label,
    order: int,
    current: tuple[str, ...] = (),
    tab: str = "",
    tab_label=None,
) -> None:
    """Add (or replace, by ``key``) a place in the navigation; lower ``order`` comes first.
    ``current`` names the pages it is current on (``"part-"``: every page whose URL name starts
    so); by default its own page."""
    current = current or (url_name,)
    _items[key] = NavItem(key, url_name, label, order, current, tab, tab_label or label)
    _written.cache_clear()


def _ordered() -> list[NavItem]:
    return sorted(_items.values(), key=lambda i: (i.order, i.key))


def _link(item: NavItem, url_name: str, testid: str, label, icon: str = "") -> str:
    href = escape(reverse(item.url_name))
    here = ' aria-current="page"' if item.is_current(url_name) else ""
    return f'<a href="{href}" data-testid="{testid}"{here}>{icon}{escape(str(label))}</a>'


@lru_cache(maxsize=1024)
def _written(language: str, prefix: str, url_name: str, what: str) -> str:
    if what == "links":
        return "".join(
            f"<li>{_link(item, url_name, f'nav-{item.key}', item.label)}</li>"
            for item in _ordered()
        )
    return "".join(
        _link(item, url_name, f"tab-{item.key}", item.tab_label, item.tab)
        for item in _ordered()
        if item.tab
    )


def nav_links(url_name: str | None) -> SafeString:
    """The ``<li>`` links of the main navigation, the current page's marked."""
    return mark_safe(_written(get_language() or "", get_script_prefix(), url_name or "", "links"))


def tab_links(url_name: str | None) -> SafeString:
    """The tab bar's place links (the template adds "Menu")."""
    return mark_safe(_written(get_language() or "", get_script_prefix(), url_name or "", "tabs"))


def _icon(paths: str) -> str:
    return (
        '<svg viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" '
        f'stroke-width="2" stroke-linecap="round" stroke-linejoin="round">{paths}</svg>'
    )


HOME_ICON = _icon('<path d="M3 11 12 3l9 8v10h-6v-6H9v6H3z"/>')
SCAN_ICON = _icon(
    '<path d="M4 8V4h4M16 4h4v4M20 16v4h-4M8 20H4v-4"/><path d="M8 9h3v3H8zM13 12h3v3h-3z"/>'
)
LIST_ICON = _icon('<path d="M4 6h16M4 12h16M4 18h16"/>')
