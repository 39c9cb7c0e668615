"""Part labels and the part lookup behind QR scans.

``part_label`` is the printable label of a part (``/parts/<id>/label/``, routed in
``inventory.urls`` as ``part-label``); ``resolve_part_qr`` lets core's scan resolver find parts,
registered from ``InventoryConfig.ready()`` because core must not import inventory.
"""

from django.views.decorators.http import require_http_methods

from core.models import Site
from core.pages import get_site_object_or_404, site_required
from core.qr import QRMatch, find_by_value
from core.qr_views import label_page
from inventory import services
from inventory.models import Part


def resolve_part_qr(site: Site, value: str) -> QRMatch | None:
    """The part of ``site`` with this QR value (any case), opened at its page (``part-detail``)."""
    part = find_by_value(Part.objects.for_site(site), value)
    return QRMatch(part, "part-detail") if part is not None else None


@site_required
@require_http_methods(["GET", "HEAD", "POST"])
def part_label(request, pk: int):
    """The label of a part: its QR code, name, part number and bin."""
    part = get_site_object_or_404(request, Part.objects.select_related("default_location"), pk=pk)
    return label_page(
        request,
        obj=part,
        template="inventory/part_label.html",
        title=part.name,
        generate=lambda: services.part_update(part=part, by=request.user, generate_qr_code=True),
        filename=f"part-{part.pk}-qr",
        context={"part": part},
    )
