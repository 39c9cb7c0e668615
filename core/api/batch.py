"""``POST /api/batch/``: up to 100 API operations in one request, run in order.

Each operation is dispatched to the same view a direct request would reach, as the same user with
the same site header, so it gets exactly the caller's permissions, validation and rate limit.
"""

import io
import json
from urllib.parse import urlencode

from django.db import transaction
from django.http import HttpRequest, QueryDict
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.schema import SITE_HEADER
from core.api.serializers import BatchResponseSerializer, BatchSerializer
from core.api.viewsets import AtomicWritesMixin
from core.sites import forget_memberships

COPIED_META = ("REMOTE_ADDR", "SERVER_NAME", "SERVER_PORT", "wsgi.url_scheme")
NOT_RUN = 424  # Failed Dependency: skipped because an earlier operation of an atomic batch failed


def _sub_request(request, method: str, url: str, params: dict) -> HttpRequest:
    path, _sep, query = url.partition("?")
    sub = HttpRequest()
    sub.method = method
    sub.path = sub.path_info = path
    sub.META = {
        key: value
        for key, value in request.META.items()
        if (key.startswith("HTTP_") and not key.startswith("HTTP_CONTENT_")) or key in COPIED_META
    }
    sub.GET = QueryDict(query, mutable=True)
    body = b""
    if method in ("GET", "DELETE"):
        extra = {k: v if isinstance(v, list) else str(v) for k, v in (params or {}).items()}
        sub.GET.update(QueryDict(urlencode(extra, doseq=True)))
    else:
        body = json.dumps(params or {}).encode()
        sub.META["CONTENT_TYPE"] = "application/json"
    sub.META["CONTENT_LENGTH"] = str(len(body))
    sub.META["QUERY_STRING"] = sub.GET.urlencode()
    sub._stream = io.BytesIO(body)
    sub._read_started = False
    sub.COOKIES = request.COOKIES
    # Authenticate the operation as the caller, the same way DRF's own request wrapper supports.
    sub.user = request.user
    sub._force_auth_user = request.user
    sub._force_auth_token = request.auth
    return sub


def run_operation(request, op: dict) -> dict:
    path = op["url"].partition("?")[0]
    try:
        match = resolve(path)
    except Resolver404:
        return {"status": 404, "body": {"detail": _("Not found.")}}
    forget_memberships(request.user)  # an earlier operation may have changed the caller's roles
    response = match.func(
        _sub_request(request, op["method"], op["url"], op.get("params")),
        *match.args,
        **match.kwargs,
    )
    if hasattr(response, "render"):
        response.render()
    return {"status": response.status_code, "body": _body(response)}


def _body(response):
    """The answer as JSON; in another format (the schema, the docs page) as text; a file: null."""
    if response.streaming or not response.content:
        return None
    if "json" in response.get("Content-Type", ""):
        return json.loads(response.content)
    return response.content.decode(response.charset or "utf-8", errors="replace")


class BatchView(AtomicWritesMixin, APIView):
    """Run operations ``{method, url, params}`` one after another; each gets its own result.

    By default every operation stands alone: a failing one does not stop the rest. With
    ``"atomic": true`` the batch stops at the first failure and undoes what ran before it.
    """

    @extend_schema(
        request=BatchSerializer, responses=BatchResponseSerializer, parameters=[SITE_HEADER]
    )
    def post(self, request):
        serializer = BatchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ops, atomic = serializer.validated_data["ops"], serializer.validated_data["atomic"]
        results, failed = [], False
        for op in ops:
            if failed:
                detail = _("Not run: an earlier operation of this atomic batch failed.")
                results.append({"status": NOT_RUN, "body": {"detail": detail}})
                continue
            result = run_operation(request, op)
            results.append(result)
            if atomic and result["status"] >= 400:
                failed = True
                transaction.set_rollback(True)
        return Response({"results": results, "committed": not failed})
