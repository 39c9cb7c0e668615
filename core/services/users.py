"""A user's own settings: profile, default site and API tokens."""

import secrets
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ServiceError
from core.models import APIToken, Membership, Site, User
from core.services.common import UNSET

PROFILE_FIELDS = {"first_name": 150, "last_name": 150, "email": 254}  # field: max length


def _require_member(user: User, site: Site, field: str) -> None:
    if not Membership.objects.filter(user=user, site=site).exists():
        raise ServiceError({field: [_("You are not a member of that site.")]})


def user_set_default_site(*, user: User, site: Site) -> User:
    """Where the user starts after signing in, and the API's site without ``X-Site-Id``."""
    _require_member(user, site, "site")
    user.default_site = site
    user.save(update_fields=["default_site"])
    return user


@transaction.atomic
def user_update_profile(*, user: User, default_site=UNSET, **fields) -> User:
    """Change your own name, email and default site (``None`` removes the default).

    Username, roles and superuser status are not yours to change here: admins manage members.
    """
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise ServiceError({f: [_("This field cannot be changed.")] for f in sorted(unknown)})
    errors: dict[str, list[str]] = {}
    for field, value in fields.items():
        value = (value or "").replace("\x00", "").strip()
        if len(value) > PROFILE_FIELDS[field]:
            errors[field] = [
                _("At most %(n)s characters.") % {"n": PROFILE_FIELDS[field]},
            ]
        fields[field] = value
    if fields.get("email"):
        try:
            validate_email(fields["email"])
        except ValidationError:
            errors["email"] = [_("Enter a valid email address.")]
    if errors:
        raise ServiceError(errors)
    user = User.objects.select_for_update().get(pk=user.pk)
    if default_site is not UNSET:
        if default_site is not None:
            _require_member(user, default_site, "default_site")
        user.default_site = default_site
    for field, value in fields.items():
        setattr(user, field, value)
    user.save()
    return user


def api_token_create(
    *, user: User, name: str, expires_at: datetime | None = None
) -> tuple[APIToken, str]:
    """Create a token; return it with its key, which is not stored and cannot be shown again."""
    name = (name or "").replace("\x00", "").strip()
    if not name:
        raise ServiceError({"name": [_("Give the token a name so you can recognise it later.")]})
    if expires_at is not None and expires_at <= timezone.now():
        raise ServiceError({"expires_at": [_("The expiry must be in the future.")]})
    key = secrets.token_hex(20)
    token = APIToken.objects.create(
        user=user,
        name=name[:100],
        key_hash=APIToken.hash_key(key),
        prefix=key[:8],
        expires_at=expires_at,
    )
    return token, key


def api_token_revoke(*, token: APIToken, by: User) -> APIToken:
    if token.user_id != by.pk:
        raise PermissionDenied(_("You can only revoke your own tokens."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token
