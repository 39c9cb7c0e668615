from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # Registers ``field__any`` (one array parameter on PostgreSQL) on every field, and the
        # OpenAPI description of our token authentication with drf-spectacular.
        from core import lookups  # noqa: F401
        from core.api import schema  # noqa: F401
        from core.timestamps import install

        connection_created.connect(install, dispatch_uid="core.timestamps")
        from core.dashboard import register_card
        from core.navigation import HOME_ICON, SCAN_ICON, register_nav_item
        from core.selectors import site_summary

        register_nav_item(
            "dashboard",
            url_name="dashboard",
            label=_("Dashboard"),
            order=10,
            tab=HOME_ICON,
            tab_label=_("Home"),
        )
        register_nav_item("scan", url_name="qr-scan", label=_("Scan"), order=20, tab=SCAN_ICON)
        register_nav_item(
            "locations",
            url_name="location-list",
            label=_("Locations"),
            order=70,
            current=("location-",),
        )

        register_card(
            "site",
            template="core/_dashboard_site.html",
            context=lambda request: {"summary": site_summary(site=request.site)},
            order=90,  # the site's facts after what people come for
        )
