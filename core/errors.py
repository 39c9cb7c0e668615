"""The one error type services raise for a refused write.

The API turns it into a 400 with ``{field: [messages]}``; pages turn it into inline form errors.
A refusal because of the caller's role is Django's ``PermissionDenied`` instead (403 everywhere).
"""

from collections.abc import Mapping, Sequence

NON_FIELD = "non_field_errors"


class ServiceError(Exception):
    def __init__(self, errors: Mapping[str, Sequence[str] | str] | str):
        if isinstance(errors, str):
            errors = {NON_FIELD: [errors]}
        self.errors: dict[str, list[str]] = {
            field: [str(m) for m in ([msgs] if isinstance(msgs, str) else msgs)]
            for field, msgs in errors.items()
        }
        super().__init__(self.errors)
