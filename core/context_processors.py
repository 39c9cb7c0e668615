"""Template context every page needs: the current site, the user's role there, all their sites."""

from core.models import Role
from core.sites import user_memberships


def site_context(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    membership = getattr(request, "membership", None)
    role = membership.role_enum if membership else None
    return {
        "current_site": getattr(request, "site", None),
        "current_membership": membership,
        "site_memberships": user_memberships(user),
        "is_manager": bool(role and role.allows(Role.MANAGER)),
        "is_site_admin": bool(role and role.allows(Role.ADMIN)),
    }
