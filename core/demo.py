"""Demo data hooks: ``manage.py seed_demo`` builds core's sites and users, then asks each app above
core (registered from its ``AppConfig.ready()``) to add its own demo records. Core never imports
those apps; each seeder must be idempotent, like the command."""

from collections.abc import Callable

from core.models import Site, User

DemoSeeder = Callable[..., None]
_seeders: list[DemoSeeder] = []


def register_demo_seeder(seeder: DemoSeeder) -> None:
    """``seeder(*, sites: dict[str, Site], users: dict[str, User])`` adds an app's demo data."""
    if seeder not in _seeders:
        _seeders.append(seeder)


def run_demo_seeders(*, sites: dict[str, Site], users: dict[str, User]) -> None:
    for seeder in _seeders:
        seeder(sites=sites, users=users)
