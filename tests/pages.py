"""Helpers for page tests: signed-in Django test clients and the HTMX request header."""

from django.test import Client

HTMX = {"HX-Request": "true"}


def page_client(user) -> Client:
    """A browser-like client with a session for ``user`` (no token, no site header)."""
    client = Client()
    client.force_login(user)
    return client
