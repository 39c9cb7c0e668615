"""Who may do what at a site. Services call ``require_role``; API and pages check the same."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from core.models import Membership, Role, Site, User
from core.sites import membership_cache


def membership_for(user: User, site: Site | int) -> Membership | None:
    """The user's membership at the site, cached on the user object for the rest of the request."""
    if not user or not user.is_authenticated:
        return None
    site_id = site if isinstance(site, int) else site.pk
    cache = membership_cache(user)
    if site_id not in cache:
        cache[site_id] = (
            Membership.objects.select_related("site").filter(user=user, site_id=site_id).first()
        )
    return cache[site_id]


def role_refusal(role: Role) -> str:
    """The one message every refusal for a too-low role shows (API 403, page 403, service)."""
    return _("This needs the %(role)s role at this site.") % {"role": Role(role).label.lower()}


def require_role(user: User, site: Site | int, role: Role) -> Membership:
    membership = membership_for(user, site)
    if membership is None:
        raise PermissionDenied(_("You are not a member of this site."))
    if not membership.allows(role):
        raise PermissionDenied(role_refusal(role))
    return membership
