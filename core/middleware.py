"""Request-wide pieces: rate-limit headers on API responses, and the page site and time zone."""

import zoneinfo

from django.utils import timezone

from core.sites import page_membership


class RateLimitHeadersMiddleware:
    """Copies the throttle's numbers (set on the request) onto the response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        numbers = getattr(request, "rate_limit", None)
        if numbers is not None:
            limit, remaining, reset = numbers
            response["X-RateLimit-Limit"] = str(limit)
            response["X-RateLimit-Remaining"] = str(remaining)
            response["X-RateLimit-Reset"] = str(int(reset))
        return response


class PageSiteMiddleware:
    """Signed-in page requests: ``request.membership``, ``request.site`` and the site time zone.

    API requests pick their site from headers after token authentication, in the API views, and
    keep times in UTC, so they are left alone here.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = request.site = None
        if request.path.startswith("/api/") or not request.user.is_authenticated:
            return self.get_response(request)
        membership = page_membership(request)
        if membership is None:
            return self.get_response(request)
        request.membership, request.site = membership, membership.site
        try:
            timezone.activate(zoneinfo.ZoneInfo(membership.site.time_zone))
            return self.get_response(request)
        finally:
            timezone.deactivate()
