"""QR values: what a label's code encodes, how a scanned value finds its record, SVG rendering.

Every part and location has a QR value: one the user gave (a pre-printed code) or one the server
generated ("L-3F9A2B1C0D"). A printed label does not encode the bare value but the absolute URL of
the scan resolver for it (``/qr/<value>/``), so any phone camera opens the record's page; the
resolver also accepts values typed or scanned into the scan page.

A value is found whatever its case: a phone keyboard types "l-3f9a…" for a generated
"L-3F9A…", and some scanners change case. An exact match wins; otherwise the one record whose
value differs only by case. Values that differ only by case count as the same value when one is
given (``value_in_use``), so a case-insensitive lookup has one answer.

Apps depend downward, so core cannot import the records of the apps above it. Each app that gives
its records QR values registers a resolver here from its ``AppConfig.ready()``; core resolves
locations itself. A value is unique within a site across every registered kind, so a scan never has
two answers.
"""

import io
import json
import secrets
import unicodedata
from collections.abc import Callable
from typing import NamedTuple
from urllib.parse import quote, unquote, urlsplit

import segno
from django.db.models import Model, QuerySet
from django.templatetags.static import static
from django.urls import reverse
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import ServiceError
from core.models import Location, Site

# The model field's length (Location.qr_code, Part.qr_code, ...).
MAX_LENGTH = 200
# Error correction Q: a label keeps scanning with a quarter of it scratched or smudged.
ERROR_LEVEL = "q"
# The quiet zone the QR specification asks for: four modules of white on every side.
QUIET_ZONE = 4


class QRMatch(NamedTuple):
    """The record a QR value belongs to and the name of its page's URL (it takes the pk)."""

    obj: Model
    url_name: str

    @property
    def url(self) -> str:
        return reverse(self.url_name, args=[self.obj.pk])


Resolver = Callable[[Site, str], QRMatch | None]


def find_by_value(queryset: QuerySet, value: str) -> Model | None:
    """The record of ``queryset`` whose ``qr_code`` is ``value``, whatever the case.

    The exact value first: the site's unique index answers it, and it is what a printed label
    encodes. Only then a case-insensitive match (no index, a walk over the site's rows), for a
    value typed on a phone or read by a scanner that changes case. Should older data hold two
    values that differ only by case, the oldest record answers, so a scan is never random.
    """
    if not value or len(value) > MAX_LENGTH or "\x00" in value:  # nothing stored is like that
        return None
    exact = queryset.filter(qr_code=value).first()
    if exact is not None:
        return exact
    return queryset.filter(qr_code__iexact=value).order_by("pk").first()


def find_location(site: Site, value: str) -> Location | None:
    """The location of ``site`` with this QR value (any case); a bin scanned into a form."""
    return find_by_value(Location.objects.for_site(site), value)


def _resolve_location(site: Site, value: str) -> QRMatch | None:
    location = find_location(site, value)
    return QRMatch(location, "location-detail") if location is not None else None


_resolvers: list[Resolver] = [_resolve_location]


def register_resolver(fn: Resolver) -> Resolver:
    """Add a lookup ``fn(site, value) -> QRMatch | None`` (called from an AppConfig.ready()).

    A resolver finds its record whatever the case of ``value``: use ``find_by_value``."""
    if fn not in _resolvers:
        _resolvers.append(fn)
    return fn


def resolve(site: Site | None, value: str) -> QRMatch | None:
    """The record of ``site`` with the QR value ``value`` (any case); None if there is none."""
    value = (value or "").strip()
    if site is None or not value or "\x00" in value:  # no stored value holds a NUL character
        return None
    for fn in _resolvers:
        match = fn(site, value)
        if match is not None:
            return match
    return None


# --- Values ---------------------------------------------------------------------------------------


def generate_value(prefix: str) -> str:
    """A fresh random value such as ``L-3F9A2B1C0D`` (40 bits: collisions are retried anyway)."""
    return f"{prefix}-{secrets.token_hex(5).upper()}"


def clean_value(value: str) -> str:
    """A given value, trimmed; ServiceError on ``qr_code`` if it cannot be a QR value."""
    value = (value or "").strip()
    if len(value) > MAX_LENGTH:
        message = _("A QR value can be at most %(n)s characters long.") % {"n": MAX_LENGTH}
        raise ServiceError({"qr_code": [message]})
    if any(unicodedata.category(c) in ("Cc", "Cf") for c in value):
        raise ServiceError({"qr_code": [_("A QR value cannot contain control characters.")]})
    if value in (".", ".."):  # a browser would read them as "this folder" and "up one folder"
        raise ServiceError({"qr_code": [_("“%s” cannot be a QR value.") % value]})
    return value


def _same(a: Model, b: Model | None) -> bool:
    return b is not None and type(a) is type(b) and a.pk == b.pk


def value_in_use(site: Site, value: str, *, model=None, instance: Model | None = None) -> bool:
    """Whether another record of the site (of ``model``, or of any registered kind) has it.

    Values that differ only by case clash: a scan finds either whatever its case.
    """
    if model is not None:
        clash = model._default_manager.filter(site=site, qr_code__iexact=value)
        if instance is not None and instance.pk is not None:
            clash = clash.exclude(pk=instance.pk)
        if clash.exists():
            return True
    match = resolve(site, value)
    return match is not None and not _same(match.obj, instance)


