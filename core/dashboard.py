"""Dashboard cards: the home page shows the cards the apps register.

Core cannot import the apps above it, so each app registers its cards from its
``AppConfig.ready()`` (as with ``core.demo`` and ``core.qr``): a template and a function that
reads the card's figures for the request's site through the app's selectors.

A card with ``refresh`` (seconds) is live: the page asks for that card alone again
(``/dashboard/cards/<key>/``, ``card_for``) every so many seconds and swaps it in place, so a
dashboard left open on a screen in the shop shows new stock movements and low stock without a
reload. ``roles`` limits a card to members with at least that role (``Role``).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest

from core.models import Role


@dataclass(frozen=True)
class DashboardCard:
    key: str
    template: str
    context: Callable[[HttpRequest], dict]  # the request has .site and .membership
    order: int = 100
    refresh: int = 0  # seconds between refreshes of a live card; 0: shown as loaded
    role: Role = Role.TECHNICIAN  # the least role that sees the card

    def shown_to(self, request: HttpRequest) -> bool:
        membership = getattr(request, "membership", None)
        return membership is not None and membership.allows(self.role)

    def render_context(self, request: HttpRequest) -> dict:
        return {
            "key": self.key,
            "template": self.template,
            "refresh": self.refresh,
            **self.context(request),
        }


_cards: dict[str, DashboardCard] = {}


def register_card(
    key: str,
    *,
    template: str,
    context: Callable,
    order: int = 100,
    refresh: int = 0,
    role: Role = Role.TECHNICIAN,
) -> None:
    """Add (or replace, by ``key``) a card; lower ``order`` comes first."""
    _cards[key] = DashboardCard(
        key=key, template=template, context=context, order=order, refresh=refresh, role=role
    )


def dashboard_cards(request: HttpRequest) -> list[dict]:
    """The cards to show, each ``{"key", "template", "refresh", ...its context}``, in order."""
    cards = sorted(_cards.values(), key=lambda c: (c.order, c.key))
    return [c.render_context(request) for c in cards if c.shown_to(request)]


def card_for(request: HttpRequest, key: str) -> dict | None:
    """One card, as ``dashboard_cards`` gives it, for a live card's refresh; None if there is no
    such card or the request may not see it."""
    card = _cards.get(key)
    if card is None or not card.shown_to(request):
        return None
    return card.render_context(request)
