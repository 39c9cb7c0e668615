from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # Registers the OpenAPI description of our token authentication with drf-spectacular.
        from core.api import schema  # noqa: F401
        from core.dashboard import register_card
        from core.selectors import site_summary

        register_card(
            "site",
            template="core/_dashboard_site.html",
            context=lambda request: {"summary": site_summary(site=request.site)},
            order=0,
        )
