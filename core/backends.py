"""The authentication backend: Django's ``ModelBackend``, reading a signed-in user together with
their memberships.

Every page request loads its user from the session's user id, and the page-site middleware then
reads the user's memberships (``core.sites.user_memberships``): two queries on every page. Here
both come from one (``core.identity``). Passwords, permissions and ``is_active`` work exactly as
in ``ModelBackend``.
"""

from django.contrib.auth.backends import ModelBackend

from core.identity import user_with_memberships


class MemberBackend(ModelBackend):
    def get_user(self, user_id):
        user = user_with_memberships(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
