"""QR pages: the scan resolver a label's code opens, the scan page, and printable labels.

``label_page`` is shared: core uses it for locations, inventory for parts (``inventory.labels``).
A label encodes the absolute URL of ``qr-resolve`` for the record's QR value, so any phone camera
opens the record; the resolver only looks in the site the user is working in.
"""

from collections.abc import Callable
from typing import NamedTuple

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.forms.utils import flatatt
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from core import qr, services
from core.errors import ServiceError
from core.models import Location, Role
from core.pages import get_site_object_or_404, site_required

# --- Resolving scans ------------------------------------------------------------------------------


@site_required
@require_safe
def qr_resolve(request, value: str):
    """Open the page of the current site's part or location with this QR value; else 404.

    Another site's value is "not found" too: a scan never reveals what other sites hold.
    """
    match = qr.resolve(request.site, value)
    if match is None:
        raise Http404(_("No part or location has this QR value at this site."))
    return redirect(match.url)


@site_required
@require_safe
def qr_scan(request):
    """A box a hardware scanner types into (value + Enter), plus the phone's camera.

    The box accepts a raw QR value or the URL read from one of our labels. The camera is
    static/js/scan.js's: the browser's own QR reader where there is one, else the vendored
    decoder, which the page names (``scanner_attrs``) so that only a scan loads it.
    """
    code = request.GET.get("code", "")
    value = qr.value_from_scan(code)
    context = {"code": code.strip(), "scanner_attrs": flatatt(qr.scanner_attrs())}
    if not value:
        return render(request, "core/qr_scan.html", context)
    match = qr.resolve(request.site, value)
    if match is not None:
        return redirect(match.url)
    context["error"] = _("Nothing at this site has the QR value “%(value)s”.") % {"value": value}
    return render(request, "core/qr_scan.html", context, status=404)


def _json_refusal(request) -> JsonResponse | None:
    """A script's request is refused in JSON it can show, never with a login page."""
    if not request.user.is_authenticated:
        detail = _("You are signed out. Sign in again, then scan.")
        return JsonResponse({"detail": detail}, status=401)
    if getattr(request, "membership", None) is None:
        return JsonResponse({"detail": _("You are not a member of any site.")}, status=403)
    return None


@require_safe
def qr_location_lookup(request):
    """The current site's location with a scanned QR value, for a form's "Scan" button.

    ``?code=`` takes a raw value or a label's URL, in any case. The answer is ``{"id", "path"}``,
    which static/js/scan.js selects in the location picker; else 404 ``{"detail"}``. Another
    site's bin is not found either.
    """
    refused = _json_refusal(request)
    if refused is not None:
        return refused
    value = qr.value_from_scan(request.GET.get("code", ""))
    if not value:
        return JsonResponse({"detail": _("Scan or type a QR value.")}, status=400)
    location = qr.find_location(request.site, value)
    if location is None:
        detail = _("No location at this site has the QR value “%(value)s”.") % {"value": value}
        return JsonResponse({"detail": detail}, status=404)
    return JsonResponse({"id": location.pk, "path": location.path})


# --- Labels ---------------------------------------------------------------------------------------


class LabelSize(NamedTuple):
    key: str
    width: int  # mm
    height: int  # mm
    name: str

    @property
    def margin(self) -> int:
        return 2

    @property
    def qr(self) -> int:
        """The QR code's side: the label's height less the margins."""
        return self.height - 2 * self.margin


LABEL_SIZES = {
    size.key: size
    for size in (
        LabelSize("62x29", 62, 29, gettext_lazy("62 x 29 mm")),
        LabelSize("50x25", 50, 25, gettext_lazy("50 x 25 mm")),
    )
}
DEFAULT_LABEL_SIZE = "62x29"


def label_size(request) -> LabelSize:
    return LABEL_SIZES.get(request.GET.get("size", ""), LABEL_SIZES[DEFAULT_LABEL_SIZE])


def label_page(
    request,
    *,
    obj: Model,
    template: str,
    title: str,
    generate: Callable[[], object],
    filename: str,
    context: dict | None = None,
):
    """A printable label for ``obj`` (which has ``qr_code``), or its bare QR SVG (``?format=svg``).

    Anyone at the site may view and print it. A POST is a manager's "Generate QR value" for a
    record without one: ``generate()`` calls the record's service, then the label page reloads.
    """
    if request.method == "POST":
        if not request.membership.allows(Role.MANAGER):
            raise PermissionDenied(_("Only managers can give a record a QR value."))
        if not obj.qr_code:
            try:
                generate()
            except ServiceError as exc:
                messages.error(request, " ".join(m for ms in exc.errors.values() for m in ms))
            else:
                messages.success(request, _("QR value generated."))
        return redirect(request.get_full_path())

    size = label_size(request)
    value = obj.qr_code
    target = qr.qr_target_url(request, value) if value else ""
    if request.GET.get("format") == "svg":
        if not value:
            raise Http404(_("This record has no QR value yet."))
        response = HttpResponse(
            qr.qr_svg(target, size=f"{size.qr}mm", title=value), content_type="image/svg+xml"
        )
        response["Content-Disposition"] = f'inline; filename="{filename}.svg"'
        return response
    page = {
        "obj": obj,
        "title": title,
        "value": value,
        "target": target,
        # segno escapes the title; the rest of the SVG is numbers.
        "svg": mark_safe(qr.qr_svg(target, title=value)) if value else "",
        "size": size,
        "sizes": LABEL_SIZES.values(),
        "can_generate": not value and request.membership.allows(Role.MANAGER),
        **(context or {}),
    }
    return render(request, template, page)


@site_required
@require_http_methods(["GET", "HEAD", "POST"])
def location_label(request, pk: int):
    """The label of a location: its QR code, name and path."""
    location = get_site_object_or_404(request, Location, pk=pk)
    return label_page(
        request,
        obj=location,
        template="core/qr_location_label.html",
        title=location.name,
        generate=lambda: services.location_qr_set(
            location=location, by=request.user, generate=True
        ),
        filename=f"location-{location.pk}-qr",
        context={"location": location},
    )
