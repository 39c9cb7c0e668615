"""Every write in core: sites, members, users and their API tokens, locations.

Services are keyword-only, take the acting user and check their role themselves, validate before
writing, and raise ``ServiceError`` (400 / inline form errors) or ``PermissionDenied`` (403). The
modules are split by concern; callers import from here.
"""

from core.services.common import UNSET, require_same_site
from core.services.locations import (
    location_create,
    location_delete,
    location_paths_rebuild,
    location_paths_rebuild_start,
    location_qr_set,
    location_update,
)
from core.services.members import member_add, member_remove, member_set_role
from core.services.sites import site_create, site_update
from core.services.users import (
    api_token_create,
    api_token_revoke,
    user_set_default_site,
    user_update_profile,
)

__all__ = [
    "UNSET",
    "api_token_create",
    "api_token_revoke",
    "location_create",
    "location_delete",
    "location_paths_rebuild",
    "location_paths_rebuild_start",
    "location_qr_set",
    "location_update",
    "member_add",
    "member_remove",
    "member_set_role",
    "require_same_site",
    "site_create",
    "site_update",
    "user_set_default_site",
    "user_update_profile",
]
