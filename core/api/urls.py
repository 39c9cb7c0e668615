"""Core API routes (mounted under /api/ by config.urls)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from core.api import views
from core.api.batch import BatchView

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("sites", views.SiteViewSet, basename="site")
router.register("users", views.MemberViewSet, basename="member")
router.register("locations", views.LocationViewSet, basename="location")
router.register("tasks", views.TaskRecordViewSet, basename="task")
router.register("user/tokens", views.APITokenViewSet, basename="token")

urlpatterns = [
    path("", views.ServerInfoView.as_view(), name="api-root"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("user/me/", views.MeView.as_view(), name="api-me"),
    path("user/token/", views.TokenView.as_view(), name="api-token"),
    path("batch/", BatchView.as_view(), name="api-batch"),
    path("", include(router.urls)),
]
