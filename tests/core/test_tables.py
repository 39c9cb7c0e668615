"""``core.tables``: what a list page's table writes, the phone card labels and escaping included,
and ``core.forms.FastSelect``, which must write what Django's own select writes."""

from types import SimpleNamespace

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.safestring import mark_safe

from core.forms import FastSelect, LocationChoiceField, ModelChoiceField
from core.models import Location, Site
from core.services import location_create, location_update
from core.tables import Column, Table, badge, link, spaced, tag, url_maker
from tests.factories import LocationFactory
from tests.helpers import html, text


class Things(Table):
    testid = "things"
    columns = (
        Column("Name", lambda r: link(f"/things/{r.pk}/", r.name), "cell-title"),
        Column("Note", lambda r: r.note),
        Column("Count", lambda r: r.count, "num", testid="thing-count"),
        Column(tag("span", "Actions", class_="visually-hidden"), lambda r: "", label="Actions"),
    )

    def row_attrs(self, row):
        return {"data-testid": "thing-row", "data-id": row.pk, "hidden": row.pk == 2, "x": None}


ROWS = [
    SimpleNamespace(pk=1, name="Bolt <M8>", note='say "hi" & <script>x()</script>', count=0),
    SimpleNamespace(pk=2, name="Nut", note=None, count=12),
]


def test_a_table_writes_a_header_per_column_and_a_row_per_record():
    table = html(str(Things(ROWS))).find("table")
    assert table["class"] == ["table", "table-stack"]
    assert table["data-testid"] == "things"
    assert [text(th) for th in table.find_all("th")] == ["Name", "Note", "Count", "Actions"]
    assert table.find_all("th")[2]["class"] == ["num"]
    rows = table.find("tbody").find_all("tr")
    assert [row["data-id"] for row in rows] == ["1", "2"]
    assert [row.get("hidden") for row in rows] == [None, ""]  # True is a bare attribute
    assert all("x" not in row.attrs for row in rows)  # None leaves it out


def test_every_cell_carries_its_columns_label_for_the_phone_layout():
    row = html(str(Things(ROWS))).find("tbody").find("tr")
    labels = [td.get("data-label") for td in row.find_all("td")]
    assert labels == ["Name", "Note", "Count", "Actions"]  # a markup header names its label
    assert row.find_all("td")[2]["data-testid"] == "thing-count"


def test_text_is_escaped_and_markup_is_kept():
    source = str(Things(ROWS))
    assert "<script>" not in source
    first = html(source).find("tbody").find("tr")
    name, note = first.find_all("td")[:2]
    assert name.find("a")["href"] == "/things/1/"
    assert text(name) == "Bolt <M8>"
    assert text(note) == 'say "hi" & <script>x()</script>'


def test_nothing_shows_a_dash_and_zero_shows_zero():
    rows = html(str(Things(ROWS))).find("tbody").find_all("tr")
    assert text(rows[0].find_all("td")[2]) == "0"
    assert text(rows[1].find_all("td")[1]) == "—"


def test_the_helpers_escape_what_they_are_given():
    assert str(link('/a?b="c"', "<x>")) == '<a href="/a?b=&quot;c&quot;">&lt;x&gt;</a>'
    assert str(badge("ok", "A & B")) == '<span class="badge badge-ok">A &amp; B</span>'
    assert str(tag("span", "x", data_testid="t", aria_hidden="true")) == (
        '<span data-testid="t" aria-hidden="true">x</span>'
    )
    assert str(spaced("<", mark_safe("<br>"), None, "", ">")) == "&lt; <br> &gt;"


@pytest.mark.parametrize("pk", [1, 7, 42, 123456])
def test_a_url_made_once_is_the_url_reverse_gives(pk):
    assert url_maker("part-detail")(pk) == reverse("part-detail", args=[pk])


# --- FastSelect -----------------------------------------------------------------------------------


def _options(source) -> list[tuple[str, str, bool]]:
    return [(o["value"], text(o), o.has_attr("selected")) for o in html(source).find_all("option")]


def _both(field: forms.ModelChoiceField, value) -> tuple:
    """What FastSelect writes and what Django's Select writes for the same field and value."""
    ours = field.widget.render("f", value, attrs={"id": "id_f"})
    django_select = forms.Select(choices=field.choices)
    theirs = django_select.render("f", value, attrs={"id": "id_f"})
    return ours, theirs


