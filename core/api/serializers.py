"""Shapes of core's API resources. Serializers check shape; the services decide."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.models import APIToken, Location, Membership, Role, Site, TaskRecord, User


class SiteScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A reference to another record of the request's site; other sites' ids do not exist."""

    def get_queryset(self):
        site = self.context.get("site")
        model = self.queryset.model
        return model.objects.for_site(site) if site is not None else model.objects.none()


class OwnSitePrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A site the requesting user is a member of; other sites' ids do not exist."""

    def get_queryset(self):
        request = self.context.get("request")
        if request is None or not request.user.is_authenticated:
            return Site.objects.none()
        return Site.objects.filter(memberships__user=request.user)


class SiteSerializer(serializers.ModelSerializer):
    role = serializers.SerializerMethodField(help_text=_("Your role at this site."))

    class Meta:
        model = Site
        fields = [
            "id",
            "name",
            "description",
            "address",
            "time_zone",
            "currency",
            "role",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "role", "created_at", "updated_at"]
        extra_kwargs = {"name": {"validators": []}, "time_zone": {"validators": []}}

    def get_role(self, site: Site) -> str | None:
        roles = self.context.get("roles", {})
        return roles.get(site.pk)


class MemberSerializer(serializers.ModelSerializer):
    """A user as a member of the current site; ``id`` is the user's id."""

    id = serializers.IntegerField(source="user.id", read_only=True)
    username = serializers.CharField(source="user.username", max_length=150)
    first_name = serializers.CharField(
        source="user.first_name", max_length=150, required=False, allow_blank=True
    )
    last_name = serializers.CharField(
        source="user.last_name", max_length=150, required=False, allow_blank=True
    )
    email = serializers.EmailField(source="user.email", required=False, allow_blank=True)
    role = serializers.ChoiceField(choices=Role.choices)
    password = serializers.CharField(
        write_only=True, required=False, style={"input_type": "password"}, min_length=8
    )

    class Meta:
        model = Membership
        fields = ["id", "username", "first_name", "last_name", "email", "role", "password"]


class MemberRoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)


class LocationSerializer(serializers.ModelSerializer):
    parent = SiteScopedPrimaryKeyField(
        queryset=Location.objects.all(), allow_null=True, required=False
    )
    has_children = serializers.SerializerMethodField()
    qr_code = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        trim_whitespace=True,
        help_text=_(
            "QR value, unique within the site. On create, leave it out to get a generated one; "
            'send "" to remove it.'
        ),
    )
    generate_qr_code = serializers.BooleanField(
        write_only=True,
        required=False,
        help_text=_(
            "Generate a QR value (unless qr_code names one). Default on create: true; on update: "
            "false (true replaces the current value)."
        ),
    )

    class Meta:
        model = Location
        fields = [
            "id",
            "name",
            "description",
            "address",
            "parent",
            "path",
            "depth",
            "has_children",
            "qr_code",
            "generate_qr_code",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "path", "depth", "has_children", "created_at", "updated_at"]
        extra_kwargs = {"description": {"required": False}, "address": {"required": False}}

    def get_has_children(self, location: Location) -> bool:
        annotated = getattr(location, "has_children", None)
        return annotated if annotated is not None else location.children.exists()


class UserRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name"]


class MembershipRefSerializer(serializers.ModelSerializer):
    site_name = serializers.CharField(source="site.name", read_only=True)

    class Meta:
        model = Membership
        fields = ["site", "site_name", "role"]


class MeSerializer(serializers.ModelSerializer):
    memberships = MembershipRefSerializer(many=True, read_only=True)
    default_site = OwnSitePrimaryKeyField(allow_null=True, required=False)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "first_name",
            "last_name",
            "email",
            "default_site",
            "memberships",
            "is_superuser",
        ]
        read_only_fields = ["id", "username", "memberships", "is_superuser"]


class TokenIssuedSerializer(serializers.Serializer):
    token = serializers.CharField(help_text=_("The key. It is shown only this once."))
    name = serializers.CharField()
    expiry = serializers.DateTimeField(allow_null=True)


class TokenCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    expires_at = serializers.DateTimeField(required=False, allow_null=True)


class APITokenSerializer(serializers.ModelSerializer):
    active = serializers.BooleanField(source="is_active", read_only=True)

    class Meta:
        model = APIToken
        fields = [
            "id",
            "name",
            "prefix",
            "created_at",
            "last_used_at",
            "expires_at",
            "revoked_at",
            "active",
        ]
        read_only_fields = fields


class TaskRecordSerializer(serializers.ModelSerializer):
    target_type = serializers.CharField(
        source="target_type_key",
        read_only=True,
        help_text=_("The object the task works on, as app_label.model (e.g. core.site)."),
    )

    class Meta:
        model = TaskRecord
        fields = [
            "id",
            "name",
            "state",
            "progress",
            "message",
            "result",
            "error",
            "attempts",
            "max_attempts",
            "target_type",
            "target_id",
            "target_label",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class ServerInfoSerializer(serializers.Serializer):
    server = serializers.CharField()
    version = serializers.CharField()
    apiVersion = serializers.IntegerField()
    instance = serializers.CharField()
    docs = serializers.CharField()
    schema = serializers.CharField()


class BatchOperationSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=["GET", "POST", "PUT", "PATCH", "DELETE"])
    url = serializers.CharField(max_length=2000)
    params = serializers.JSONField(required=False, default=dict)

    def to_internal_value(self, data):
        if isinstance(data, dict) and isinstance(data.get("method"), str):
            data = {**data, "method": data["method"].upper()}
        return super().to_internal_value(data)

    def validate_params(self, params):
        if not isinstance(params, dict):
            raise serializers.ValidationError(_("params must be an object of names and values."))
        return params

    def validate_url(self, url: str) -> str:
        if not url.startswith("/api/"):
            raise serializers.ValidationError(_("The url must be an API path starting with /api/."))
        if url.split("?")[0].rstrip("/") == "/api/batch":
            raise serializers.ValidationError(_("A batch cannot contain another batch."))
        return url


class BatchSerializer(serializers.Serializer):
    ops = BatchOperationSerializer(many=True, allow_empty=False)
    atomic = serializers.BooleanField(
        default=False,
        help_text=_("Stop at the first failing operation and undo the operations before it."),
    )
    sequential = serializers.BooleanField(required=False, help_text=_("Accepted; always true."))

    def validate_ops(self, ops):
        from django.conf import settings

        if len(ops) > settings.API_BATCH_MAX_OPS:
            raise serializers.ValidationError(
                _("At most %(n)s operations per batch.") % {"n": settings.API_BATCH_MAX_OPS}
            )
        return ops


class BatchResultSerializer(serializers.Serializer):
    status = serializers.IntegerField()
    body = serializers.JSONField(allow_null=True)


class BatchResponseSerializer(serializers.Serializer):
    results = BatchResultSerializer(many=True)
