"""API token authentication: ``Authorization: Token <key>`` or ``Authorization: Bearer <key>``."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from core.identity import token_with_user
from core.models import APIToken

KEYWORDS = {b"token", b"bearer"}
# last_used_at is informative; writing it on every request would turn every read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class APITokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise AuthenticationFailed(_("Invalid token header: send “Token <key>”."))
        try:
            key = parts[1].decode()
        except UnicodeError:
            raise AuthenticationFailed(_("Invalid token header.")) from None
        token = token_with_user(APIToken.hash_key(key))  # with the user's memberships
        if token is None or not token.is_active or not token.user.is_active:
            raise AuthenticationFailed(_("Invalid, expired or revoked token."))
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            APIToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request) -> str:
        return "Token"
