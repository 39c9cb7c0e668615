from django.db import migrations

import core.indexes


class Migration(migrations.Migration):
    """On SQLite: the parts' status and search text in an index of the parts list's order, so a
    search (and the parts page, which lists active parts) tests each part from the index instead
    of looking up every row (``core.search``)."""

    dependencies = [
        ("inventory", "0004_part_search_text"),
    ]

    operations = [
        core.indexes.AddSQLiteIndex(
            model_name="part",
            name="part_search_sqlite",
            fields=["site", "name", "id", "active", "search_text"],
        ),
    ]
