"""Inventory API routes (mounted under /api/ by config.urls)."""

urlpatterns: list = []
