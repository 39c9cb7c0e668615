"""Models for the builds app (filled in by its own issue)."""
