from django.db import migrations

import core.indexes


class Migration(migrations.Migration):
    """On SQLite: the parts' search text in an index of the parts list's order, so a search tests
    each part's text from the index instead of looking up every row (``core.search``)."""

    dependencies = [
        ("inventory", "0004_part_search_text"),
    ]

    operations = [
        core.indexes.AddSQLiteIndex(
            model_name="part",
            name="part_search_sqlite",
            fields=["site", "name", "id", "search_text"],
        ),
    ]
