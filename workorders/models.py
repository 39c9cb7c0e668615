"""Models for the workorders app (filled in by its own issue)."""
