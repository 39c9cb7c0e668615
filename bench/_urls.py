"""The project's URLs plus the floors the benchmark compares every request with.

A floor is the cheapest request the project can answer through the same middleware and the same
authentication: whatever an endpoint costs above it is the endpoint's own work. They are mounted
here, in the benchmark's URLconf (``bench._settings``), never in the project's.
"""

from django.http import HttpResponse
from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView

from config.urls import handler500  # noqa: F401  (the project's 500 handler stays in place)
from config.urls import urlpatterns as project_urlpatterns
from core.pages import site_required


class FloorView(APIView):
    """``{}`` behind the project's default authentication, permission and throttle classes
    (token auth, signed-in check, the per-user rate limit)."""

    def get(self, request):
        return Response({})


@site_required
def page_floor(request):
    """A trivial page behind the session, the page-site middleware and the site check."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/floor/", FloorView.as_view(), name="bench-floor"),
    path("bench/floor/page/", page_floor, name="bench-floor-page"),
    *project_urlpatterns,
]
