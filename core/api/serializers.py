"""Shapes of core's API resources. Serializers check shape; the services decide.

``ModelSerializer`` here is the base of every app's serializers: it writes its output in one pass
over a plan made once per request (see ``FastOutputMixin``), which halves the cost of a list page.
"""

import copy
import datetime
from functools import cached_property
from operator import attrgetter

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import ISO_8601, serializers
from rest_framework.fields import SkipField
from rest_framework.relations import ManyRelatedField, PKOnlyObject, RelatedField
from rest_framework.settings import api_settings

from core.models import APIToken, Location, Membership, Role, Site, TaskRecord, User

NOT_PLAIN = (
    RelatedField,
    ManyRelatedField,
    serializers.BaseSerializer,
    serializers.SerializerMethodField,
    serializers.HiddenField,
)


def _plain(field: serializers.Field) -> bool:
    """A field whose value is an attribute path of the row (``name``, ``part.name``): no
    relation, nested serializer or method, which DRF's own lookup handles."""
    return not (isinstance(field, NOT_PLAIN) or field.source == "*")


# Fields whose output depends only on the value: one instance of each can serve every request.
CONTEXT_FREE = (
    serializers.BooleanField,
    serializers.CharField,
    serializers.ChoiceField,
    serializers.DateField,
    serializers.DateTimeField,
    serializers.DecimalField,
    serializers.FloatField,
    serializers.IntegerField,
    serializers.JSONField,
    serializers.ReadOnlyField,
    serializers.TimeField,
    serializers.UUIDField,
)


def _context_free(field: serializers.Field) -> bool:
    """A field whose output needs neither the request nor its serializer: a plain value, or a
    related record's id (``PrimaryKeyRelatedField`` writes ``value.pk``)."""
    if isinstance(field, serializers.PrimaryKeyRelatedField):
        return field.pk_field is None
    return isinstance(field, CONTEXT_FREE) and _plain(field)


def _same_type_writer(kind: type):
    """For DRF's ``BooleanField``, ``CharField`` and ``IntegerField``: a value already of the
    output type is written as it is (what ``bool(v)``, ``str(v)`` or ``int(v)`` would return);
    anything else goes through the field."""

    def writer(field):
        def write(value):
            return value if value.__class__ is kind else field.to_representation(value)

        return write

    return writer


def _datetime_writer(field, zone):
    """DRF's ``DateTimeField`` output for an aware ``datetime``, in the request's time zone
    ``zone`` (looked up once per serializer, where DRF asks for it per value): ISO 8601, with
    ``Z`` for UTC. Naive values, dates and strings go through the field."""
    if (
        hasattr(field, "timezone")
        or getattr(field, "format", api_settings.DATETIME_FORMAT) != ISO_8601
        or zone is None
    ):
        return field.to_representation

    def write(value):
        if value.__class__ is not datetime.datetime or value.tzinfo is None:
            return field.to_representation(value)
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return write


# Exact classes only: a subclass may write its values its own way.
FAST_WRITERS = {
    serializers.BooleanField: _same_type_writer(bool),
    serializers.CharField: _same_type_writer(str),
    serializers.IntegerField: _same_type_writer(int),
}


def _id_column(serializer_class, field: serializers.Field) -> str | None:
    """``part_type_id`` for a ``PrimaryKeyRelatedField`` of the model's ``part_type`` foreign key:
    DRF writes the same number after building a ``PKOnlyObject`` from it."""
    if not isinstance(field, serializers.PrimaryKeyRelatedField) or field.pk_field is not None:
        return None
    model = getattr(getattr(serializer_class, "Meta", None), "model", None)
    if model is None or len(field.source_attrs) != 1:
        return None
    try:
        model_field = model._meta.get_field(field.source_attrs[0])
    except FieldDoesNotExist:
        return None
    if not (
        model_field.many_to_one and model_field.concrete and model_field.target_field.primary_key
    ):
        return None
    return model_field.attname


