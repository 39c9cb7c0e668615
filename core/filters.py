"""FilterSets shared by the API and the pages."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from core.models import Location, TaskRecord

MAX_ID = 2**63 - 1  # the largest value a 64-bit id column holds


class IdField(forms.IntegerField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class IdFilter(django_filters.NumberFilter):
    """A record id: a whole number a database id column can hold, else a 400, never a 500."""

    field_class = IdField


class SiteFilterSet(django_filters.FilterSet):
    """A FilterSet that knows the request's site (``self.site``), for filters that look
    something up within it (what is inside a location). The API's filter backend passes the
    view's site; a page passes ``request.site``."""

    def __init__(self, data=None, queryset=None, *, site, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.site = site


class LocationFilter(django_filters.FilterSet):
    parent = IdFilter(field_name="parent_id", label=_("Parent id"))
    top_level = django_filters.BooleanFilter(
        field_name="parent", lookup_expr="isnull", label=_("Only top-level locations")
    )
    within = IdFilter(method="filter_within", label=_("This location and everything below it"))
    depth = django_filters.NumberFilter(field_name="depth")
    q = django_filters.CharFilter(method="filter_q", label=_("Name or path contains"))

    class Meta:
        model = Location
        fields = ["parent", "top_level", "within", "depth", "q"]

    def filter_within(self, queryset, name, value):
        # Looked up in the (already site-scoped) queryset: another site's id matches nothing.
        lineage = queryset.filter(pk=value).values_list("lineage", flat=True).first()
        if lineage is None:
            return queryset.none()
        return queryset.filter(lineage__startswith=lineage)

    def filter_q(self, queryset, name, value):
        from django.db.models import Q

        return queryset.filter(Q(name__icontains=value) | Q(path__icontains=value))


class ContentTypeField(forms.CharField):
    """``app_label.model`` of an installed model; anything else is a 400."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        from django.contrib.contenttypes.models import ContentType

        app_label, _dot, model = value.lower().partition(".")
        try:
            return ContentType.objects.get_by_natural_key(app_label, model)
        except ContentType.DoesNotExist:
            raise forms.ValidationError(_("Unknown object type “%s”.") % value) from None


class ContentTypeFilter(django_filters.Filter):
    field_class = ContentTypeField


class TaskRecordFilter(django_filters.FilterSet):
    target_type = ContentTypeFilter(label=_("Target type (app_label.model)"))
    target_id = django_filters.CharFilter(label=_("Target id"))

    class Meta:
        model = TaskRecord
        fields = ["state", "name", "target_type", "target_id"]
