from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    name = "inventory"
    verbose_name = _("Inventory")

    def ready(self) -> None:
        # Core's registries: core must not import inventory, so inventory plugs itself in.
        from core.demo import register_demo_seeder
        from core.qr import register_resolver
        from inventory.dashboard import register_cards
        from inventory.demo import seed_inventory_demo
        from inventory.labels import resolve_part_qr
        from inventory.locations import register_location_panels
        from inventory.navigation import register_places

        register_resolver(resolve_part_qr)
        register_demo_seeder(seed_inventory_demo)
        register_cards()
        register_location_panels()
        register_places()
