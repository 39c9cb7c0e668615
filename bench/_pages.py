"""Finding page 1, a middle page and the last page of an HTML list, whatever its pagination.

The pages may move from ``?page=N`` to keyset ("after this row") pagination, so the benchmark
does not build page URLs itself: it reads the page's own pager. A numbered pager (its "next" link
carries ``page=2`` or ``ledger_page=2``) is addressed by number: the last page from a ``rel="last"``
link or the "Page 1 of M" text. A keyset pager is followed through its "next" links (up to a cap)
and its ``rel="last"`` link when it has one. A page without a pager is measured as it is.
"""

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

PAGE_OF = re.compile(r"Page\s+\d+\s+of\s+(\d[\d,.\u00a0\u202f ]*)")


@dataclass
class Pager:
    next: str | None = None
    last: str | None = None
    total_pages: int | None = None


class _Anchors(HTMLParser):
    """The pager's "next" and "last" links: ``rel="next"``/``rel="last"``, or a ``data-testid``
    ending in ``-next``/``-last`` (``page-next``, ``ledger-next``)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        if tag != "a":
            return
        attributes = dict(attrs)
        href = attributes.get("href")
        if not href:
            return
        rels = (attributes.get("rel") or "").split()
        testid = attributes.get("data-testid") or ""
        for kind in ("next", "last"):
            if (kind in rels or testid.endswith(f"-{kind}")) and kind not in self.found:
                self.found[kind] = href


def read_pager(html: str, url: str) -> Pager:
    parser = _Anchors()
    parser.feed(html)
    pager = Pager(
        next=_absolute(url, parser.found.get("next")),
        last=_absolute(url, parser.found.get("last")),
    )
    match = PAGE_OF.search(html)
    if match:
        digits = re.sub(r"\D", "", match.group(1))
        pager.total_pages = int(digits) if digits else None
    return pager


def _absolute(url: str, href: str | None) -> str | None:
    if not href:
        return None
    parts = urlsplit(urljoin(url, href))
    return urlunsplit(parts._replace(scheme="", netloc="", fragment=""))


def _with_param(url: str, name: str, value: int) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != name]
    query.append((name, str(value)))
    return urlunsplit(parts._replace(query=urlencode(query)))


def _number_param(next_url: str) -> str | None:
    """The query parameter that numbers pages: the one that is ``2`` in page 1's "next" link."""
    for name, value in parse_qsl(urlsplit(next_url).query):
        if value == "2":
            return name
    return None


def plan(get, url: str, walk_cap: int = 40) -> tuple[list[tuple[str, str]], str]:
    """``[(label, url)]`` for page 1, a middle page and the last page, and a note on how they
    were found. ``get(url)`` returns a page's HTML."""
    first = read_pager(get(url), url)
    if not first.next and not first.last:
        return [("not paginated", url)], "not paginated: one request per measurement"
    name = _number_param(first.next) if first.next else None
    if name is not None:
        total = _page_number(first.last, name) or first.total_pages
        if total:
            return _numbered(url, name, total), f"numbered (?{name}=N), {total} pages"
    return _walked(get, url, first, walk_cap)


def _page_number(url: str | None, name: str) -> int | None:
    if not url:
        return None
    value = dict(parse_qsl(urlsplit(url).query)).get(name, "")
    return int(value) if value.isdigit() else None


def _numbered(url: str, name: str, total: int) -> list[tuple[str, str]]:
    steps = [("page 1", _with_param(url, name, 1))]
    if total >= 3:
        middle = (total + 1) // 2
        steps.append((f"page {middle}", _with_param(url, name, middle)))
    if total >= 2:
        steps.append((f"page {total} (last)", _with_param(url, name, total)))
    return steps


def _walked(get, url: str, first: Pager, walk_cap: int) -> tuple[list[tuple[str, str]], str]:
    """Keyset pages: follow "next" up to ``walk_cap`` times; the middle is half-way along the
    walk, the last page the ``rel="last"`` link (or the walk's end when it got there)."""
    urls, pager = [url], first
    while pager.next and len(urls) <= walk_cap:
        urls.append(pager.next)
        pager = read_pager(get(pager.next), pager.next)
    reached_end = not pager.next
    steps = [("page 1", url)]
    if len(urls) >= 3:
        middle = len(urls) // 2
        steps.append((f"page {middle + 1} (via next)", urls[middle]))
    if first.last:
        steps.append(("last (rel=last)", first.last))
        return steps, f"keyset, last page from its link; walked {len(urls)} pages"
    if reached_end and len(urls) >= 2:
        steps.append((f"page {len(urls)} (last)", urls[-1]))
        return steps, f"keyset, walked to the end ({len(urls)} pages)"
    return steps, f"keyset without a last link: walked {len(urls)} pages, last page not measured"
