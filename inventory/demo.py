"""Demo inventory for ``manage.py seed_demo``: part types, vendors and stocked parts per site,
booked through the ledger services so the demo ledger sums to its stock. Idempotent: a part whose
number exists is left alone."""

from core.models import Location, Site, User
from inventory import services
from inventory.models import Part, PartType, Vendor

VENDORS = {
    "Main Plant": ["Acme Industrial Supply", "Bearing World", "Filtration Direct"],
    "North Plant": ["Nordic Packaging Parts"],
}

# number, name, type, units, opening stock, unit cost, min, desired, lead days, vendor index, bin
PARTS = {
    "Main Plant": [
        (
            "BR-6204",
            "Ball bearing 6204-2RS",
            "Bearings",
            "pcs",
            "24",
            "3.40",
            "10",
            "40",
            5,
            1,
            "Bin A-01",
        ),
        (
            "BR-6305",
            "Ball bearing 6305-ZZ",
            "Bearings",
            "pcs",
            "4",
            "7.90",
            "6",
            "20",
            5,
            1,
            "Bin A-01",
        ),
        (
            "FL-HYD10",
            "Hydraulic filter 10 µm",
            "Filters",
            "pcs",
            "12",
            "18.50",
            "4",
            "12",
            7,
            2,
            "Shelf 1",
        ),
        (
            "FL-AIR-A",
            "Air filter panel 592x592",
            "Filters",
            "pcs",
            "2",
            "24.00",
            "6",
            "18",
            10,
            2,
            "Shelf 1",
        ),
        ("BLT-A42", "V-belt A42", "Belts", "pcs", "15", "9.75", "5", "15", 3, 0, "Shelf 2"),
        (
            "LUB-EP2",
            "Grease EP2, 400 g cartridge",
            "Lubricants",
            "pcs",
            "30",
            "6.20",
            "12",
            "36",
            3,
            0,
            "Shelf 2",
        ),
        (
            "OIL-ISO46",
            "Hydraulic oil ISO VG 46",
            "Lubricants",
            "l",
            "180",
            "3.15",
            "100",
            "400",
            14,
            0,
            "Paint Booth",
        ),
        (
            "FUS-10A",
            "Fuse 10 A, type gG",
            "Electrical",
            "pcs",
            "3",
            "1.10",
            "10",
            "50",
            2,
            0,
            "Bin A-02",
        ),
    ],
    "North Plant": [
        (
            "NP-GLUE-H",
            "Hot-melt glue, 25 kg",
            "Consumables",
            "kg",
            "50",
            "4.80",
            "25",
            "100",
            10,
            0,
            "Rack N1",
        ),
        (
            "NP-KNIFE",
            "Cutter knife blade",
            "Wear parts",
            "pcs",
            "6",
            "12.00",
            "8",
            "24",
            7,
            0,
            "Rack N1",
        ),
    ],
}


def seed_inventory_demo(*, sites: dict[str, Site], users: dict[str, User]) -> None:
    for site_name, rows in PARTS.items():
        site = sites[site_name]
        by = users["admin"] if site_name == "Main Plant" else users["manager2"]
        vendors = [_vendor(site, by, name) for name in VENDORS[site_name]]
        for number, name, type_name, units, qty, cost, min_qty, desired, lead, vendor, bin_ in rows:
            if Part.objects.for_site(site).filter(number=number).exists():
                continue
            location = Location.objects.for_site(site).filter(name=bin_).first()
            services.part_create(
                site=site,
                by=by,
                number=number,
                name=name,
                units=units,
                part_type=_part_type(site, by, type_name),
                on_hand_qty=qty,
                unit_cost=cost,
                location=location,
                default_location=location,
                min_qty=min_qty,
                desired_qty=desired,
                lead_time=lead,
                vendors=[
                    {
                        "vendor": vendors[vendor],
                        "vendor_part_number": f"{vendors[vendor].name[:3].upper()}-{number}",
                        "is_preferred": True,
                    }
                ],
            )


def _vendor(site: Site, by: User, name: str) -> Vendor:
    return Vendor.objects.for_site(site).filter(name=name).first() or services.vendor_create(
        site=site, by=by, name=name, contact_name="Sales desk", email="sales@example.com"
    )


def _part_type(site: Site, by: User, name: str) -> PartType:
    found = PartType.objects.for_site(site).filter(name=name).first()
    return found or services.part_type_create(site=site, by=by, name=name)
