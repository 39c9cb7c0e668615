"""Page forms of core. Forms check the shape of the input; services decide whether it is allowed.

``ServiceFormMixin`` is the one place where a ``ServiceError`` from a service becomes inline
errors on a form, so every page in every app shows refusals next to the field they concern.
"""

from datetime import datetime, time, timedelta
from html import escape

from django import forms
from django.db.models import QuerySet
from django.forms.utils import flatatt
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from core import qr
from core.errors import NON_FIELD, ServiceError
from core.models import Location, Site, User
from core.selectors import locations_by_path, sites_for_user
from core.services.locations import LOCATIONS_DATA
from core.versions import CachedAnswer, Versioned


class ServiceFormMixin:
    """Lets a form show a service's refusal: each message on its field, the rest above the form.

    ``service_error_fields`` maps a service's field name to the form's where they differ.
    """

    service_error_fields: dict[str, str] = {}

    def add_service_errors(self, exc: ServiceError) -> None:
        for field, messages in exc.errors.items():
            name = self.service_error_fields.get(field, field)
            if name == NON_FIELD or name not in self.fields:
                self.add_error(None, messages)
            else:
                self.add_error(name, messages)


# Cached options are keyed by their data's version, so never stale; the timeout bounds memory.
OPTIONS_CACHE_SECONDS = 600

ACTIVE_CHOICES = [("", _("Any")), ("true", _("Active")), ("false", _("Inactive"))]


class FastSelect(forms.Select):
    """The ``<select>`` of a ``ModelChoiceField``, its options written in Python without a model
    instance per option.

    Django renders each option through a template of its own and builds a model instance per row
    of the field's queryset; for a site's 1,000 locations or 500 vendors that cost more than the
    rest of the page. Here the options are read as ``(pk, label)`` rows (the field's
    ``label_field``) and written with one string join; the markup is Django's.
    """

    def render(self, name, value, attrs=None, renderer=None):
        options = self.options_html(self.choices.field)  # a ModelChoiceIterator knows its field
        for key in {str(v) for v in self.format_value(value)}:
            plain = f'<option value="{escape(key)}">'
            options = options.replace(plain, f"{plain[:-1]} selected>", 1)
        final_attrs = flatatt(self.build_attrs(self.attrs, attrs))
        return mark_safe(f'<select name="{escape(name)}"{final_attrs}>{options}</select>')

    @staticmethod
    def options_html(field: "ModelChoiceField") -> str:
        """Every option, none selected. A field that names the data its choices come from
        (``versioned``, as ``LocationChoiceField.offer`` does) has them cached under that data's
        version: a site's thousand locations are written once per change of the tree, not on
        every page that offers them."""
        if field.versioned is None:
            return _options(field)
        what = f"options:{field.label_field}:{field.empty_label}"
        if field.records_name:
            answer = CachedAnswer(
                field.versioned, (what, field.records_name), OPTIONS_CACHE_SECONDS
            )
        else:
            answer = CachedAnswer.about_query(
                field.versioned, what, field.queryset, OPTIONS_CACHE_SECONDS
            )
        return answer.get(lambda: _options(field)) if answer else _options(field)


def _options(field: "ModelChoiceField") -> str:
    rows = field.queryset.values_list("pk", field.label_field)
    if field.empty_label is not None:
        rows = [("", field.empty_label), *rows]
    return "".join(
        f'<option value="{escape(str(key))}">{escape(str(label))}</option>' for key, label in rows
    )


class ModelChoiceField(forms.ModelChoiceField):
    """A choice of one of the site's records (the form sets ``queryset``), labelled by one of its
    columns (``label_field``, default ``name``) so that the options need no model instances.
    ``versioned`` (site id, data topic) caches the options under that data's version."""

    widget = FastSelect
    label_field = "name"
    versioned: Versioned | None = None
    records_name = ""

    def label_from_instance(self, obj) -> str:
        return str(getattr(obj, self.label_field))

    def offer_site_records(
        self, queryset: QuerySet, *, site: Site | int, data: str, name: str = ""
    ) -> None:
        """Offer ``queryset`` (records of the site) with its options cached until the site's
        ``data`` next changes (``core.versions.data_changed``).

        ``name`` names the set of records for the cache when one name always means the same
        query (``"vendors"``: the site's vendors by name); without it the query's SQL is the
        key, which costs a compilation of the query on every form (0.3 ms and more)."""
        self.queryset = queryset
        self.versioned = (site if isinstance(site, int) else site.pk, data)
        self.records_name = name


