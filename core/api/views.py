"""Core API: server info, the signed-in user and their tokens, sites, members, locations, tasks."""

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.authentication import BasicAuthentication
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from core import selectors, services
from core.api.permissions import AllowAny
from core.api.serializers import (
    APITokenSerializer,
    LocationSerializer,
    MemberRoleSerializer,
    MemberSerializer,
    MeSerializer,
    ServerInfoSerializer,
    SiteSerializer,
    TaskRecordSerializer,
    TokenCreateSerializer,
    TokenIssuedSerializer,
)
from core.api.viewsets import AtomicWritesMixin, SiteScopedViewSet, UserAPIView
from core.background import TASKS_DATA
from core.filters import LocationFilter, TaskRecordFilter
from core.models import APIToken, Location, Membership, Role, Site, TaskRecord
from core.sites import forget_memberships, user_memberships


class ServerInfoView(APIView):
    """What server this is. Open to everyone, so clients can check versions before signing in."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(responses=ServerInfoSerializer, auth=[])
    def get(self, request):
        return Response(
            {
                "server": "Shopwright",
                "version": settings.VERSION,
                "apiVersion": settings.API_VERSION,
                "instance": settings.SPECTACULAR_SETTINGS["TITLE"],
                "docs": "/api/docs/",
                "schema": "/api/schema/",
            }
        )


class MeView(UserAPIView):
    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)

    @extend_schema(request=MeSerializer, responses=MeSerializer)
    def patch(self, request):
        context = {"request": request}
        serializer = MeSerializer(request.user, data=request.data, partial=True, context=context)
        serializer.is_valid(raise_exception=True)
        user = services.user_update_profile(user=request.user, **serializer.validated_data)
        return Response(MeSerializer(user).data)


class TokenView(AtomicWritesMixin, APIView):
    """Trade a username and password (HTTP basic auth) for a new API token."""

    authentication_classes = [BasicAuthentication]

    @extend_schema(
        parameters=[OpenApiParameter("name", str, description="A name for the token.")],
        responses=TokenIssuedSerializer,
    )
    def get(self, request):
        name = request.query_params.get("name") or _("API token")
        token, key = services.api_token_create(user=request.user, name=name)
        return Response({"token": key, "name": token.name, "expiry": token.expires_at})


class APITokenViewSet(
    AtomicWritesMixin, mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    """Your API tokens. POST creates one (its key is shown once); DELETE revokes one."""

    serializer_class = APITokenSerializer
    queryset = APIToken.objects.none()
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return APIToken.objects.none()
        return selectors.tokens_for_user(user=self.request.user)

    @extend_schema(request=TokenCreateSerializer, responses={201: TokenIssuedSerializer})
    def create(self, request):
        serializer = TokenCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token, key = services.api_token_create(user=request.user, **serializer.validated_data)
        return Response(
            {"token": key, "name": token.name, "expiry": token.expires_at},
            status=status.HTTP_201_CREATED,
        )

    def perform_destroy(self, instance):
        services.api_token_revoke(token=instance, by=self.request.user)


class SiteViewSet(
    AtomicWritesMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The sites you are a member of, with your role at each. Admins edit their sites."""

    serializer_class = SiteSerializer
    queryset = Site.objects.none()
    search_fields = ["name", "description", "address"]
    ordering_fields = ["name", "created_at"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Site.objects.none()
        return selectors.sites_for_user(user=self.request.user)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.request.user.is_authenticated:
            context["roles"] = {m.site_id: m.role for m in user_memberships(self.request.user)}
        return context

    def perform_create(self, serializer):
        serializer.instance = services.site_create(
            by=self.request.user, **serializer.validated_data
        )
        forget_memberships(self.request.user)  # the creator is now the new site's admin
        serializer.context.update(self.get_serializer_context())

    def perform_update(self, serializer):
        serializer.instance = services.site_update(
            site=serializer.instance, by=self.request.user, **serializer.validated_data
        )


class MemberViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    SiteScopedViewSet,
):
    """Members of the current site. Admins add people, change roles and remove members."""

    serializer_class = MemberSerializer
    queryset = Membership.objects.none()
    write_role = Role.ADMIN
    lookup_field = "user_id"
    lookup_url_kwarg = "id"
    lookup_value_regex = r"\d{1,18}"
    search_fields = ["user__username", "user__first_name", "user__last_name", "user__email"]
    ordering_fields = ["user__username", "role"]
    filterset_fields = ["role"]

    def queryset_for_site(self, site):
        return selectors.members_for_site(site=site)

    def perform_create(self, serializer):
        data = serializer.validated_data
        user = data.get("user", {})
        serializer.instance = services.member_add(
            site=self.site,
            by=self.request.user,
            username=user["username"],
            role=data["role"],
            email=user.get("email", ""),
            first_name=user.get("first_name", ""),
            last_name=user.get("last_name", ""),
            password=data.get("password"),
        )

    @extend_schema(request=MemberRoleSerializer, responses=MemberSerializer)
    def partial_update(self, request, *args, **kwargs):
        membership = self.get_object()  # another site's member is a 404 whatever the body
        serializer = MemberRoleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = services.member_set_role(
            membership=membership, by=request.user, **serializer.validated_data
        )
        return Response(MemberSerializer(membership).data)

    def perform_destroy(self, instance):
        services.member_remove(membership=instance, by=self.request.user)


class LocationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    SiteScopedViewSet,
):
    """The site's location tree (building > room > bin). ``path`` is the breadcrumb."""

    serializer_class = LocationSerializer
    queryset = Location.objects.none()
    filterset_class = LocationFilter
    search_fields = ["name", "path", "description", "address"]
    ordering_fields = ["name", "path", "depth", "created_at", "updated_at"]
    ordering = ["path"]
    action_roles = {"rebuild_paths": Role.ADMIN}

    def queryset_for_site(self, site):
        return selectors.locations_for_site(site=site)

    def perform_create(self, serializer):
        serializer.instance = services.location_create(
            site=self.site, by=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.location_update(
            location=serializer.instance, by=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.location_delete(location=instance, by=self.request.user)

    @extend_schema(request=None, responses={202: TaskRecordSerializer})
    @action(detail=False, methods=["post"], url_path="rebuild-paths")
    def rebuild_paths(self, request):
        """Recompute every stored path of the site in the background; poll /api/tasks/{id}/."""
        record = services.location_paths_rebuild_start(site=self.site, by=request.user)
        return Response(TaskRecordSerializer(record).data, status=status.HTTP_202_ACCEPTED)


class TaskRecordViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, SiteScopedViewSet):
    """Background tasks of the current site: state, progress (percent), result or error."""

    serializer_class = TaskRecordSerializer
    queryset = TaskRecord.objects.none()
    filterset_class = TaskRecordFilter
    count_topic = TASKS_DATA
    ordering_fields = ["created_at", "finished_at"]
    ordering = ["-created_at"]
