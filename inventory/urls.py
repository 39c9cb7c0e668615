"""Inventory page routes (mounted at the root by config.urls)."""

from django.urls import path

from inventory import labels, views
from inventory.views import counts
from inventory.views.stock_actions import part_count

urlpatterns = [
    path("parts/", views.part_list, name="part-list"),
    path("parts/new/", views.part_create, name="part-create"),
    path("parts/<int:pk>/", views.part_detail, name="part-detail"),
    path("parts/<int:pk>/edit/", views.part_edit, name="part-edit"),
    path("parts/<int:pk>/restock/", views.part_restock, name="part-restock"),
    path("parts/<int:pk>/reconcile/", views.part_reconcile, name="part-reconcile"),
    path("parts/<int:pk>/unit-cost/", views.part_unit_cost, name="part-unit-cost"),
    path("parts/<int:pk>/avg-cost/", views.part_avg_cost, name="part-avg-cost"),
    path("parts/<int:pk>/transfer/", views.part_transfer, name="part-transfer"),
    path("parts/<int:pk>/scrap/", views.part_scrap, name="part-scrap"),
    path("parts/<int:pk>/count/", part_count, name="part-count"),
    path("parts/<int:pk>/counts/", counts.part_counts, name="part-counts"),
    path("counts/", counts.count_list, name="count-list"),
    path("counts/<int:pk>/confirm/", counts.count_confirm, name="count-confirm"),
    path("counts/<int:pk>/reject/", counts.count_reject, name="count-reject"),
    path("counts/settings/", counts.counting_settings, name="counting-settings"),
    path("reorder/", views.reorder, name="reorder"),
    path("vendors/", views.vendor_list, name="vendor-list"),
    path("vendors/new/", views.vendor_create, name="vendor-create"),
    path("vendors/<int:pk>/", views.vendor_detail, name="vendor-detail"),
    path("vendors/<int:pk>/edit/", views.vendor_edit, name="vendor-edit"),
    path("stock/", views.stock_by_location, name="stock-by-location"),
    path("parts/<int:pk>/label/", labels.part_label, name="part-label"),
]