class ListFilterForm(forms.Form):
    """Search box and filters above a list. Valid values become FilterSet data; an invalid one
    (another site's record, a typo in the URL) is simply not applied.

    Subclasses name their status field (``active_field``), record choices (``choice_fields``),
    tick-box filters (``flag_fields``) and the search box's placeholder; ``prefix_id`` keeps the
    HTML ids of two lists on one page apart.
    """

    q = forms.CharField(required=False, max_length=200)
    active_field = "active"
    choice_fields: tuple[str, ...] = ()
    flag_fields: tuple[str, ...] = ()
    placeholder = ""
    search_label = _("Search")

    def __init__(self, data, *, prefix_id: str):
        super().__init__(data, auto_id=f"{prefix_id}_%s")
        search = self.fields["q"]
        search.label = self.search_label
        search.widget.input_type = "search"
        search.widget.attrs.update({"autocomplete": "off", "placeholder": self.placeholder})

    def filter_data(self) -> dict:
        self.is_valid()
        cleaned = self.cleaned_data
        data = {"q": cleaned["q"]} if cleaned.get("q") else {}
        for name in self.choice_fields:
            if cleaned.get(name) is not None:
                data[name] = cleaned[name].pk
        if cleaned.get(self.active_field) in ("true", "false"):
            data[self.active_field] = cleaned[self.active_field]
        data.update({name: "true" for name in self.flag_fields if cleaned.get(name)})
        return data


class LocationChoiceField(ModelChoiceField):
    """A location of the site, shown by its path; optional unless ``required``. The form sets
    ``queryset`` to the site's locations (``core.selectors.locations_by_path``) once it knows the
    site.

    On the floor the bin is at hand and its label easier to scan than to find in a list of a
    thousand paths: the select carries ``data-scan-location`` (the lookup of a scanned value),
    and static/js/scan.js puts a "Scan" button beside it that picks the scanned bin. Without
    JavaScript it is a plain select."""

    label_field = "path"

    def widget_attrs(self, widget) -> dict:
        """The select's attributes for the scanner; lazy, as the field is made at import."""
        return {
            **super().widget_attrs(widget),
            "data-scan-location": reverse_lazy("qr-scan-location"),
            **qr.scanner_attrs(),
        }

    def offer(self, site: Site | int, queryset: QuerySet[Location] | None = None) -> None:
        """Offer the site's locations, or ``queryset`` (some of them); the options are cached
        until the site's location tree next changes."""
        name = "" if queryset is not None else "locations by path"
        if queryset is None:
            queryset = locations_by_path(site=site)
        self.offer_site_records(queryset, site=site, data=LOCATIONS_DATA, name=name)

    def __init__(self, label, *, required: bool = False, empty_label="—", **kwargs):
        kwargs.setdefault("queryset", Location.objects.none())
        super().__init__(label=label, required=required, empty_label=empty_label, **kwargs)


class LocationForm(ServiceFormMixin, forms.Form):
    """Create or edit a location. The parent can be any location of the site except, when
    editing, the location itself and everything below it (the service refuses those too)."""

    name = forms.CharField(label=_("Name"), max_length=100)
    parent = LocationChoiceField(
        _("Inside"),
        empty_label=_("(top level)"),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    address = forms.CharField(
        label=_("Address"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, site: Site, instance: Location | None = None, **kwargs):
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": instance.name,
                "parent": instance.parent_id,
                "description": instance.description,
                "address": instance.address,
            }
        super().__init__(*args, **kwargs)
        self.instance = instance
        choices = locations_by_path(site=site)
        if instance is not None:
            # The lineage prefix covers the location itself and all its descendants.
            choices = choices.exclude(lineage__startswith=instance.lineage)
        self.fields["parent"].offer(site, choices)


class TokenCreateForm(ServiceFormMixin, forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, e.g. “ERP sync”."),
    )
    expires_at = forms.DateField(
        label=_("Expires"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Optional. The token stops working at the end of this day."),
    )

    def clean_expires_at(self) -> datetime | None:
        """A date means "valid through that day" in the time zone the user is working in."""
        day = self.cleaned_data.get("expires_at")
        if day is None:
            return None
        if day.year >= 9999:
            raise forms.ValidationError(_("Choose a date before the year 9999."))
        return datetime.combine(day + timedelta(days=1), time.min, timezone.get_current_timezone())


class SiteSwitchForm(forms.Form):
    """Which site to work in. Membership is checked by the view, against the user's sites."""

    site = forms.IntegerField(min_value=1)
    next = forms.CharField(required=False)


class DefaultSiteForm(ServiceFormMixin, forms.Form):
    site = ModelChoiceField(
        label=_("Default site"),
        queryset=Site.objects.none(),
        empty_label=None,
        help_text=_("Where you start after signing in, and what the API uses without X-Site-Id."),
    )

    def __init__(self, *args, user: User, **kwargs):
        kwargs.setdefault("initial", {"site": user.default_site_id})
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites_for_user(user=user)