@pytest.mark.django_db
def test_a_model_select_writes_what_djangos_select_writes(site):
    other = Site.objects.create(name="Zeta <Works> & Co")
    field = ModelChoiceField(queryset=Site.objects.order_by("name"), empty_label="Any")
    assert isinstance(field.widget, FastSelect)
    for value in (None, "", site.pk, str(other.pk)):
        ours, theirs = _both(field, value)
        assert _options(ours) == _options(theirs)
        assert html(ours).find("select").attrs == html(theirs).find("select").attrs
    assert "<Works>" not in field.widget.render("f", None)


@pytest.mark.django_db
def test_a_location_select_shows_paths_without_building_a_location_per_option(site):
    inner = LocationFactory(site=site, name="Shelf", parent=LocationFactory(site=site, name="Hall"))
    field = LocationChoiceField("Where")
    field.queryset = Location.objects.for_site(site).order_by("path")
    ours, theirs = _both(field, inner.pk)
    assert _options(ours) == _options(theirs)
    assert _options(ours)[0] == ("", "—", False)
    assert (str(inner.pk), inner.path, True) in _options(ours)
    assert field.label_from_instance(inner) == inner.path


# Committed writes, as a request makes them: a write still open reads past the cache.
@pytest.mark.django_db(transaction=True)
def test_offered_locations_are_cached_until_the_tree_changes(site, admin_user):
    hall = location_create(site=site, by=admin_user, name="Hall")
    field = LocationChoiceField("Where")
    field.offer(site)

    def shown() -> list[str]:
        return [label for _value, label, _chosen in _options(field.widget.render("f", None))]

    assert shown() == ["—", "Hall"]
    with CaptureQueriesContext(connection) as reads:
        assert shown() == ["—", "Hall"]
    assert not [q for q in reads.captured_queries if "core_location" in q["sql"]]  # cached

    shelf = location_create(site=site, by=admin_user, name="Shelf", parent=hall)
    assert shown() == ["—", "Hall", shelf.path]
    location_update(location=hall, by=admin_user, name="Store")
    shelf.refresh_from_db()
    assert shown() == ["—", "Store", shelf.path]
    assert field.widget.render("f", shelf.pk).count(" selected") == 1


# Committed writes, as a request makes them: a write still open reads past the cache.
@pytest.mark.django_db(transaction=True)
def test_offered_vendors_and_part_types_are_cached_until_one_is_added_or_renamed(
    site, manager_user
):
    from inventory.forms import PartListFilterForm
    from inventory.services import part_type_create, vendor_create, vendor_update

    acme = vendor_create(site=site, by=manager_user, name="Acme")

    def shown(name: str) -> list[str]:
        form = PartListFilterForm({}, site=site)
        rendered = form[name].field.widget.render(name, None)
        return [label for _value, label, _chosen in _options(rendered)]

    assert shown("vendor") == ["Any", "Acme"]
    with CaptureQueriesContext(connection) as reads:
        assert shown("vendor") == ["Any", "Acme"]
        assert shown("type") == ["Any"]
        assert shown("type") == ["Any"]
    assert len(reads.captured_queries) == 1  # the part types, once; the vendors from the cache

    vendor_update(vendor=acme, by=manager_user, name="Acme Supply")
    vendor_create(site=site, by=manager_user, name="Bolt Co")
    part_type_create(site=site, by=manager_user, name="Filters")
    assert shown("vendor") == ["Any", "Acme Supply", "Bolt Co"]
    assert shown("type") == ["Any", "Filters"]


# Committed writes, as a request makes them: a write still open reads past the cache.
@pytest.mark.django_db(transaction=True)
def test_a_named_set_of_records_is_cached_without_compiling_its_query(
    site, other_site, manager_user, other_site_user, monkeypatch
):
    from django.db.models.sql.query import Query

    from inventory.forms import PartListFilterForm
    from inventory.services import vendor_create

    vendor_create(site=site, by=manager_user, name="Acme")
    vendor_create(site=other_site, by=other_site_user, name="Elsewhere")

    def shown(at) -> list[str]:
        rendered = PartListFilterForm({}, site=at)["vendor"].field.widget.render("vendor", None)
        return [label for _value, label, _chosen in _options(rendered)]

    assert shown(site) == ["Any", "Acme"] and shown(other_site) == ["Any", "Elsewhere"]

    def compiled(*args, **kwargs):
        raise AssertionError("a named set is keyed by its name, not by its SQL")

    monkeypatch.setattr(Query, "sql_with_params", compiled)
    assert shown(site) == ["Any", "Acme"] and shown(other_site) == ["Any", "Elsewhere"]
