"""Base classes every API view builds on: atomic writes and automatic site scoping."""

from functools import cached_property

from django.db import transaction
from rest_framework import viewsets
from rest_framework.permissions import SAFE_METHODS
from rest_framework.views import APIView

from core.models import Membership, Role, Site
from core.sites import api_membership


class AtomicWritesMixin:
    """A write request runs in one transaction and is rolled back whole if it answers an error."""

    def dispatch(self, request, *args, **kwargs):
        if request.method in SAFE_METHODS:
            return super().dispatch(request, *args, **kwargs)
        with transaction.atomic():
            response = super().dispatch(request, *args, **kwargs)
            if response.status_code >= 400:
                transaction.set_rollback(True)
            return response


class SiteScopedMixin(AtomicWritesMixin):
    """Scopes a view to the request's site (``X-Site-Id``/``X-Entity-Id``, else the default site).

    ``get_queryset`` only ever returns the site's rows, so an object of another site is a 404.
    Reads need ``read_role``, writes ``write_role``; ``action_roles`` overrides either per action.
    """

    read_role: Role = Role.TECHNICIAN
    write_role: Role = Role.MANAGER
    action_roles: dict[str, Role] = {}

    @cached_property
    def membership(self) -> Membership:
        return api_membership(self.request)

    @property
    def site(self) -> Site:
        return self.membership.site

    def required_role(self) -> Role:
        action = getattr(self, "action", None)
        if action in self.action_roles:
            return self.action_roles[action]
        return self.read_role if self.request.method in SAFE_METHODS else self.write_role

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request site
            return self.queryset.model.objects.none()
        return self.queryset_for_site(self.site)

    def queryset_for_site(self, site: Site):
        return self.queryset.model.objects.for_site(site)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False) and self.request.user.is_authenticated:
            context["site"] = self.site
        return context


class SiteScopedViewSet(SiteScopedMixin, viewsets.GenericViewSet):
    """Base for a site's resources; add the DRF mixins the resource supports."""


class UserAPIView(AtomicWritesMixin, APIView):
    """Base for endpoints about the signed-in user rather than a site."""
