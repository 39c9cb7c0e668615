"""URL map: pages at the root, the REST API under /api/ (JSON 404 for anything unknown there)."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from core.api.exceptions import api_not_found

api_patterns = [
    path("", include("core.api.urls")),
    path("", include("inventory.api.urls")),
]

urlpatterns = [
    path("api/", include(api_patterns)),
    re_path(r"^api/", api_not_found),
    path("django-admin/", admin.site.urls),
    path("", include("inventory.urls")),
    path("", include("core.urls")),
]

handler500 = "core.views.server_error"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
