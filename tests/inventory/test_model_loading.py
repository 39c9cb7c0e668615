"""``core.loading.FastLoadingModel``: a record read from the database becomes the same instance
Django's own ``from_db`` makes (values, deferred columns, state), for every model of the project
and every way a list loads them; listeners to ``post_init`` still run."""

import contextlib
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext

from core.loading import FastLoadingModel
from core.models import Membership, TaskRecord, User
from inventory import selectors
from inventory.models import Part, PartVendor, StockItem, StockTransaction
from tests.helpers import ON_BOTH
from tests.inventory.factories import supplied_by
from tests.reserving.models import Reservation

pytestmark = pytest.mark.django_db


@contextlib.contextmanager
def djangos_own_loading(*models):
    """While a ``post_init`` listener exists for a model, its rows load through Django's path."""

    def listener(**kwargs):
        pass

    for model in models:
        post_init.connect(listener, sender=model)
    try:
        yield
    finally:
        for model in models:
            post_init.disconnect(listener, sender=model)


def loaded(instance) -> dict:
    """What loading put on an instance: its columns, its state and its deferred columns."""
    columns = {k: v for k, v in vars(instance).items() if not k.startswith("_")}
    state = (instance._state.db, instance._state.adding)
    return {"columns": columns, "state": state, "deferred": instance.get_deferred_fields()}


def related(instance, names) -> dict:
    return {name: loaded(getattr(instance, name)) for name in names if getattr(instance, name)}


def _is_ours(path: Path, root: Path) -> bool:
    return path.is_relative_to(root) and "site-packages" not in path.parts


def test_every_model_of_the_project_loads_quickly():
    root = Path(settings.BASE_DIR).resolve()
    ours = [
        model
        for model in apps.get_models()
        if _is_ours(Path(apps.get_app_config(model._meta.app_label).path).resolve(), root)
    ]
    assert Part in ours and Reservation in ours
    assert [m.__name__ for m in ours if not issubclass(m, FastLoadingModel)] == []


@pytest.fixture
def records(site, manager_user, part, store):
    supplied_by(part, manager_user, "Acme", "A-1")
    TaskRecord.objects.create(site=site, name="job", result={"n": 1})
    return part


QUERIES = {
    "parts as listed": (
        lambda site: list(selectors.parts_for_list(site=site)),
        ("part_type", "default_location", "created_by", "updated_by"),
    ),
    "parts, a column or two": (lambda site: list(Part.objects.only("name", "site")), ()),
    "parts, one deferred": (lambda site: list(Part.objects.defer("description")), ()),
    "stock with part and location": (
        lambda site: list(selectors.stock_items_for_site(site=site)),
        ("part", "location"),
    ),
    "ledger": (lambda site: list(selectors.transactions_for_site(site=site)), ("created_by",)),
    "vendor links": (lambda site: list(PartVendor.objects.select_related("vendor")), ("vendor",)),
    "memberships with sites": (lambda site: list(Membership.objects.select_related("site")), ()),
    "users": (lambda site: list(User.objects.all()), ()),
    "tasks": (lambda site: list(TaskRecord.objects.all()), ()),
    "raw": (
        lambda site: list(
            StockTransaction.objects.raw("SELECT id, quantity FROM inventory_stocktransaction")
        ),
        (),
    ),
}


@ON_BOTH
@pytest.mark.parametrize("name", QUERIES)
def test_a_loaded_record_is_what_djangos_loading_makes(records, site, name, database):
    query, relations = QUERIES[name]
    ours = query(site)
    with djangos_own_loading(*apps.get_models()):
        theirs = query(site)
    assert ours, name
    assert [loaded(row) for row in ours] == [loaded(row) for row in theirs]
    assert [related(row, relations) for row in ours] == [related(row, relations) for row in theirs]


def test_a_deferred_column_loads_on_first_use_and_a_loaded_record_saves_as_an_update(records):
    part = Part.objects.only("name", "site").get(pk=records.pk)
    with CaptureQueriesContext(connection) as reads:
        assert part.number == "OF-1"
    assert len(reads.captured_queries) == 1
    part.name = "Oil filter, long"
    with CaptureQueriesContext(connection) as writes:
        part.save(update_fields=["name"])
    assert writes.captured_queries[0]["sql"].startswith("UPDATE")
    assert Part.objects.get(pk=records.pk).name == "Oil filter, long"
    item = StockItem.objects.get(part=records)
    item.refresh_from_db()
    assert item._state.adding is False


def test_a_listener_to_post_init_still_hears_every_loaded_record(records):
    heard = []

    def listener(sender, instance, **kwargs):
        heard.append(instance.pk)

    post_init.connect(listener, sender=Part)
    try:
        rows = list(Part.objects.all())
    finally:
        post_init.disconnect(listener, sender=Part)
    assert heard == [row.pk for row in rows]


def test_a_loaded_record_does_not_go_through_the_constructor(records, monkeypatch):
    from django.db import models

    made = []
    constructor = models.Model.__init__

    def counting(self, *args, **kwargs):
        made.append(type(self).__name__)
        constructor(self, *args, **kwargs)

    monkeypatch.setattr(models.Model, "__init__", counting)
    rows = list(selectors.parts_for_list(site=records.site))
    assert rows and rows[0].vendor_list and made == []
