"""Statements on a hot path, written out once: ``RowRead``, ``update_row`` and ``insert_rows``.

Every stock action starts with the same two reads: lock the part's row, find the stock item the
quantity goes into. Through the ORM each call builds a queryset, resolves its filters and
compiles it to SQL again; for a restock that was 60 % of its Python time, and since threads of
one process share the interpreter, it capped a web process at about 300 restocks a second
(``bench/README.md``). ``RowRead`` writes the statement once per database (columns from the
model's metadata, ``FOR UPDATE`` where the database has it) and loads the row with the same
conversions the ORM applies (the backend's and the fields' converters, then ``Model.from_db``).

The writes that follow go through ``update_row`` (the item's quantity, the part's figures: an
``UPDATE`` of one row by its key) and ``insert_rows`` (the ledger rows: one ``INSERT`` of all of
them, their keys returned), their SQL kept per model and set of columns, their values prepared by
the fields as the ORM prepares them (``Field.pre_save``, ``Field.get_db_prep_save``).

It is for short, fixed statements only; everything else goes through the ORM.
"""

import weakref
from dataclasses import dataclass, field

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model


@dataclass(frozen=True)
class RowRead:
    """``SELECT <every column of model> FROM <its table> WHERE <where> [ORDER BY ...] LIMIT 1
    [FOR UPDATE]``. ``where`` and ``order_by`` name columns in braces (``"{part_id} = %s"``);
    the parameters go to ``one(...)``."""

    model: type[Model]
    where: str
    order_by: str = ""
    lock: bool = False
    _sql: dict = field(default_factory=dict, compare=False, repr=False)

    def sql(self, connection) -> str:
        text = self._sql.get(connection.vendor)
        if text is None:
            meta, quote = self.model._meta, connection.ops.quote_name
            names = {f.attname: quote(f.column) for f in meta.concrete_fields}
            columns = ", ".join(names.values())
            where = self.where.format(**names)
            text = f"SELECT {columns} FROM {quote(meta.db_table)} WHERE {where}"
            if self.order_by:
                text += f" ORDER BY {self.order_by.format(**names)}"
            text += " LIMIT 1"
            if self.lock and connection.features.has_select_for_update:
                text += " FOR UPDATE"
            self._sql[connection.vendor] = text
        return text

    def one(self, *params, using: str = DEFAULT_DB_ALIAS) -> Model | None:
        """The row as a model instance, or None."""
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(self.sql(connection), params)
            row = cursor.fetchone()
        return None if row is None else loaded(self.model, row, connection)


def loaded(model: type[Model], row, connection) -> Model:
    """The instance of ``model`` for ``row``, the values of its concrete fields in their order,
    converted as the ORM's compiler converts them (on SQLite, times made aware)."""
    values = list(row)
    for index, column, converters in _converters(model, connection):
        for convert in converters:
            values[index] = convert(values[index], column, connection)
    names = [f.attname for f in model._meta.concrete_fields]
    return model.from_db(connection.alias, names, values)


# Per connection (each thread has its own) and model: [(column index, column, converters)], as
# the ORM's compiler finds them for each selected column.
_CONVERTERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _converters(model: type[Model], connection) -> list[tuple]:
    per_model = _CONVERTERS.setdefault(connection, {})
    found = per_model.get(model)
    if found is None:
        found = []
        for index, model_field in enumerate(model._meta.concrete_fields):
            column = model_field.get_col(model._meta.db_table)
            converters = connection.ops.get_db_converters(column)
            converters += column.get_db_converters(connection)
            if converters:
                found.append((index, column, converters))
        per_model[model] = found
    return found


_UPDATES: dict[tuple, str] = {}


def update_row(model: type[Model], pk, *, using: str = DEFAULT_DB_ALIAS, **values) -> int:
    """``model.objects.filter(pk=pk).update(**values)`` for plain column values (no
    expressions): the number of rows changed."""
    connection = connections[using]
    meta = model._meta
    fields = [meta.get_field(name) for name in values]
    key = (model, tuple(values), connection.vendor)
    sql = _UPDATES.get(key)
    if sql is None:
        quote = connection.ops.quote_name
        assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
        sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"
        _UPDATES[key] = sql
    params = [
        _prepared(f, value, connection) for f, value in zip(fields, values.values(), strict=True)
    ]
    params.append(meta.pk.get_db_prep_save(pk, connection))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


_INSERTS: dict[tuple, str] = {}


def insert_rows(rows: list[Model], *, using: str = DEFAULT_DB_ALIAS) -> list[Model]:
    """``model.objects.bulk_create(rows)`` for new rows of one model with a database-made key,
    on a database that returns the keys of inserted rows (PostgreSQL, SQLite 3.35+): one
    ``INSERT``; each row gets its key and is marked as saved."""
    if not rows:
        return rows
    connection = connections[using]
    model = type(rows[0])
    meta = model._meta
    fields = [f for f in meta.concrete_fields if f is not meta.pk]
    key = (model, len(rows), connection.vendor)
    sql = _INSERTS.get(key)
    if sql is None:
        quote = connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in fields)
        one = "(" + ", ".join(["%s"] * len(fields)) + ")"
        values = ", ".join([one] * len(rows))
        sql = (
            f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES {values}"
            f" RETURNING {quote(meta.pk.column)}"
        )
        _INSERTS[key] = sql
    params = [f.get_db_prep_save(f.pre_save(row, True), connection) for row in rows for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        keys = [found[0] for found in cursor.fetchall()]
    for row, pk in zip(rows, keys, strict=True):
        row.pk = pk
        row._state.adding, row._state.db = False, using
    return rows


def _prepared(model_field, value, connection):
    """A value as the ORM's UPDATE sends it: a related record as its key, then the field's own
    preparation for the database."""
    if model_field.remote_field is not None and hasattr(value, "prepare_database_save"):
        value = value.prepare_database_save(model_field)
    return model_field.get_db_prep_save(value, connection)
