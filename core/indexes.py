"""Indexes that exist on one database only, made by a migration operation.

Some lists need an index shaped for one database: PostgreSQL searches text through a trigram
index (``core.search.AddTrigramIndex``); SQLite cannot use a partial index for a condition with
a bound parameter, nor read a column it must test without a row lookup unless an index covers
it (``AddSQLiteIndex``). The model's state does not know these indexes, so ``makemigrations``
leaves them alone; on the other database the operation does nothing.
"""

from django.db import migrations


class OneDatabaseIndex(migrations.operations.base.Operation):
    """``name`` on ``model_name``'s ``fields``, made only on the database ``vendor``."""

    reversible = True
    vendor = ""

    def __init__(self, model_name: str, name: str, fields: list[str]):
        self.model_name, self.name, self.fields = model_name, name, list(fields)

    def create_statements(self, quote, table: str, columns: list[str]) -> list[str]:
        return [f"CREATE INDEX IF NOT EXISTS {quote(self.name)} ON {table} ({', '.join(columns)})"]

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != self.vendor:
            return
        model = to_state.apps.get_model(app_label, self.model_name)
        quote = schema_editor.quote_name
        columns = [quote(model._meta.get_field(name).column) for name in self.fields]
        for statement in self.create_statements(quote, quote(model._meta.db_table), columns):
            schema_editor.execute(statement)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == self.vendor:
            schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(self.name)}")

    def describe(self) -> str:
        return f"Index {self.name} on {self.model_name} {self.fields} ({self.vendor} only)"

    def deconstruct(self):
        kwargs = {"model_name": self.model_name, "name": self.name, "fields": self.fields}
        return self.__class__.__qualname__, [], kwargs


class AddSQLiteIndex(OneDatabaseIndex):
    vendor = "sqlite"
