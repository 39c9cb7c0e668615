"""factory_boy factories for core records. Later apps add their own next to their tests."""

import factory

from core.models import Location, Membership, Role, Site, User
from core.services.locations import _place

PASSWORD = "pw-for-tests-1"  # every UserFactory user's password


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    name = factory.Sequence(lambda n: f"Plant {n}")
    time_zone = "UTC"
    currency = "USD"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    site = factory.SubFactory(SiteFactory)
    role = Role.TECHNICIAN


class LocationFactory(factory.django.DjangoModelFactory):
    """A location placed in its site tree, path and lineage derived as the service does."""

    class Meta:
        model = Location

    site = factory.SubFactory(SiteFactory)
    name = factory.Sequence(lambda n: f"Room {n}")
    parent = None
    path = "-"
    lineage = "/"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        parent = kwargs.get("parent")
        if parent is not None:
            kwargs["site"] = parent.site
        location = super()._create(model_class, *args, **kwargs)
        _place(location, parent)
        location.save(update_fields=["path", "lineage", "depth"])
        return location


def admin_of(site) -> User:
    """An admin of ``site`` (an existing one, else a new account): for calling admin-only
    services, such as the path repair, from test set-up."""
    membership = Membership.objects.filter(site=site, role=Role.ADMIN).select_related("user")
    found = membership.first()
    return found.user if found else MembershipFactory(site=site, role=Role.ADMIN).user
