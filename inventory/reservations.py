"""How much of a part is spoken for, contributed by the apps above inventory.

Work orders reserve the parts assigned to open orders; builds reserve what is allocated to them.
Inventory cannot import those apps (apps depend downward only), so each registers, from its
``AppConfig.ready()``, a function returning a subquery of the reserved quantity for the part
``OuterRef("pk")``. Until any is registered, nothing is reserved.

Counts of part lists are cached until the data they depend on changes (``core.versions``): an
app that reserves stock calls ``core.versions.data_changed(site_id, RESERVATIONS_DATA)`` whenever
its reservations change, so the low-stock lists recount.
"""

from collections.abc import Callable
from decimal import Decimal

from django.db.models import Expression, Value
from django.db.models.functions import Coalesce

from core.numbers import QUANTITY

_providers: list[Callable[[], Expression]] = []
RESERVATIONS_DATA = "reservations"


def register(provider: Callable[[], Expression]) -> None:
    if provider not in _providers:
        _providers.append(provider)


def reservations_registered() -> bool:
    """Whether any app reserves stock (until one does, nothing is reserved)."""
    return bool(_providers)


def reserved_expression() -> Expression:
    """Sum of every registered reservation for the part ``OuterRef("pk")``, zero if none."""
    output = QUANTITY.output_field()
    total: Expression = Value(Decimal("0"), output_field=output)
    for provider in _providers:
        total = total + Coalesce(provider(), Value(Decimal("0")), output_field=output)
    return total
