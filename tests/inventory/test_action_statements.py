"""Every stock action runs under the part's row lock, so each statement it sends is time other
writers of the part wait: each takes at most six (transaction control not counted), also in its
most expensive case (stock arriving where none was, a split to a new place)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import Role
from core.roles import require_role
from inventory import services
from tests.inventory.factories import stocked_part

pytestmark = pytest.mark.django_db

MAX_STATEMENTS = 6
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")


def statements(call) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        call()
    return [q["sql"] for q in ctx.captured_queries if not q["sql"].startswith(TRANSACTION_CONTROL)]


@pytest.fixture
def part(site, manager_user, store):
    require_role(manager_user, site, Role.MANAGER)  # a request has loaded the membership already
    return stocked_part(site, manager_user, "10", store.shelf, "2.00", default_location=store.shelf)


ACTIONS = {  # (part, its stock item, the user, the store)
    "restock where there is stock": lambda p, i, by, s: services.part_restock(
        part=p, by=by, quantity="1", cost="2"
    ),
    "restock where there was none": lambda p, i, by, s: services.part_restock(
        part=p, by=by, quantity="1", cost="2", location=s.yard
    ),
    "reconcile": lambda p, i, by, s: services.part_reconcile(
        part=p, by=by, quantity="-1", note="count"
    ),
    "unit cost": lambda p, i, by, s: services.part_unit_cost_set(part=p, by=by, cost="3"),
    "average cost": lambda p, i, by, s: services.part_avg_cost_set(part=p, by=by, cost="3"),
    "transfer all": lambda p, i, by, s: services.stock_transfer(item=i, by=by, location=s.yard),
    "transfer a part to a new place": lambda p, i, by, s: services.stock_transfer(
        item=i, by=by, location=s.yard, quantity="3"
    ),
    "scrap": lambda p, i, by, s: services.stock_scrap(item=i, by=by, quantity="1", note="broken"),
}


@pytest.mark.parametrize("action", ACTIONS)
def test_a_stock_action_sends_at_most_six_statements(part, manager_user, store, action):
    item = part.stock_items.get()
    sent = statements(lambda: ACTIONS[action](part, item, manager_user, store))
    assert len(sent) <= MAX_STATEMENTS, "\n".join(sent)
