from django.apps import AppConfig


class ReservingConfig(AppConfig):
    """Only the table. The provider is registered by the tests that reserve stock
    (``tests/inventory/test_reservations.py``), so every other test runs as production does
    today: with no app reserving anything."""

    name = "tests.reserving"
    label = "reserving"
    default_auto_field = "django.db.models.BigAutoField"
