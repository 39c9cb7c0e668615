"""Inventory page routes."""

urlpatterns: list = []
