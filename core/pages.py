"""Site scoping for server-rendered pages, shared by every app's views.

The API scopes by ``X-Site-Id``; pages scope by the site chosen in the switcher, which
``core.middleware.PageSiteMiddleware`` puts on ``request.site`` and ``request.membership``. The
helpers here turn that into the same promises the API makes: signed-in only, a role check that
answers 403, and objects of another site that simply do not exist (404).
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_vary_headers
from django_htmx.http import HttpResponseClientRedirect

from core.filters import MAX_ID
from core.models import Role
from core.roles import role_refusal

NO_SITE_TEMPLATE = "core/no_site.html"


def is_partial_request(request) -> bool:
    """An HTMX request that swaps part of a page, as opposed to boosted or history navigation.

    Boosted links and history restores replace the whole ``<body>``, so they need the full page.
    """
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render_page(
    request,
    template: str,
    context: dict | None = None,
    partial: str | None = None,
    *,
    status: int = 200,
):
    """The full page, or only ``template#partial`` when HTMX asks for a piece of it.

    The response varies on ``HX-Request`` so a browser cache never serves the fragment as a page.
    """
    name = f"{template}#{partial}" if partial and is_partial_request(request) else template
    response = render(request, name, context or {}, status=status)
    if partial:
        patch_vary_headers(response, ("HX-Request",))
    return response


def refusal(request, role: Role):
    """None if the request may go on; else the response (or exception) that refuses it."""
    if not request.user.is_authenticated:
        if is_partial_request(request):
            # A swapped-in login page inside a table row helps nobody: reload into the login page.
            return HttpResponseClientRedirect(redirect_to_login(request.get_full_path()).url)
        return redirect_to_login(request.get_full_path())
    membership = getattr(request, "membership", None)
    if membership is None:
        return render(request, NO_SITE_TEMPLATE, {}, status=403)
    if not membership.allows(role):
        raise PermissionDenied(role_refusal(role))
    return None


def site_required(view=None, *, role: Role = Role.TECHNICIAN):
    """Decorate a page view: signed in, working in a site, with at least ``role`` there.

    Usable bare (``@site_required``) or with a role (``@site_required(role=Role.MANAGER)``).
    Someone with no membership at all gets a friendly "no site" page rather than a bare 403.
    """

    def decorator(fn):
        @wraps(fn)
        def wrapped(request, *args, **kwargs):
            refused = refusal(request, role)
            if refused is not None:
                return refused
            return fn(request, *args, **kwargs)

        wrapped.required_role = role
        return wrapped

    if view is not None:
        return decorator(view)
    return decorator


def int_or_404(value) -> int:
    """An id from a query string or form; anything that is not one is a plain 404."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 0 < number <= MAX_ID:
        raise Http404
    return number


def site_queryset(request, model_or_queryset: type[Model] | QuerySet) -> QuerySet:
    """Only the current site's rows; nothing at all when the request has no site."""
    if isinstance(model_or_queryset, QuerySet):
        queryset = model_or_queryset
    else:
        queryset = model_or_queryset._default_manager.all()
    site = getattr(request, "site", None)
    if site is None:
        return queryset.none()
    return queryset.filter(site=site)


def get_site_object_or_404(request, model_or_queryset: type[Model] | QuerySet, **lookup):
    """Look an object up within the current site, so another site's object is a plain 404."""
    return get_object_or_404(site_queryset(request, model_or_queryset), **lookup)


class SiteScopedViewMixin:
    """The class-based form of ``site_required`` plus site-filtered ``get_queryset``.

    Set ``model`` or ``queryset`` as for Django's generic views and ``required_role`` if reading
    needs more than a technician. ``get_object`` of DetailView/UpdateView then 404s across sites.
    """

    required_role: Role = Role.TECHNICIAN

    def dispatch(self, request, *args, **kwargs):
        refused = refusal(request, self.required_role)
        if refused is not None:
            return refused
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "queryset", None) is not None:
            base = self.queryset.all()
        elif getattr(self, "model", None) is not None:
            base = self.model._default_manager.all()
        else:
            raise ImproperlyConfigured(f"{type(self).__name__} needs a model or a queryset.")
        return site_queryset(self.request, base)
