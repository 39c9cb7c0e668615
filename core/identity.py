"""Who is asking: a signed-in user (or an API token and its user) with every membership and its
site, read in ONE query whose SQL is written once per database (alias) and process.

Every request needs this before anything else: the page's user from the session's user id, or
the API token from the key's hash, then the user's memberships to choose the site and check the
role. Through the ORM that was two queries, each compiled anew on every request (a
``select_related`` over three tables costs more to write out than to run): 1.2 ms of a 9 ms part
page and 2 ms of an 11 ms API list in a profile (bench/README.md, fifth round). Here the four
tables are joined in one statement built from the models' own fields, so it stays right when a
field is added, and each record is loaded as ``core.statements`` loads the rows of the stock
actions' hot statements: through the ORM's converters, so it is the record the ORM would build.

``core.backends.MemberBackend`` reads page users with it and ``core.api.authentication`` reads
tokens; the memberships go to ``core.sites.remember_memberships``.
"""

from functools import cache

from django.db import connections
from django.db.models import Model

from core.models import APIToken, Membership, Site, User
from core.sites import remember_memberships
from core.statements import loaded


class _Joined:
    """The SQL and the row layout for one entry point (by user id, or by token hash), on one
    database connection."""

    def __init__(self, alias: str, *, by_token: bool):
        connection = connections[alias]
        quote = connection.ops.quote_name
        self.alias = alias
        self.models: list[tuple[type[Model], str]] = [(User, "u"), (Membership, "m"), (Site, "s")]
        if by_token:
            self.models.insert(0, (APIToken, "t"))
        self.layout = []  # (model, first column, columns)
        columns, start = [], 0
        for model, table in self.models:
            fields = model._meta.concrete_fields
            columns += [f"{table}.{quote(f.column)}" for f in fields]
            self.layout.append((model, start, len(fields)))
            start += len(fields)
        user_table = quote(User._meta.db_table)
        joins = [
            f"LEFT JOIN {quote(Membership._meta.db_table)} m ON m.{quote('user_id')} = u.id",
            f"LEFT JOIN {quote(Site._meta.db_table)} s ON s.id = m.{quote('site_id')}",
        ]
        if by_token:
            source = (
                f"{quote(APIToken._meta.db_table)} t INNER JOIN {user_table} u "
                f"ON u.id = t.{quote('user_id')}"
            )
            where = f"t.{quote('key_hash')} = %s"
        else:
            source, where = f"{user_table} u", "u.id = %s"
        # The memberships in the model's order (by site name), then by site id for ties.
        self.sql = (
            f"SELECT {', '.join(columns)} FROM {source} {' '.join(joins)} "
            f"WHERE {where} ORDER BY s.{quote('name')}, s.id"
        )

    def read(self, value) -> list[list[Model | None]]:
        """The rows for ``value`` (a user id or a token hash), each as its records in the order
        of ``self.models`` (None for a user without memberships)."""
        connection = connections[self.alias]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, [value])
            rows = cursor.fetchall()
        return [
            [
                # No id: the LEFT JOIN found no membership.
                None if row[start] is None else loaded(model, row[start : start + n], connection)
                for model, start, n in self.layout
            ]
            for row in rows
        ]


@cache
def _joined(alias: str, by_token: bool) -> _Joined:
    return _Joined(alias, by_token=by_token)


def _assemble(rows: list[list]) -> User:
    """One user object for every row, with its memberships kept on it (each with its site and
    that same user)."""
    user = rows[0][-3]
    memberships = []
    for *_token, _user, membership, site in rows:
        if membership is not None:
            membership.user, membership.site = user, site
            memberships.append(membership)
    remember_memberships(user, memberships)
    return user


def user_with_memberships(user_id, *, using: str = "default") -> User | None:
    """The user (any state; the caller checks ``is_active``) with their memberships kept on it
    (``core.sites.user_memberships``), or None."""
    try:
        user_id = int(user_id)
    except (TypeError, ValueError):
        return None
    if not 0 < user_id < 2**63:  # what an id column holds; a session cannot name more
        return None
    rows = _joined(using, False).read(user_id)
    return _assemble(rows) if rows else None


def token_with_user(key_hash: str, *, using: str = "default") -> APIToken | None:
    """The API token with this key hash (any state; the caller checks it), its ``user`` read
    with it and the user's memberships kept on the user; or None."""
    rows = _joined(using, True).read(key_hash)
    if not rows:
        return None
    token = rows[0][0]
    token.user = _assemble(rows)
    return token
