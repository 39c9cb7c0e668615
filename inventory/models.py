"""Models for the inventory app (filled in by its own issue)."""
