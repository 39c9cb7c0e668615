"""Reservations as an upper app keeps them: its own table linking to inventory's parts (never a
foreign key from inventory upwards), summed per part by the provider it registers."""

from django.db import models
from django.db.models import OuterRef, Subquery, Sum

from core.models import SiteScopedModel
from core.numbers import QUANTITY
from inventory.models import Part


class Reservation(SiteScopedModel):
    part = models.ForeignKey(Part, on_delete=models.CASCADE, related_name="+")
    quantity = QUANTITY.model_field()
    open = models.BooleanField(default=True)


def reserved_for_part():
    """What open reservations hold of the part ``OuterRef("pk")``."""
    total = (
        Reservation.objects.filter(part=OuterRef("pk"), open=True)
        .values("part")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    return Subquery(total, output_field=QUANTITY.output_field())