class FastOutputMixin:
    """Output a row with precomputed getters instead of DRF's generic per-field lookup.

    DRF builds every serializer's fields anew for each instance (a deep copy of the declared ones,
    and model fields introspected again), then looks each value up attribute by attribute,
    asking at every step whether the object is a mapping and whether the value is callable; for
    a page of 50 rows of 30 fields that is most of the time the API spends. Here:

    - the fields a serializer class outputs are built **once per class** (``_class_plan``); the
      context-free ones (plain values and related ids) are shared by every request, and only
      nested serializers, methods and the like are copied and bound to each serializer, as DRF
      would;
    - each plain field gets an ``attrgetter`` of its source, and the id of a related record (a
      ``PrimaryKeyRelatedField`` of a foreign key) is read from the row's ``<name>_id`` column;
      other relations, nested serializers and methods keep DRF's own lookup. A value that
      cannot be reached (a ``None`` on the way) goes through DRF's lookup too, which returns the
      field's default, ``None`` or the error exactly as DRF would;
    - a reference serializer (``same_record_same_output``, as ``UserRefSerializer``) writes each
      record once per response and hands every row its own copy.

    Input (validation) is DRF's, untouched. A serializer whose output fields depend on the
    request must not use this mixin (none does).
    """

    # A reference to another record (a user, a site) whose output depends on nothing but that
    # record: written once per record for a whole response, not once per row that names it.
    same_record_same_output = False

    @classmethod
    def _class_plan(cls) -> list[tuple]:
        plan = cls.__dict__.get("_fast_output_plan")  # this class's own, not a parent's
        if plan is None:
            plan = []
            for field in cls(context={})._readable_fields:
                column = _id_column(cls, field)
                if column is not None:  # the related record's id, read from the row
                    plan.append((field.field_name, None, attrgetter(column), True))
                    continue
                getter = attrgetter(".".join(field.source_attrs)) if _plain(field) else None
                plan.append((field.field_name, field, getter, _context_free(field)))
            cls._fast_output_plan = plan
        return plan

    @cached_property
    def _output_plan(self) -> list[tuple]:
        """``(name, field, getter, write)`` per output field, for this serializer (one request:
        the time zone is the request's)."""
        zone = timezone.get_current_timezone() if settings.USE_TZ else None
        plan = []
        for name, prototype, getter, shared in self._class_plan():
            if shared:
                field = prototype  # None: the value is written as read
            else:
                field = copy.deepcopy(prototype)  # as DRF's get_fields does, for this field only
                field.bind(name, self)
            if field is None:
                write = None
            elif field.__class__ is serializers.DateTimeField:
                write = _datetime_writer(field, zone)
            elif field.__class__ in FAST_WRITERS:
                write = FAST_WRITERS[field.__class__](field)
            else:
                write = field.to_representation
            plan.append((name, field, getter, write))
        return plan

    def to_representation(self, instance):
        if not self.same_record_same_output:
            return self._represent(instance)
        # Per serializer, so per request: the users of a page of 50 rows are a handful.
        written = self.__dict__.setdefault("_written", {})
        if instance.pk not in written:
            written[instance.pk] = self._represent(instance)
        return dict(written[instance.pk])

    def _represent(self, instance):
        row = {}
        for name, field, getter, write in self._output_plan:
            if field is None:
                row[name] = getter(instance)
                continue
            try:
                if getter is None:
                    value = field.get_attribute(instance)
                else:
                    try:
                        value = getter(instance)
                    except (AttributeError, ObjectDoesNotExist):
                        value = field.get_attribute(instance)
                    if callable(value):
                        value = value()
            except SkipField:
                continue
            present = value.pk if isinstance(value, PKOnlyObject) else value
            row[name] = None if present is None else write(value)
        return row


class ModelSerializer(FastOutputMixin, serializers.ModelSerializer):
    """The model serializer every app uses (see ``FastOutputMixin``)."""


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


class SiteSerializer(ModelSerializer):
    role = serializers.SerializerMethodField(help_text=_("Your role at this site."))
    technicians_may_reconcile = serializers.BooleanField(
        required=False,
        help_text=_(
            "The site's counting policy: technicians book their counts directly instead of "
            "reporting them for a manager to confirm. Set by the site's admins (here or at "
            "/api/inventory-settings/)."
        ),
    )

    class Meta:
        model = Site
        fields = [
            "id",
            "name",
            "description",
            "address",
            "time_zone",
            "currency",
            "technicians_may_reconcile",
            "role",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "role", "created_at", "updated_at"]
        extra_kwargs = {"name": {"validators": []}, "time_zone": {"validators": []}}

    def get_role(self, site: Site) -> str | None:
        roles = self.context.get("roles", {})
        return roles.get(site.pk)


class MemberSerializer(ModelSerializer):
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


class LocationSerializer(ModelSerializer):
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


class UserRefSerializer(ModelSerializer):
    same_record_same_output = True

    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name"]


class MembershipRefSerializer(ModelSerializer):
    site_name = serializers.CharField(source="site.name", read_only=True)

    class Meta:
        model = Membership
        fields = ["site", "site_name", "role"]


class MeSerializer(ModelSerializer):
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


class APITokenSerializer(ModelSerializer):
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


class TaskRecordSerializer(ModelSerializer):
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
