from django.apps import AppConfig


class ReservingConfig(AppConfig):
    name = "tests.reserving"
    label = "reserving"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from inventory import reservations
        from tests.reserving.models import reserved_for_part

        reservations.register(reserved_for_part)
