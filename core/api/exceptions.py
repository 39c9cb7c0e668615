"""One place that shapes API errors.

Validation errors are ``{field: [messages]}`` with status 400; every other error is
``{"detail": ...}``. Service refusals (``ServiceError``) become validation errors here, so views
never translate them one by one.
"""

from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import NON_FIELD, ServiceError
from core.sites import BadSiteHeader


def exception_handler(exc, context):
    if isinstance(exc, ServiceError):
        exc = exceptions.ValidationError(exc.errors)
    elif isinstance(exc, BadSiteHeader):
        exc = exceptions.ParseError(str(exc))
    elif isinstance(exc, PermissionDenied) and exc.args:
        exc = exceptions.PermissionDenied(str(exc.args[0]))
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, list):
        response.data = {NON_FIELD: response.data}
    return response


def api_not_found(request, *args, **kwargs):
    """Unknown paths under /api/ answer in JSON, like the rest of the API."""
    return JsonResponse({"detail": _("Not found.")}, status=404)
