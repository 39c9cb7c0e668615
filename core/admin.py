"""Django admin for operators (superusers). Day-to-day work happens in the app's own pages."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from core.models import APIToken, Location, Membership, Site, TaskRecord, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [MembershipInline]
    fieldsets = (*BaseUserAdmin.fieldsets, ("Shopwright", {"fields": ("default_site",)}))


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "time_zone", "currency", "created_at"]
    search_fields = ["name"]
    inlines = [MembershipInline]


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    """Read-only here: paths and lineage are kept by the location services."""

    list_display = ["path", "site", "depth"]
    list_filter = ["site"]
    search_fields = ["path"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(APIToken)
class APITokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["key_hash", "prefix", "last_used_at"]
    search_fields = ["user__username", "name", "prefix"]


@admin.register(TaskRecord)
class TaskRecordAdmin(admin.ModelAdmin):
    list_display = ["name", "site", "state", "progress", "created_at", "finished_at"]
    list_filter = ["state", "site"]
    readonly_fields = [f.name for f in TaskRecord._meta.fields]
