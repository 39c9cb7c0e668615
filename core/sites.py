"""Which site a request works in.

API clients name it with ``X-Site-Id`` (Click Maint's ``X-Entity-Id`` is accepted too); pages keep
it in the session and change it with the site switcher. Without either, the user's default site is
used, then their first membership. A site the user is not a member of is refused outright.
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from core.models import Membership, User

SITE_HEADERS = ("HTTP_X_SITE_ID", "HTTP_X_ENTITY_ID")
SESSION_KEY = "shopwright_site_id"


class BadSiteHeader(ValueError):
    """The header is present but is not a site id."""


def user_memberships(user: User) -> list[Membership]:
    """All of a user's memberships with their sites, kept on the user for the request.

    Attributes, not ``user.__dict__``: ``request.user`` is a lazy wrapper, whose own ``__dict__``
    is not the user's, and the authentication backend (``core.backends``) has put them on the
    user itself."""
    memberships = getattr(user, "_memberships", None)
    if memberships is None:
        memberships = list(Membership.objects.filter(user=user).select_related("site"))
        remember_memberships(user, memberships)
    return memberships


def remember_memberships(user: User, memberships: list[Membership]) -> None:
    """Keep ``memberships`` (all of the user's, with their sites, in the model's order) on the
    user for this request."""
    user._memberships = memberships
    cache = membership_cache(user)
    for m in memberships:
        cache[m.site_id] = m


def membership_cache(user: User) -> dict:
    """Site id -> the user's membership there (or None), as far as known in this request."""
    cache = getattr(user, "_membership_cache", None)
    if cache is None:
        cache = user._membership_cache = {}
    return cache


def forget_memberships(user: User) -> None:
    """Drop the memberships kept on the user object, so the next check reads them again."""
    user._memberships = user._membership_cache = None


def default_membership(user: User) -> Membership | None:
    memberships = user_memberships(user)
    for m in memberships:
        if m.site_id == user.default_site_id:
            return m
    return memberships[0] if memberships else None


def membership_by_site_id(user: User, site_id: int) -> Membership:
    for m in user_memberships(user):
        if m.site_id == site_id:
            return m
    raise PermissionDenied(_("You are not a member of site %(id)s.") % {"id": site_id})


def requested_site_id(meta: dict) -> int | None:
    for header in SITE_HEADERS:
        raw = meta.get(header)
        if raw not in (None, ""):
            try:
                return int(str(raw).strip())
            except ValueError:
                raise BadSiteHeader(
                    _("X-Site-Id must be the numeric id of a site, not “%(value)s”.")
                    % {"value": raw}
                ) from None
    return None


def api_membership(request) -> Membership:
    """The membership an API request runs under. Raises PermissionDenied or BadSiteHeader."""
    site_id = requested_site_id(request.META)
    if site_id is not None:
        return membership_by_site_id(request.user, site_id)
    membership = default_membership(request.user)
    if membership is None:
        raise PermissionDenied(_("You are not a member of any site."))
    return membership


def page_membership(request) -> Membership | None:
    """The membership a page request runs under: the session's choice, else the default."""
    site_id = request.session.get(SESSION_KEY)
    if site_id is not None:
        for m in user_memberships(request.user):
            if m.site_id == site_id:
                return m
    membership = default_membership(request.user)
    if membership is not None:
        request.session[SESSION_KEY] = membership.site_id
    return membership
