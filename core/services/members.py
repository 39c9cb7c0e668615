"""Members: who works at a site, in which role. A site always keeps at least one admin."""

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import ServiceError
from core.models import Membership, Role, Site, User
from core.roles import require_role


def _check_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise ServiceError({"role": [_("Choose technician, manager or admin.")]}) from None


def _refuse_losing_last_admin(membership: Membership) -> None:
    if membership.role != Role.ADMIN:
        return
    # Evaluated, not counted: Django drops FOR UPDATE from count(), which would lock nothing and
    # let two admins demote each other at the same moment.
    admins = Membership.objects.select_for_update().filter(site=membership.site_id, role=Role.ADMIN)
    if len(admins.values_list("pk", flat=True)) <= 1:
        raise ServiceError({"role": [_("A site must keep at least one admin.")]})


@transaction.atomic
def member_add(
    *,
    site: Site,
    by: User,
    username: str,
    role: str,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    password: str | None = None,
) -> Membership:
    """Give a user a role at the site, creating the account if the username is new."""
    require_role(by, site, Role.ADMIN)
    role = _check_role(role)
    username = (username or "").strip()
    if not username:
        raise ServiceError({"username": [_("A username is required.")]})
    user = User.objects.filter(username__iexact=username).first()
    if user is not None and not _may_add_existing(by, user):
        # Another site's account: adding it would hand its profile to this site. Only an
        # operator, or an admin of one of its sites, may give an existing account a new site.
        raise ServiceError({"username": [_("That username is taken; choose another.")]})
    if user is None:
        user = User(username=username, email=email, first_name=first_name, last_name=last_name)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
    elif Membership.objects.filter(user=user, site=site).exists():
        raise ServiceError({"username": [_("%s is already a member of this site.") % username]})
    return Membership.objects.create(user=user, site=site, role=role)


def _may_add_existing(by: User, user: User) -> bool:
    if by.is_superuser:
        return True
    return Membership.objects.filter(
        user=by, role=Role.ADMIN, site__memberships__user=user
    ).exists()


@transaction.atomic
def member_set_role(*, membership: Membership, by: User, role: str) -> Membership:
    require_role(by, membership.site_id, Role.ADMIN)
    role = _check_role(role)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if role != Role.ADMIN:
        _refuse_losing_last_admin(membership)
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def member_remove(*, membership: Membership, by: User) -> None:
    require_role(by, membership.site_id, Role.ADMIN)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    _refuse_losing_last_admin(membership)
    membership.delete()
