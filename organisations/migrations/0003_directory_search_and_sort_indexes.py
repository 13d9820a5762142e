"""Indexes for the public list's search and name order (issue 8), on PostgreSQL only.

- A trigram GIN index on the folded ``search_text``: the search's LIKE 'word%' and
  LIKE '% word%' use it when a word is rare enough to narrow the list.
- The name order of published organisations (directory.filters.BY_NAME: the first
  characters of ``search_text``, then the id), so the first and the far pages of the list
  read the index in order instead of sorting every published organisation. On a prefix:
  a B-tree entry may not exceed about 2.7 kB, and ``search_text`` holds descriptions.

No model state changes (``makemigrations --check`` stays clean); SQLite, which has no
pg_trgm, gets nothing.
"""

from django.db import migrations

INDEXES = [
    (
        "CREATE INDEX IF NOT EXISTS org_search_text_trgm_idx ON organisations_organisation "
        "USING gin (search_text gin_trgm_ops)",
        "DROP INDEX IF EXISTS org_search_text_trgm_idx",
    ),
    (
        "CREATE INDEX IF NOT EXISTS org_published_name_idx ON organisations_organisation "
        "(SUBSTRING(search_text, 1, 100), id) WHERE status = 'published'",
        "DROP INDEX IF EXISTS org_published_name_idx",
    ),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for sql, _reverse in INDEXES:
        schema_editor.execute(sql)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _sql, reverse in INDEXES:
        schema_editor.execute(reverse)


class Migration(migrations.Migration):
    dependencies = [("organisations", "0002_view_private_permission")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
