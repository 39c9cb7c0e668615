"""Checks every app's services share."""

from django.db.models import Model
from django.utils.translation import gettext as _

from core.errors import ServiceError
from core.models import Site

# "Not given" for optional keyword arguments of update services, where None is a real value.
UNSET = object()


def require_same_site(site: Site | int, obj: Model | None, field: str) -> None:
    """Refuse a reference to another site's record as if it did not exist (``ServiceError`` on
    ``field``). ``None`` passes: whether a reference is required is the caller's rule.

    The API's ``SiteScopedPrimaryKeyField`` and the page forms already offer only the site's
    records; this is the service's own check, so a task or another service cannot slip one in.
    """
    if obj is None:
        return
    site_id = site if isinstance(site, int) else site.pk
    if obj.site_id != site_id:
        raise ServiceError(
            {
                field: [
                    _("That %(thing)s does not exist at this site.")
                    % {"thing": obj._meta.verbose_name}
                ]
            }
        )
