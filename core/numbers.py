"""Quantities and money: each kind of number is declared once, as a ``NumberSpec``.

A spec knows how many decimal places an input may have, how large it may be and how it is stored.
From that one declaration come the model column, the query output field, the service check, the
page form field and the API serializer fields, so the limits a user meets are the same whether
they type into a page, call the API or reach the service from a task.

``QUANTITY`` is what inventory actions and work orders accept (3 places). It is stored with 5
places because builds allocate and consume the same stock items in finer amounts (the builds
issue adds their spec). ``MONEY`` has 2 places.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache, cached_property

from django import forms
from django.conf import settings
from django.db import models
from django.utils import formats, numberformat
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from rest_framework import serializers

ZERO = Decimal("0")


@dataclass(frozen=True)
class NumberSpec:
    """One kind of decimal number.

    ``places``: decimal places accepted on input; ``integer_digits``: digits before the point
    (an input must be below 10**integer_digits); ``stored_places`` / ``stored_digits``: the
    database column, roomier than any single input because stock levels and totals accumulate.
    """

    places: int
    integer_digits: int
    stored_places: int
    stored_digits: int

    # --- Limits (worked out once: every number shown or checked uses them) ----------------------

    @cached_property
    def maximum(self) -> Decimal:
        """The first value an input may not reach (in absolute terms)."""
        return Decimal(10) ** self.integer_digits

    @cached_property
    def stored_maximum(self) -> Decimal:
        """The first value the column cannot hold (PostgreSQL: "numeric field overflow")."""
        return Decimal(10) ** (self.stored_digits - self.stored_places)

    @cached_property
    def step(self) -> Decimal:
        return Decimal(1).scaleb(-self.places)

    @cached_property
    def stored_step(self) -> Decimal:
        return Decimal(1).scaleb(-self.stored_places)

    # --- Columns and query output ---------------------------------------------------------------

    def model_field(self, verbose_name=None, **kwargs) -> models.DecimalField:
        kwargs.setdefault("default", ZERO)
        return models.DecimalField(
            verbose_name,
            max_digits=self.stored_digits,
            decimal_places=self.stored_places,
            **kwargs,
        )

    def output_field(self) -> models.DecimalField:
        """For ``Sum``/``Coalesce``/``Value`` expressions that yield this kind of number."""
        return models.DecimalField(max_digits=self.stored_digits, decimal_places=self.stored_places)

    # --- The service check ----------------------------------------------------------------------

    def parse(self, value, field: str) -> Decimal:
        """A finite number within the input limits, else ``ServiceError`` on ``field``."""
        from core.errors import ServiceError

        try:
            number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
        except (InvalidOperation, ValueError):
            raise ServiceError({field: [_("Enter a number.")]}) from None
        if not number.is_finite():
            raise ServiceError({field: [_("Enter a number.")]})
        # Size first: quantizing a number with more digits than the context's precision raises.
        if abs(number) >= self.maximum:
            raise ServiceError({field: [_("This number is too large.")]})
        if number.as_tuple().exponent < -self.places and number != number.quantize(self.step):
            raise ServiceError({field: [self.places_message()]})
        return number

    def positive(self, value, field: str) -> Decimal:
        """More than zero: a quantity received, moved or written off."""
        from core.errors import ServiceError

        number = self.parse(value, field)
        if number <= 0:
            raise ServiceError({field: [_("The quantity must be greater than zero.")]})
        return number

    def non_zero(self, value, field: str) -> Decimal:
        """Signed but not zero: a counted difference."""
        from core.errors import ServiceError

        number = self.parse(value, field)
        if number == 0:
            raise ServiceError({field: [_("The adjustment cannot be zero.")]})
        return number

    def non_negative(self, value, field: str) -> Decimal:
        """Zero or more: a stock level setting, an opening quantity, a price."""
        from core.errors import ServiceError

        number = self.parse(value, field)
        if number < 0:
            raise ServiceError({field: [_("This cannot be negative.")]})
        return number

    def places_message(self) -> str:
        # Worded as Django's and DRF's own decimal validators word it, so a page, the API and a
        # service refusal all say the same thing.
        return _("Ensure that there are no more than %(max)s decimal places.") % {
            "max": self.places
        }

    def round(self, value: Decimal) -> Decimal:
        """Rounded half up to the input places (a computed average cost, say)."""
        return value.quantize(self.step, rounding=ROUND_HALF_UP)

    def stored(self, value: Decimal | None) -> Decimal:
        """A database result at the column's places: SQLite sums decimals as floats, so a sum
        there can carry noise (0.30000000000000004) that no stored value has."""
        return Decimal(value or 0).quantize(self.stored_step)

    # --- Page forms -----------------------------------------------------------------------------

    def form_field(self, label, *, required: bool = True, **kwargs) -> forms.DecimalField:
        """A page input. Whether zero or a negative value is allowed is the service's call, so
        there is no minimum here. ``step="any"``: the browser must not refuse a valid value
        because of a step based on an earlier value (1.23456 would make "10" invalid)."""
        widget = forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"})
        return forms.DecimalField(
            label=label,
            required=required,
            max_digits=self.integer_digits + self.places,
            decimal_places=self.places,
            widget=widget,
            **kwargs,
        )

    # --- API serializers ------------------------------------------------------------------------

    def serializer_field(self, **kwargs) -> serializers.DecimalField:
        """An API input (shown as a decimal string, like every number of the API)."""
        kwargs.setdefault("max_digits", self.integer_digits + self.places)
        kwargs.setdefault("decimal_places", self.places)
        return DecimalOutput(spec=self, **kwargs)

    def serializer_output(self, **kwargs) -> serializers.DecimalField:
        """A read-only API value: shown with the input places, or more when a finer value was
        stored (a build's 0.00125 stays exact)."""
        return DecimalOutput(
            spec=self,
            read_only=True,
            max_digits=self.stored_digits + 6,
            decimal_places=self.stored_places,
            **kwargs,
        )


class DecimalOutput(serializers.DecimalField):
    """A decimal that shows ``spec.places`` places, or the stored places when they matter."""

    def __init__(self, *, spec: NumberSpec, **kwargs):
        self.spec = spec
        super().__init__(**kwargs)

    def to_representation(self, value):
        if value is None:
            return None
        value = self.spec.stored(value)
        shown = value.quantize(self.spec.step)
        return f"{shown if shown == value else value:f}"


QUANTITY = NumberSpec(places=3, integer_digits=12, stored_places=5, stored_digits=20)
MONEY = NumberSpec(places=2, integer_digits=10, stored_places=2, stored_digits=14)
# A ledger row's total is quantity x cost: more digits than either.
MONEY_TOTAL = NumberSpec(places=2, integer_digits=16, stored_places=2, stored_digits=20)


# --- Showing numbers ------------------------------------------------------------------------------


def plain(value: Decimal | None) -> Decimal | None:
    """The same number without trailing zeros or an exponent (20, not 20.00000 or 2E+1): what a
    form's initial value and a message show."""
    if value is None:
        return None
    return Decimal(f"{Decimal(value).normalize():f}")


def format_quantity(value: Decimal | None) -> str:
    """A quantity for people: localized, without trailing zeros. The ``quantity`` template filter
    and every message that names a quantity use this."""
    if value is None or value == "":
        return ""
    return _localized(plain(QUANTITY.stored(value)))


def format_money(value: Decimal | None) -> str:
    """Money for people: localized, always two places."""
    if value is None or value == "":
        return ""
    return _localized(Decimal(value), decimal_pos=MONEY.places)


# The separators of each language, looked up once: ``formats.number_format`` looks up three
# formats per number, which was a tenth of a list page of 50 rows of figures.
_SEPARATORS: dict[str | None, tuple] = {}

# Django writes a number of more digits than this in scientific notation.
_LONGEST_PLAIN = 200


def _localized(value: Decimal, decimal_pos: int | None = None) -> str:
    """``formats.number_format(value, decimal_pos)``, the same output.

    Without digit grouping (Django's default, ``USE_THOUSAND_SEPARATOR`` off) the number is
    written here in a few string operations; ``numberformat.format`` does the same in a general
    way that cost a list page of figures about a millisecond. Grouping goes to Django."""
    language = get_language()
    separators = _SEPARATORS.get(language)
    if separators is None:
        separators = _SEPARATORS[language] = tuple(
            formats.get_format(name, language)
            for name in ("DECIMAL_SEPARATOR", "NUMBER_GROUPING", "THOUSAND_SEPARATOR")
        )
    decimal_sep, grouping, thousand_sep = separators
    _sign, digits, exponent = value.as_tuple()
    if (settings.USE_THOUSAND_SEPARATOR and grouping) or len(digits) + abs(
        exponent
    ) > _LONGEST_PLAIN:
        return numberformat.format(value, decimal_sep, decimal_pos, grouping, thousand_sep)
    if decimal_pos is not None and abs(value) < _cutoff(decimal_pos):
        value = ZERO  # too small to show in the places given: Django shows zero (not "-0.00")
    whole, _point, fraction = f"{value:f}".partition(".")
    if decimal_pos is not None:
        fraction = fraction[:decimal_pos].ljust(decimal_pos, "0")  # cut, not rounded, as Django
    return f"{whole}{decimal_sep}{fraction}" if fraction else whole


@cache
def _cutoff(decimal_pos: int) -> Decimal:
    """Django's rule, which for no decimal places is 0.1, not 1."""
    return Decimal("0." + "1".rjust(decimal_pos, "0"))
