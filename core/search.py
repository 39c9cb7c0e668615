"""Search boxes: every word typed must appear, in any order, in a record's search text.

"6204 bearing" finds "Ball bearing 6204-2RS". A searchable model keeps one lowercased column
(``search_text``) that its service writes whenever the words it is built from change (for a
part: number, name, description and vendor part numbers; ``search_text(...)`` builds it), and
the list filters it with ``matching(queryset, value)``: one ``LIKE '%word%'`` per word.

On PostgreSQL the column has a trigram index (``AddTrigramIndex`` in a migration), which answers
``LIKE '%word%'`` without reading every row; a site's 10,000 parts were read and compared column
by column before (40-70 ms per search, ``bench/README.md``). SQLite has no such index: there a
covering index of the list's order and the search text (``core.indexes.AddSQLiteIndex``) lets it
test every part's text from the index instead of looking up each row (a rare word took 9 ms to
page and 7 ms to count at 10,000 parts; now 2 ms each).
"""

from django.db.models import QuerySet

from core.indexes import OneDatabaseIndex

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


class AddTrigramIndex(OneDatabaseIndex):
    """A trigram (GIN ``gin_trgm_ops``) index on a text column, on PostgreSQL only; elsewhere
    nothing. Creates the ``pg_trgm`` extension if it is missing: it ships with PostgreSQL and is
    trusted, so the database's owner may create it (docs/deploy.md)."""

    vendor = "postgresql"

    def __init__(self, model_name: str, field: str, name: str):
        super().__init__(model_name, name, [field])

    def create_statements(self, quote, table: str, columns: list[str]) -> list[str]:
        return [
            "CREATE EXTENSION IF NOT EXISTS pg_trgm",
            f"CREATE INDEX IF NOT EXISTS {quote(self.name)} ON {table} USING gin "
            f"({columns[0]} gin_trgm_ops)",
        ]

    def describe(self) -> str:
        return f"Trigram index {self.name} on {self.model_name}.{self.fields[0]} (PostgreSQL)"

    def deconstruct(self):
        kwargs = {"model_name": self.model_name, "field": self.fields[0], "name": self.name}
        return self.__class__.__qualname__, [], kwargs
