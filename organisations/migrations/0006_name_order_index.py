"""The name order over every status (the in-memory index builds from it and places the
organisations added or renamed since), replacing the published-only one; the trigram index
of the SQL search goes with that search (the in-memory index answers every list)."""

import django.db.models.functions.text
from django.db import migrations, models

# (drop, create again) on PostgreSQL, as migration 0003 made them.
OBSOLETE = [
    (
        "DROP INDEX IF EXISTS org_search_text_trgm_idx",
        "CREATE INDEX IF NOT EXISTS org_search_text_trgm_idx ON organisations_organisation "
        "USING gin (search_text gin_trgm_ops)",
    ),
    (
        "DROP INDEX IF EXISTS org_published_name_idx",
        "CREATE INDEX IF NOT EXISTS org_published_name_idx ON organisations_organisation "
        "(SUBSTRING(search_text, 1, 100), id) WHERE status = 'published'",
    ),
]


def drop_sql_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for drop, _create in OBSOLETE:
            schema_editor.execute(drop)


def create_sql_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for _drop, create in OBSOLETE:
            schema_editor.execute(create)


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0005_verification"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="organisation",
            index=models.Index(
                django.db.models.functions.text.Substr("search_text", 1, 100),
                models.F("id"),
                name="org_name_order_idx",
            ),
        ),
        migrations.RunPython(drop_sql_search_indexes, create_sql_search_indexes, elidable=False),
    ]
