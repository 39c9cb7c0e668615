from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # Registers the OpenAPI description of our token authentication with drf-spectacular.
        from core.api import schema  # noqa: F401
