"""Template filters every app's pages use: ``{% load shopwright %}``.

Numbers are shown one way everywhere: ``{{ part.on_hand|quantity }}`` (localized, without
trailing zeros) and ``{{ part.unit_cost|money }}`` (two places), the same functions the messages
of services and views use (``core.numbers``).
"""

from django import template

from core import navigation
from core.numbers import format_money, format_quantity

register = template.Library()


@register.filter
def quantity(value) -> str:
    """``4``, ``2.5``, ``0.00125``: never ``4.00000``."""
    return format_quantity(value)


@register.filter
def money(value) -> str:
    """``12.50``: two places, localized."""
    return format_money(value)


def _url_name(context) -> str:
    match = getattr(context.get("request"), "resolver_match", None)
    return (match.url_name or "") if match else ""


@register.simple_tag(takes_context=True)
def nav_links(context):
    """The main navigation's places (``core.navigation``), the current one marked."""
    return navigation.nav_links(_url_name(context))


@register.simple_tag(takes_context=True)
def tab_links(context):
    """The tab bar's places (``core.navigation``), the current one marked."""
    return navigation.tab_links(_url_name(context))
