"""Page routes of core."""

from django.contrib.auth import views as auth_views
from django.urls import path

from core import qr_views, views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("dashboard/cards/<slug:key>/", views.dashboard_card, name="dashboard-card"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="registration/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    # Django's LogoutView only accepts POST, so a link (or a prefetch) cannot sign anyone out.
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("site/switch/", views.site_switch, name="site-switch"),
    path("locations/", views.location_list, name="location-list"),
    path("locations/new/", views.location_create, name="location-create"),
    path("locations/rebuild-paths/", views.location_rebuild_paths, name="location-rebuild-paths"),
    path("locations/<int:pk>/", views.location_detail, name="location-detail"),
    path("locations/<int:pk>/edit/", views.location_edit, name="location-edit"),
    path("locations/<int:pk>/delete/", views.location_delete, name="location-delete"),
    path("locations/<int:pk>/label/", qr_views.location_label, name="location-label"),
    path("scan/", qr_views.qr_scan, name="qr-scan"),
    path("scan/location/", qr_views.qr_location_lookup, name="qr-scan-location"),
    path("qr/<path:value>/", qr_views.qr_resolve, name="qr-resolve"),
    path("tasks/<uuid:pk>/", views.task_detail, name="task-detail"),
    path("account/", views.account, name="account"),
    path("account/default-site/", views.account_default_site, name="account-default-site"),
    path("account/tokens/new/", views.token_create, name="token-create"),
    path("account/tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
]
