"""Models for the maintenance app (filled in by its own issue)."""
