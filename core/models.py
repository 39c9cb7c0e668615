"""Sites, users and roles, locations, API tokens and background-task records.

Every business record in Shopwright belongs to one ``Site``; ``SiteScopedModel`` is the base that
gives later apps the ``site`` column and the ``for_site()`` queryset the API and pages filter by,
and ``Audited`` the created/updated timestamps and authors their services fill in.
"""

import hashlib
import uuid
import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.loading import FastLoadingModel


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Unknown time zone “%(value)s”."), params={"value": value})


class Site(FastLoadingModel):
    """A plant or business unit (Click Maint's "entity"). All business data is partitioned by it."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    address = models.TextField(_("address"), blank=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_time_zone]
    )
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    # A policy of the site's admin (set through ``inventory.services.site_counting_set``): by
    # default a technician's count waits for a manager to confirm it; where the team is small or
    # trusted, technicians reconcile directly.
    technicians_may_reconcile = models.BooleanField(
        _("technicians may reconcile stock"),
        default=False,
        help_text=_(
            "Technicians book their counts at once, as managers do, instead of reporting them "
            "for a manager to confirm."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    """Roles are ordered: each one can do everything the one before it can."""

    TECHNICIAN = "technician", _("Technician")
    MANAGER = "manager", _("Manager")
    ADMIN = "admin", _("Admin")

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def allows(self, required: "Role") -> bool:
        return self.rank >= Role(required).rank


class User(FastLoadingModel, AbstractUser):
    """A person or integration account. What they may do depends on their role at each site."""

    default_site = models.ForeignKey(
        Site,
        verbose_name=_("default site"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"


class Membership(FastLoadingModel):
    """A user's role at one site. Without one, the site's data does not exist for the user."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.TECHNICIAN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "site"], name="membership_unique_user_site")
        ]
        ordering = ["site__name"]

    def __str__(self) -> str:
        return f"{self.user} @ {self.site} ({self.role})"

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    def allows(self, required: Role) -> bool:
        return self.role_enum.allows(required)


class SiteScopedQuerySet(models.QuerySet):
    def for_site(self, site: Site | int) -> "SiteScopedQuerySet":
        return self.filter(site=site)


class SiteScopedModel(FastLoadingModel):
    """Base for every record that belongs to a site; the API and pages only see ``for_site()``."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        abstract = True


class Audited(FastLoadingModel):
    """When a record was created and last changed, and by whom. Services set the ``*_by`` fields
    (``save()`` has no side effects), so every write path records its author the same way."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        abstract = True


class Location(SiteScopedModel, Audited):
    """A place in a site's tree: building > room > bin. ``path`` is the stored breadcrumb.

    ``lineage`` holds the ids from the root down to this node ("/3/7/12/") so that "this location
    and everything below it" is one indexed prefix match, which stock and asset filters rely on.
    """

    PATH_SEPARATOR = " > "

    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    address = models.TextField(_("address"), blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("path"), max_length=1000, editable=False)
    lineage = models.CharField(max_length=500, editable=False, db_index=True)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    qr_code = models.CharField(_("QR code"), max_length=200, blank=True)

    class Meta:
        ordering = ["path", "pk"]
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        indexes = [
            models.Index(fields=["site", "path", "id"], name="location_site_path"),
            models.Index(fields=["site", "name", "id"], name="location_site_name"),
            models.Index(fields=["site", "depth", "id"], name="location_site_depth"),
            models.Index(fields=["site", "created_at", "id"], name="location_site_created"),
            models.Index(fields=["site", "updated_at", "id"], name="location_site_updated"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "qr_code"],
                condition=~models.Q(qr_code=""),
                name="location_unique_qr_per_site",
            )
        ]

    def __str__(self) -> str:
        return self.path or self.name


class APIToken(FastLoadingModel):
    """A per-user API key. Only a hash is stored; the key is shown once, when it is created."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=8, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @property
    def is_active(self) -> bool:
        from django.utils import timezone

        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > timezone.now()


class TaskState(models.TextChoices):
    PENDING = "PENDING", _("Queued")
    STARTED = "STARTED", _("Running")
    SUCCESS = "SUCCESS", _("Finished")
    FAILURE = "FAILURE", _("Failed")


# A record in one of these states may still run; pages show it as "running" on its target.
TASK_OPEN_STATES = (TaskState.PENDING, TaskState.STARTED)


class TaskRecord(FastLoadingModel):
    """What the API and pages poll for a background task, whether it ran in-process or on a worker.

    The record lives in the database rather than the Celery result store so that its state is the
    same in embedded mode (no broker) and with separate workers, and so it is scoped to a site.
    It also holds what is needed to send the task again (``task_name``, ``kwargs``) and the lease
    of the worker running it, so that a task whose worker died is run again or marked failed
    (``core.background``), never left running forever.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=200)
    state = models.CharField(max_length=10, choices=TaskState.choices, default=TaskState.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    message = models.CharField(max_length=500, blank=True)
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    max_attempts = models.PositiveSmallIntegerField(default=1)
    worker = models.CharField(max_length=200, blank=True)
    # The Celery task and its arguments (without ``record_id``): enough to send the message again.
    task_name = models.CharField(max_length=200, blank=True)
    kwargs = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    # The object the task works on (a build, a schedule), so its page can show "running".
    target_type = models.ForeignKey(
        "contenttypes.ContentType",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    target_id = models.CharField(max_length=64, blank=True)  # str(pk): int and UUID keys alike
    target_label = models.CharField(max_length=200, blank=True)
    # Runs of a periodic job (``core.periodic``) for one site are numbered 1, 2, 3...; the unique
    # number is what keeps two dispatchers from starting the same run twice.
    periodic_key = models.CharField(max_length=100, blank=True)
    periodic_seq = models.PositiveIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    queued_at = models.DateTimeField(null=True, blank=True)  # the message was last sent
    started_at = models.DateTimeField(null=True, blank=True)
    # A STARTED record whose lease has run out is taken to be lost with its worker.
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["site", "created_at", "id"], name="taskrecord_site_created"),
            models.Index(fields=["site", "finished_at", "id"], name="taskrecord_site_finished"),
            models.Index(fields=["site", "state", "created_at"], name="taskrecord_site_state"),
            models.Index(
                fields=["target_type", "target_id", "state"], name="taskrecord_target_state"
            ),
            models.Index(
                fields=["state", "lease_expires_at"],
                name="taskrecord_open_by_lease",
                condition=models.Q(state__in=["PENDING", "STARTED"]),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "periodic_key", "periodic_seq"],
                condition=models.Q(periodic_seq__isnull=False),
                name="taskrecord_one_periodic_run_per_seq",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} [{self.state}]"

    @property
    def is_finished(self) -> bool:
        return self.state in (TaskState.SUCCESS, TaskState.FAILURE)

    @property
    def target_type_key(self) -> str:
        """``app_label.model`` of the target, as the API names it ("" without a target)."""
        if self.target_type_id is None:
            return ""
        from django.contrib.contenttypes.models import ContentType  # cached per process

        content_type = ContentType.objects.get_for_id(self.target_type_id)
        return f"{content_type.app_label}.{content_type.model}"