def unique_value(
    site: Site,
    *,
    model,
    given: str = "",
    generate: bool = False,
    prefix: str,
    instance: Model | None = None,
) -> str:
    """The QR value to store: ``given`` (checked), else a generated one if asked, else ``""``.

    The one place that decides whether a value is free within a site. Callers hold the lock that
    serialises their model's writes at the site; the database's unique constraint backs it up.
    """
    value = clean_value(given)
    if value:
        if value_in_use(site, value, model=model, instance=instance):
            raise ServiceError({"qr_code": [_("QR value “%s” is already in use.") % value]})
        return value
    if not generate:
        return ""
    for _attempt in range(10):
        value = generate_value(prefix)
        if not value_in_use(site, value, model=model, instance=instance):
            return value
    raise ServiceError({"qr_code": [_("Could not generate a free QR value; try again.")]})


# --- URLs -----------------------------------------------------------------------------------------

_PLACEHOLDER = "__qr_value__"


def qr_path(value: str) -> str:
    """The resolver's path for a value. Every "/" in it is escaped, so a value is one segment."""
    return reverse("qr-resolve", args=[_PLACEHOLDER]).replace(_PLACEHOLDER, quote(value, safe=""))


def qr_target_url(request, value: str) -> str:
    """The absolute URL a label's QR code encodes: scanning it opens the record's page."""
    return request.build_absolute_uri(qr_path(value))


def value_from_scan(text: str) -> str:
    """What a scan names: a label's resolver URL (from any host of this install) or a raw value.

    A hardware scanner reading one of our labels types the whole URL; take the value out of it.
    """
    text = (text or "").strip()
    prefix = reverse("qr-resolve", args=[_PLACEHOLDER]).split(_PLACEHOLDER)[0]
    parts = urlsplit(text)
    if parts.scheme in ("http", "https") and parts.netloc and parts.path.startswith(prefix):
        rest = parts.path[len(prefix) :]
        if rest.endswith("/") and len(rest) > 1:
            return unquote(rest[:-1]).strip()
    return text


# --- Rendering ------------------------------------------------------------------------------------


def qr_code(data: str) -> segno.QRCode:
    """The QR symbol for ``data``: never a Micro QR, fixed error level so output is stable."""
    return segno.make(data, error=ERROR_LEVEL, micro=False, boost_error=False)


def qr_svg(
    data: str,
    *,
    scale: int = 4,
    size: str | None = None,
    title: str | None = None,
    css_class: str = "qr-code",
) -> str:
    """An SVG image of the QR code for ``data``, without an XML declaration (embeddable in HTML).

    It keeps a four-module quiet zone and has a ``viewBox``, so CSS can size it freely. Its own
    width and height are ``scale`` pixels per module, or ``size`` (a CSS length such as "25mm")
    for a label printer that honours physical units.
    """
    code = qr_code(data)
    out = io.BytesIO()
    code.save(
        out,
        kind="svg",
        xmldecl=False,
        svgns=True,  # also served on its own (``?format=svg``), where it needs the namespace
        nl=False,
        scale=1,
        border=QUIET_ZONE,
        omitsize=True,
        svgclass=css_class,
        lineclass=None,
        title=title,
        dark="#000",
        light="#fff",
    )
    svg = out.getvalue().decode()
    if size is None:
        width = code.symbol_size(scale=scale, border=QUIET_ZONE)[0]
        size = f"{width}"
    return svg.replace("<svg ", f'<svg width="{size}" height="{size}" role="img" ', 1)


# --- The camera scanner (static/js/scan.js) -------------------------------------------------------

# The QR decoder for browsers without a built-in one, vendored (static/vendor/jsqr/README.md).
DECODER_STATIC_PATH = "vendor/jsqr/jsQR.js"

# What the scanner says, in the user's language (static/js/scan.js reads them by key).
SCANNER_MESSAGES = {
    "scan": gettext_lazy("Scan"),
    # Translators: %s is the field's label, e.g. "To location".
    "scanFor": gettext_lazy("Scan a label for “%s”"),
    "stop": gettext_lazy("Stop camera"),
    "starting": gettext_lazy("Opening the camera…"),
    "looking": gettext_lazy("Point the camera at a QR code."),
    "insecure": gettext_lazy(
        "The camera only works on a secure connection: open this site with https:// "
        "(or on localhost). You can still type the value."
    ),
    "unsupported": gettext_lazy(
        "This browser cannot use a camera here. Type the value, or use a barcode scanner."
    ),
    "denied": gettext_lazy(
        "Camera access was refused. Allow the camera for this site in the browser's settings, "
        "then try again."
    ),
    "noCamera": gettext_lazy("No camera was found on this device."),
    "busy": gettext_lazy("The camera is in use by another app. Close it, then try again."),
    # Translators: %s is the browser's name for the error.
    "failed": gettext_lazy("The camera could not be started (%s). Type the value instead."),
    "decoderFailed": gettext_lazy(
        "The QR reader could not be loaded. Reload the page, or type the value."
    ),
    "stopped": gettext_lazy("Camera stopped."),
    # Translators: %s is the value read from the label.
    "lookingUp": gettext_lazy("Read “%s”; looking it up…"),
    # Translators: %s is the location's path.
    "selected": gettext_lazy("Selected %s."),
    # Translators: %s is the location's path.
    "notOffered": gettext_lazy("%s cannot be chosen here."),
    "lookupFailed": gettext_lazy("The lookup failed. Check the connection and scan again."),
}


def _decoder_url() -> str:
    return static(DECODER_STATIC_PATH)


def _messages_json() -> str:
    return json.dumps(
        {key: str(text) for key, text in SCANNER_MESSAGES.items()}, ensure_ascii=False
    )


def scanner_attrs() -> dict:
    """The ``data-`` attributes static/js/scan.js reads on an element that scans: where to load
    the decoder from (only a browser without a built-in one does) and the messages.

    The values are lazy, so a form field declared at import time still renders them in the
    language of each request and with the static files' URL of the running configuration.
    """
    return {
        "data-scan-decoder": lazy(_decoder_url, str)(),
        "data-scan-messages": lazy(_messages_json, str)(),
    }
