"""``manage.py seed_demo``: two sites, a location tree and demo users. Safe to run again.

Demo data exists only through this command; migrations and app start-up never create any.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from core.demo import run_demo_seeders
from core.models import Location, Membership, Role, Site, User
from core.services import location_create

DEMO_PASSWORD = "shopwright-demo"

SITES = {
    "Main Plant": {
        "description": "Assembly and machining",
        "address": "1 Foundry Road",
        "time_zone": "America/Chicago",
        "currency": "USD",
    },
    "North Plant": {
        "description": "Packaging",
        "address": "88 Harbour Street",
        "time_zone": "Europe/Berlin",
        "currency": "EUR",
    },
}

USERS = [
    # username, first name, last name, site, role, superuser
    ("admin", "Ada", "Admin", "Main Plant", Role.ADMIN, True),
    ("manager", "Mia", "Manager", "Main Plant", Role.MANAGER, False),
    ("tech", "Theo", "Technician", "Main Plant", Role.TECHNICIAN, False),
    ("manager2", "Noor", "Manager", "North Plant", Role.MANAGER, False),
    ("tech2", "Nils", "Technician", "North Plant", Role.TECHNICIAN, False),
]

TREES = {
    "Main Plant": {
        "Building A": {"Machine Shop": {"Bin A-01": {}, "Bin A-02": {}}, "Assembly Line 1": {}},
        "Building B": {"Stores": {"Rack 1": {"Shelf 1": {}, "Shelf 2": {}}}, "Paint Booth": {}},
    },
    "North Plant": {
        "Hall 1": {"Packaging Line": {}, "Stores": {"Rack N1": {}}},
    },
}


class Command(BaseCommand):
    help = "Create (or complete) the demo sites, locations and users."

    @transaction.atomic
    def handle(self, *args, **options):
        sites = {}
        for name, fields in SITES.items():
            sites[name], _ = Site.objects.get_or_create(name=name, defaults=fields)
        users = {}
        for username, first, last, site_name, role, superuser in USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@example.com",
                    "is_staff": superuser,
                    "is_superuser": superuser,
                    "default_site": sites[site_name],
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            Membership.objects.get_or_create(
                user=user, site=sites[site_name], defaults={"role": role}
            )
            users[username] = user
        for site_name, tree in TREES.items():
            by = users["admin"] if site_name == "Main Plant" else users["manager2"]
            self._plant(sites[site_name], tree, None, by)
        run_demo_seeders(sites=sites, users=users)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))

    def _plant(self, site, tree, parent, by):
        for name, children in tree.items():
            node = Location.objects.for_site(site).filter(parent=parent, name=name).first()
            if node is None:
                node = location_create(site=site, by=by, name=name, parent=parent)
            self._plant(site, children, node, by)
