"""``field__any=[...]``: membership in a list of values, sent as ONE parameter on PostgreSQL.

``field__in=[...]`` writes one placeholder per value: ``IN (%s, %s, ...)``. On PostgreSQL that
costs twice over for the lists a page reads by id (``core.pagination.rows_for_ids``: 50 ids) and
the locations inside a building (100 and more):

- psycopg caches the conversion of a query to PostgreSQL's ``$n`` placeholders only for queries
  with at most 50 parameters, so every such query was split and rewritten again (0.3-0.5 ms a
  list request in a profile; bench/README.md, fifth round);
- the statement's text changes with the number of values (a last page of 37 rows is another
  statement than a page of 50), so prepared statements are not reused across them.

``field = ANY(%s)`` with the list as one array parameter has the same meaning and the same
index use (a list of ids still reads those index entries), one text for any number of values.
SQLite has no arrays: there it is ``IN`` as before.
"""

from django.db.models import Field, ForeignObject, Lookup
from django.db.models.lookups import In


class AnyOf(Lookup):
    lookup_name = "any"

    def get_prep_lookup(self):
        return [self.lhs.output_field.get_prep_value(value) for value in self.rhs]

    def as_sql(self, compiler, connection):
        if connection.vendor != "postgresql":
            return In(self.lhs, self.rhs).as_sql(compiler, connection)
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = [
            self.lhs.output_field.get_db_prep_value(value, connection, prepared=True)
            for value in self.rhs
        ]
        return f"{lhs} = ANY(%s)", (*lhs_params, values)


Field.register_lookup(AnyOf)
ForeignObject.register_lookup(AnyOf)  # relations keep a lookup table of their own
