"""The tables of list pages: columns declared once per list, rows written in one pass.

A list page shows up to 50 rows of six to nine cells. Written by Django's template engine, each
cell resolves its variables, filters and ``{% url %}`` tags node by node, and the rows cost more
than the whole rest of the page (about 15 ms of a 25 ms parts page on the benchmark machine,
``bench/README.md``). A ``Table`` declares its columns in Python (header, cell, classes) and writes
the same markup with string joins, for a fraction of that.

The markup is the one every list page shares: ``<table class="table table-stack">`` whose cells
carry ``data-label`` (their column's header, translated once per table), which the phone layout
shows when a row becomes a card. A template shows a table with ``{{ table }}``.

Cells return text, which is escaped, or markup built with the helpers below (``link``, ``badge``,
``spaced``), which is not. ``None`` and ``""`` show as an em dash, as ``|default:"—"`` did.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from html import escape

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

DASH = "—"


def html(value) -> str:
    """``value`` as HTML: markup as it is, anything else escaped; nothing is a dash."""
    if value is None or value == "":
        return DASH
    if hasattr(value, "__html__"):
        return value.__html__()
    return escape(str(value))


def attributes(attrs: dict) -> str:
    """`` name="value"`` pairs: ``True`` a bare attribute, ``None`` and ``False`` left out."""
    out = []
    for name, value in attrs.items():
        if value is True:
            out.append(f" {name}")
        elif value is not None and value is not False:
            out.append(f' {name}="{escape(str(value))}"')
    return "".join(out)


def spaced(*pieces) -> SafeString:
    """The pieces that are not empty, a space apart (a name and the badges after it)."""
    return mark_safe(" ".join(html(p) for p in pieces if p is not None and p != ""))


def tag(name: str, content, **attrs) -> SafeString:
    """``<name attrs>content</name>``; ``class_`` stands for ``class``, ``data_x`` for
    ``data-x``."""
    attrs = {key.rstrip("_").replace("_", "-"): value for key, value in attrs.items()}
    return mark_safe(f"<{name}{attributes(attrs)}>{html(content)}</{name}>")


def link(url: str, text, **attrs) -> SafeString:
    return tag("a", text, href=url, **attrs)


def badge(tone: str, text, **attrs) -> SafeString:
    return tag("span", text, class_=f"badge badge-{tone}", **attrs)


def url_maker(name: str) -> Callable[[int], str]:
    """``reverse(name, args=[pk])`` for many rows: the URL is reversed once and each row's id put
    in its place, which costs nothing per row."""
    sentinel = 987654321987
    before, after = reverse(name, args=[sentinel]).split(str(sentinel))
    return lambda pk: f"{before}{pk}{after}"


def titled(number: str, name: str) -> str:
    """A record's number and name as lists show them: ``P-100 · Bearing``, or the name alone."""
    return f"{number} · {name}" if number else name


@dataclass(frozen=True)
class Column:
    """One column: its header (text or markup), what each row shows in it, the ``class`` of its
    cells and header (``num`` right-aligns figures), and an optional ``data-testid`` per cell."""

    header: object
    cell: Callable[[object], object]
    classes: str = ""
    testid: str = ""
    label: str = ""  # the cells' data-label when the header is markup

    @property
    def data_label(self) -> str | None:
        if self.label:
            return str(self.label)
        return None if hasattr(self.header, "__html__") else str(self.header)


class Table:
    """A list's table. Subclasses set ``columns`` (or build them in ``__init__``) and may add
    row attributes (``row_attrs``); the view passes the page's rows."""

    columns: tuple[Column, ...] = ()
    classes = "table table-stack"
    testid = ""
    label = _("Table")  # names the scrolling box for screen readers; say what the rows are

    def __init__(self, rows: Iterable):
        self.rows = rows

    def row_attrs(self, row) -> dict:
        return {}

    def render(self) -> SafeString:
        columns = self.columns
        head = "".join(
            f'<th scope="col"{attributes({"class": c.classes or None})}>{html(c.header)}</th>'
            for c in columns
        )
        # Each cell's opening tag differs only by column: built once per table, not per row.
        openings = [
            "<td"
            + attributes(
                {
                    "class": c.classes or None,
                    "data-label": c.data_label,
                    "data-testid": c.testid or None,
                }
            )
            + ">"
            for c in columns
        ]
        body = "".join(
            f"<tr{attributes(self.row_attrs(row))}>"
            + "".join(
                f"{opening}{html(column.cell(row))}</td>"
                for opening, column in zip(openings, columns, strict=True)
            )
            + "</tr>"
            for row in self.rows
        )
        table_attrs = attributes({"class": self.classes, "data-testid": self.testid or None})
        # A table wider than its card scrolls inside it (keyboard too: the box takes focus), with
        # a shadow on the side where columns are hidden (static/css/shopwright.css).
        box_attrs = attributes({"aria-label": self.label})
        return mark_safe(
            f'<div class="table-scroll" tabindex="0" role="region"{box_attrs}>'
            f"<table{table_attrs}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
        )

    def __html__(self) -> str:
        return self.render()

    __str__ = __html__
