"""Core pages: dashboard, site switcher, locations, account and tokens."""

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def server_error(request):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Server error.")}, status=500)
    return render(request, "500.html", status=500)


@login_required
def dashboard(request):
    return render(request, "core/dashboard.html", {})
