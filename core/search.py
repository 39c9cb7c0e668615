"""Search boxes: every word typed must appear, in any order, in a record's search text.

"6204 bearing" finds "Ball bearing 6204-2RS". A searchable model keeps one lowercased column
(``search_text``) that its service writes whenever the words it is built from change (for a
part: number, name, description and vendor part numbers; ``search_text(...)`` builds it), and
the list filters it with ``matching(queryset, value)``: one ``LIKE '%word%'`` per word.

On PostgreSQL the column has a trigram index (``AddTrigramIndex`` in a migration), which answers
``LIKE '%word%'`` without reading every row; a site's 10,000 parts were read and compared column
by column before (40-70 ms per search, ``bench/README.md``). On SQLite the one column is scanned,
which at embedded sizes takes a few milliseconds.
"""

from django.db import migrations
from django.db.models import QuerySet

MAX_WORDS = 8  # more words than this only narrow a list that is already empty
MAX_WORD_LENGTH = 100


def search_words(value: str | None) -> list[str]:
    """The distinct words of what was typed, lowercased, in order."""
    words: list[str] = []
    for word in (value or "").lower().split():
        word = word[:MAX_WORD_LENGTH]
        if word not in words:
            words.append(word)
    return words[:MAX_WORDS]


def search_text(*pieces: str | None) -> str:
    """A record's search text: its searchable pieces, lowercased, one per line."""
    return "\n".join(piece.strip().lower() for piece in pieces if piece and piece.strip())


def matching(queryset: QuerySet, value: str | None, field: str = "search_text") -> QuerySet:
    """The records whose ``field`` contains every word of ``value`` (all of them if none)."""
    for word in search_words(value):
        queryset = queryset.filter(**{f"{field}__contains": word})
    return queryset


class AddTrigramIndex(migrations.operations.base.Operation):
    """A trigram (GIN ``gin_trgm_ops``) index on a text column, on PostgreSQL only; elsewhere
    nothing. Creates the ``pg_trgm`` extension if it is missing: it ships with PostgreSQL and is
    trusted, so the database's owner may create it (docs/deploy.md)."""

    reversible = True

    def __init__(self, model_name: str, field: str, name: str):
        self.model_name, self.field, self.name = model_name, field, name

    def state_forwards(self, app_label, state):
        pass  # the model state does not know this index; makemigrations leaves it alone

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        model = to_state.apps.get_model(app_label, self.model_name)
        table = schema_editor.quote_name(model._meta.db_table)
        column = schema_editor.quote_name(model._meta.get_field(self.field).column)
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {schema_editor.quote_name(self.name)} "
            f"ON {table} USING gin ({column} gin_trgm_ops)"
        )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(self.name)}")

    def describe(self) -> str:
        return f"Trigram index {self.name} on {self.model_name}.{self.field} (PostgreSQL)"

    def deconstruct(self):
        kwargs = {"model_name": self.model_name, "field": self.field, "name": self.name}
        return self.__class__.__qualname__, [], kwargs
