"""API permissions: signed in, a member of the request's site, with the role the action needs."""

from rest_framework.permissions import BasePermission

from core.roles import role_refusal


class SiteRolePermission(BasePermission):
    """Default for every API view.

    Views that are not tied to a site (``/api/user/me/``, ``/api/sites/``) only need a signed-in
    user. Site-scoped views (``SiteScopedViewSet``) also need a membership of the request's site
    with the role ``view.required_role()`` names; the services check the same rule again.
    """

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        required_role = getattr(view, "required_role", None)
        if required_role is None:
            return True
        role = required_role()
        if not view.membership.allows(role):
            self.message = role_refusal(role)
            return False
        return True


class AllowAny(BasePermission):
    def has_permission(self, request, view) -> bool:
        return True
