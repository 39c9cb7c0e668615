"""Inventory API: parts and their stock actions, the ledger, stock items, vendors, part types.

Every write goes through ``inventory.services`` (which re-check the role and decide); reads come
from ``inventory.selectors`` with quantities annotated in SQL, so list queries do not grow with
rows. Technicians read everything; managers write.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from core.api.pagination import LimitOffsetPagination
from core.api.viewsets import SiteScopedMixin, SiteScopedViewSet
from core.models import Role
from core.numbers import QUANTITY
from inventory import selectors, services
from inventory.api.serializers import (
    CostInput,
    CountingSettingsSerializer,
    CountRejectInput,
    LowStockPartSerializer,
    PartDetailSerializer,
    PartSerializer,
    PartTypeSerializer,
    ReconcileInput,
    RestockInput,
    ScrapInput,
    StockActionResultSerializer,
    StockCountInput,
    StockCountSerializer,
    StockItemSerializer,
    StockTransactionSerializer,
    TransferInput,
    VendorSerializer,
)
from inventory.filters import (
    PartFilter,
    StockCountFilter,
    StockItemFilter,
    TransactionFilter,
    VendorFilter,
)
from inventory.models import Part, PartType, StockCount, StockItem, StockTransaction, Vendor
from inventory.selectors import counts_for_site
from inventory.services.counts import COUNTS_DATA
from inventory.services.ledger import STOCK_DATA, STOCK_LIST_DATA
from inventory.services.parts import PART_LIST_DATA

ID = r"\d+"


def stock_action_schema(input_serializer):
    """Document a part stock action once, as POST; PATCH (Click Maint's verb) works the same."""

    def decorate(view):
        view = extend_schema(methods=["PATCH"], exclude=True)(view)
        return extend_schema(
            methods=["POST"], request=input_serializer, responses=PartDetailSerializer
        )(view)

    return decorate


class InventoryViewSet(SiteScopedViewSet):
    def filter_queryset(self, queryset):
        # Filters, search and ordering shape lists; a detail route (an object or its actions)
        # must not be narrowed by them, nor fail on a list filter's query parameter.
        if getattr(self, "detail", False):
            return queryset
        return super().filter_queryset(queryset)

    def action_input(self, serializer_class) -> dict:
        """The request body checked against an action's input serializer (400 if it is bad)."""
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)


# --- Parts ----------------------------------------------------------------------------------------


class PartViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    InventoryViewSet,
):
    """The site's parts with their derived quantities (on hand, reserved, available).

    ``on_hand_qty`` and ``unit_cost`` are taken on create only (opening stock and cost); after
    that, stock and cost change only through the actions restock, reconcile, unit-cost and
    avg-cost (POST, or PATCH as Click Maint sends), each of which writes a ledger row.
    ``is_non_stock`` is set at creation only.
    A part with stock history cannot be deleted: deactivate it (``active: false``).
    """

    serializer_class = PartSerializer
    queryset = Part.objects.none()
    filterset_class = PartFilter
    count_topic = PART_LIST_DATA
    search_fields = []  # ?search= is PartFilter's: the words of the page's search box
    ordering_fields = [
        "name",
        "number",
        "on_hand",
        "on_hand_qty",
        "updated_at",
        "created_at",
    ]
    ordering_aliases = {"on_hand_qty": "on_hand"}
    ordering = ["name"]
    lookup_value_regex = ID
    # Technicians may reconcile where the site allows it: the service decides (403 otherwise).
    action_roles = {"reconcile": Role.TECHNICIAN}

    def queryset_for_site(self, site):
        return selectors.parts_for_list(site=site)

    def get_serializer_class(self):
        if self.action == "low_stock":
            return LowStockPartSerializer
        if self.action == "list":
            return PartSerializer
        return PartDetailSerializer

    def detail_data(self, part: Part) -> dict:
        """The part as stored now, with its quantities and stock by location."""
        fresh = self.queryset_for_site(self.site).get(pk=part.pk)
        return PartDetailSerializer(fresh, context=self.get_serializer_context()).data

    @extend_schema(request=PartSerializer, responses={201: PartDetailSerializer})
    def create(self, request, *args, **kwargs):
        serializer = PartSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        part = services.part_create(site=self.site, by=request.user, **serializer.service_kwargs())
        return Response(self.detail_data(part), status=status.HTTP_201_CREATED)

    @extend_schema(request=PartSerializer, responses=PartDetailSerializer)
    def update(self, request, *args, **kwargs):
        part = self.get_object()
        serializer = PartSerializer(
            part,
            data=request.data,
            partial=kwargs.get("partial", False),
            context=self.get_serializer_context(),
        )
        serializer.is_valid(raise_exception=True)
        services.part_update(part=part, by=request.user, **serializer.service_kwargs())
        return Response(self.detail_data(part))

    @extend_schema(request=PartSerializer, responses=PartDetailSerializer)
    def partial_update(self, request, *args, **kwargs):
        return super().partial_update(request, *args, **kwargs)

    def perform_destroy(self, instance):
        services.part_delete(part=instance, by=self.request.user)

    @stock_action_schema(RestockInput)
    @action(detail=True, methods=["post", "patch"])
    def restock(self, request, pk=None):
        """Receive stock at a unit cost: on hand grows, ``unit_cost`` becomes this cost and
        ``avg_unit_cost`` the weighted moving average."""
        part = self.get_object()
        services.part_restock(part=part, by=request.user, **self.action_input(RestockInput))
        return Response(self.detail_data(part))

    @stock_action_schema(ReconcileInput)
    @action(detail=True, methods=["post", "patch"])
    def reconcile(self, request, pk=None):
        """Record a count with a reason, as the signed difference (``quantity``) or as the
        quantity counted (``counted``) at a stock item or location: exactly one of them. Stock
        never goes below zero. Managers; technicians where the site's admin allows it."""
        part = self.get_object()
        data = self.action_input(ReconcileInput)
        counted = data.pop("counted", None)
        if counted is None:
            services.part_reconcile(part=part, by=request.user, **data)
        else:
            line = services.Counted(
                counted, stock_item=data.get("stock_item"), location=data.get("location")
            )
            services.part_counts_apply(part=part, by=request.user, counts=[line], note=data["note"])
        return Response(self.detail_data(part))

    @stock_action_schema(CostInput)
    @action(detail=True, methods=["post", "patch"], url_path="unit-cost", url_name="unit-cost")
    def unit_cost(self, request, pk=None):
        """Set the unit (purchase) cost, e.g. from an invoice. Quantities do not change."""
        part = self.get_object()
        services.part_unit_cost_set(part=part, by=request.user, **self.action_input(CostInput))
        return Response(self.detail_data(part))

    @stock_action_schema(CostInput)
    @action(detail=True, methods=["post", "patch"], url_path="avg-cost", url_name="avg-cost")
    def avg_cost(self, request, pk=None):
        """Revalue the stock on hand (set ``avg_unit_cost``). Quantities do not change."""
        part = self.get_object()
        services.part_avg_cost_set(part=part, by=request.user, **self.action_input(CostInput))
        return Response(self.detail_data(part))

    @extend_schema(responses=LowStockPartSerializer(many=True))
    @action(detail=False, methods=["get"], url_path="low-stock", url_name="low-stock")
    def low_stock(self, request):
        """Active stock parts whose available quantity is below the minimum, by name, with the
        quantity to order and the preferred vendor."""
        parts = selectors.low_stock_parts(site=self.site)
        page = self.paginate_queryset(self.filter_queryset(parts))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


# --- The ledger -----------------------------------------------------------------------------------


class LedgerPagination(LimitOffsetPagination):
    """Pages of ledger rows, plus ``total_used`` over every row the filters match."""

    def get_paginated_response_schema(self, schema):
        paginated = super().get_paginated_response_schema(schema)
        paginated["properties"]["total_used"] = {
            "type": "string",
            "format": "decimal",
            "description": "Quantity used by work orders and builds (returns subtracted) over "
            "all rows the filters match, not only this page.",
            "example": "8.500",
        }
        paginated["required"] = [*paginated.get("required", []), "total_used"]
        return paginated


class LedgerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, InventoryViewSet):
    """Read-only: ledger rows are only ever written by the stock actions."""

    serializer_class = StockTransactionSerializer
    queryset = StockTransaction.objects.none()
    pagination_class = LedgerPagination
    count_topic = STOCK_DATA
    filterset_class = TransactionFilter
    search_fields = ["note", "part__name", "part__number"]
    ordering_fields = ["created_at", "quantity", "total_cost", "type"]
    ordering = ["-created_at"]
    lookup_value_regex = ID

    def list(self, request, *args, **kwargs):
        rows = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(rows)
        response = self.get_paginated_response(self.get_serializer(page, many=True).data)
        used = selectors.total_used(rows, versioned=(self.site.pk, self.count_topic))
        response.data["total_used"] = QUANTITY.serializer_output().to_representation(used)
        return response


PART_PK = OpenApiParameter(
    "part_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="Part id"
)


@extend_schema_view(
    list=extend_schema(parameters=[PART_PK]), retrieve=extend_schema(parameters=[PART_PK])
)
class PartLedgerViewSet(LedgerViewSet):
    """One part's ledger (newest first by default), with ``total_used`` at the top level. It is
    the part's timeline, ordered by time only (the site's ledger offers the other orders)."""

    ordering_fields = ["created_at"]

    def queryset_for_site(self, site):
        part = get_object_or_404(Part.objects.for_site(site), pk=self.kwargs["part_pk"])
        return selectors.ledger_for_part(part=part, with_part_name=True)


class StockTransactionViewSet(LedgerViewSet):
    """The site's whole ledger; filter by ``part``, ``type``, dates and note."""

    def queryset_for_site(self, site):
        return selectors.transactions_for_site(site=site)


# --- Stock items ----------------------------------------------------------------------------------


class StockItemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, InventoryViewSet):
    """Stock items with InvenTree's field names and filters. ``location`` includes
    sub-locations unless ``cascade=false``. Stock changes only through the actions."""

    serializer_class = StockItemSerializer
    queryset = StockItem.objects.none()
    count_topic = STOCK_LIST_DATA
    filterset_class = StockItemFilter
    search_fields = ["part__name", "part__number", "batch", "serial"]
    ordering_fields = ["pk", "part", "location", "quantity", "stock", "batch", "serial", "status"]
    ordering_fields += ["updated"]
    ordering_aliases = {
        # Grouped by part or by location, in the order of their ids: what an index of the stock
        # items serves (sorting 100,000 items by the part's name or the location's path is not).
        "part": "part_id",
        "location": "location_id",
        "stock": "quantity",
        "updated": "updated_at",
    }
    ordering = ["pk"]
    lookup_value_regex = ID

    def queryset_for_site(self, site):
        return selectors.stock_items_for_site(site=site)

    def result(self, rows: list[StockTransaction], item_id: int) -> dict:
        rows = selectors.transactions_for_site(site=self.site).filter(pk__in=[r.pk for r in rows])
        item = self.queryset_for_site(self.site).get(pk=item_id)
        context = self.get_serializer_context()
        return StockActionResultSerializer(
            {"transactions": rows.order_by("pk"), "stock_item": item}, context=context
        ).data

    @extend_schema(request=TransferInput, responses=StockActionResultSerializer)
    @action(detail=True, methods=["post"])
    def transfer(self, request, pk=None):
        """Move all of the item (default) or part of it (it is split) to another location.
        Returns the two ledger rows and the stock item the stock is now in."""
        item = self.get_object()
        rows = services.stock_transfer(
            item=item, by=request.user, **self.action_input(TransferInput)
        )
        return Response(self.result(rows, rows[-1].stock_item_id))

    @extend_schema(request=ScrapInput, responses=StockActionResultSerializer)
    @action(detail=True, methods=["post"])
    def scrap(self, request, pk=None):
        """Write stock off (all of the item by default) with a reason."""
        item = self.get_object()
        row = services.stock_scrap(item=item, by=request.user, **self.action_input(ScrapInput))
        return Response(self.result([row], item.pk))


# --- Stock counts ---------------------------------------------------------------------------------


class StockCountViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, InventoryViewSet
):
    """Counts reported for a manager to confirm, newest first; ``status=pending`` lists those to
    confirm. Technicians report counts (pending; booked at once when the reporter may
    reconcile: a manager, or a technician where the site allows it); managers confirm (which
    books ``counted - expected``: the difference the counter found, whatever moved since) or
    reject them, each count once."""

    serializer_class = StockCountSerializer
    queryset = StockCount.objects.none()
    filterset_class = StockCountFilter
    count_topic = COUNTS_DATA
    search_fields: list = []
    ordering_fields = ["reported_at"]
    ordering = ["-reported_at"]
    lookup_value_regex = ID
    action_roles = {
        "create": Role.TECHNICIAN,
        "confirm": Role.MANAGER,
        "reject": Role.MANAGER,
    }

    def queryset_for_site(self, site):
        return counts_for_site(site=site)

    def output(self, count: StockCount) -> dict:
        fresh = self.queryset_for_site(self.site).get(pk=count.pk)
        return StockCountSerializer(fresh, context=self.get_serializer_context()).data

    @extend_schema(request=StockCountInput, responses={201: StockCountSerializer})
    def create(self, request, *args, **kwargs):
        data = self.action_input(StockCountInput)
        line = services.Counted(
            data["counted"], stock_item=data.get("stock_item"), location=data.get("location")
        )
        [count] = services.stock_counts_report(
            part=data["part"], by=request.user, counts=[line], note=data["note"]
        )
        return Response(self.output(count), status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=StockCountSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """Book the count's difference (``counted - expected``) and mark it confirmed."""
        count = services.stock_count_confirm(count=self.get_object(), by=request.user)
        return Response(self.output(count))

    @extend_schema(request=CountRejectInput, responses=StockCountSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Reject the count with a reason; nothing is booked."""
        count = self.get_object()  # another site's count is a 404 whatever the body
        data = self.action_input(CountRejectInput)
        count = services.stock_count_reject(count=count, by=request.user, **data)
        return Response(self.output(count))


class CountingSettingsView(SiteScopedMixin, GenericAPIView):
    """The site's counting policy: may technicians reconcile directly? Everyone at the site
    reads it; the site's admins change it."""

    serializer_class = CountingSettingsSerializer
    write_role = Role.ADMIN

    def get_queryset(self):  # a setting of the request's site, not a list
        return StockCount.objects.none()

    def answer(self):
        return Response(CountingSettingsSerializer(self.site).data)

    def get(self, request):
        return self.answer()

    def patch(self, request):
        serializer = CountingSettingsSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        value = serializer.validated_data.get(
            "technicians_may_reconcile", self.site.technicians_may_reconcile
        )
        services.site_counting_set(site=self.site, by=request.user, technicians_may_reconcile=value)
        return self.answer()

    @extend_schema(request=CountingSettingsSerializer, responses=CountingSettingsSerializer)
    def put(self, request):
        serializer = CountingSettingsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.site_counting_set(site=self.site, by=request.user, **serializer.validated_data)
        return self.answer()


# --- Vendors and part types -----------------------------------------------------------------------


class VendorViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    InventoryViewSet,
):
    """Suppliers of parts. There is no delete: set ``is_active`` to false instead."""

    serializer_class = VendorSerializer
    queryset = Vendor.objects.none()
    filterset_class = VendorFilter
    search_fields = ["name", "description", "contact_name", "email"]
    ordering_fields = ["name", "created_at", "updated_at"]
    ordering = ["name"]
    lookup_value_regex = ID

    def queryset_for_site(self, site):
        return selectors.vendors_for_list(site=site)

    def perform_create(self, serializer):
        vendor = services.vendor_create(
            site=self.site, by=self.request.user, **serializer.validated_data
        )
        serializer.instance = self.queryset_for_site(self.site).get(pk=vendor.pk)

    def perform_update(self, serializer):
        vendor = services.vendor_update(
            vendor=serializer.instance, by=self.request.user, **serializer.validated_data
        )
        serializer.instance = self.queryset_for_site(self.site).get(pk=vendor.pk)


class PartTypeViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, InventoryViewSet
):
    """Part categories ("Filters", "Bearings"). Managers add them."""

    serializer_class = PartTypeSerializer
    queryset = PartType.objects.none()
    search_fields = ["name"]
    ordering_fields = ["name"]
    ordering = ["name"]
    lookup_value_regex = ID

    def perform_create(self, serializer):
        serializer.instance = services.part_type_create(
            site=self.site, by=self.request.user, **serializer.validated_data
        )
