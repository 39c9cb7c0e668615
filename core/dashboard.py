"""Dashboard cards: the home page shows one card per app.

Core cannot import the apps above it, so each app registers its card from its
``AppConfig.ready()`` (as with ``core.demo`` and ``core.qr``): a template and a function that
reads the card's figures for the request's site through the app's selectors.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest


@dataclass(frozen=True)
class DashboardCard:
    key: str
    template: str
    context: Callable[[HttpRequest], dict]  # the request has .site and .membership
    order: int = 100


_cards: dict[str, DashboardCard] = {}


def register_card(key: str, *, template: str, context: Callable, order: int = 100) -> None:
    """Add (or replace, by ``key``) a card; lower ``order`` comes first."""
    _cards[key] = DashboardCard(key=key, template=template, context=context, order=order)


def dashboard_cards(request: HttpRequest) -> list[dict]:
    """The cards to show, each ``{"key", "template", ...its context}``, in order."""
    cards = sorted(_cards.values(), key=lambda c: (c.order, c.key))
    return [{"key": c.key, "template": c.template, **c.context(request)} for c in cards]
