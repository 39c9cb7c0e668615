"""Inventory API routes (mounted under /api/ by config.urls)."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from inventory.api import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("parts", views.PartViewSet, basename="part")
router.register(r"parts/(?P<part_pk>\d+)/transactions", views.PartLedgerViewSet, "part-ledger")
router.register("part-transactions", views.StockTransactionViewSet, basename="part-transaction")
router.register("part-types", views.PartTypeViewSet, basename="part-type")
router.register("vendors", views.VendorViewSet, basename="vendor")
router.register("stock", views.StockItemViewSet, basename="stock-item")
router.register("stock-counts", views.StockCountViewSet, basename="stock-count")

urlpatterns = [
    *router.urls,
    path(
        "inventory-settings/",
        views.CountingSettingsView.as_view(),
        name="api-inventory-settings",
    ),
]
