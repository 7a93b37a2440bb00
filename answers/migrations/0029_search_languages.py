"""Search in each language (answers/search.py).

The RUM index of migration 0021 also holds each version's language, so that a search in
one language reads only that language's matches from the index. With the vector alone, a
Spanish search for a word Spanish and English stems alike ("trial") read the English
matches in rank order to find 20 Spanish ones: 14,800 rows and 0.44 s at 100,000 answers
with 1,000 in Spanish; with the language in the index, the 559 Spanish matches and 42 ms.
English searches keep their plan (best first from the index, stopping at the 20th) and
their cost ("relapse" 20 ms, "trial" 45 ms). The index is built under a new name, then
takes the old one's place, so the public pages keep reading the table while it is built
(about 30 s at 100,000 answers; an approval waits for it).

The versions in a language other than the default, approved while every vector was made
with English stems, get their vectors again, in their own language's configuration.
"""

from django.db import migrations

from answers import languages
from answers.search import RUM_INDEX, version_vector

TABLE = "answers_publishedversion"


def _has_rum_index(schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [RUM_INDEX])
        return cursor.fetchone() is not None


def _replace_index(schema_editor, columns):
    building = f"{RUM_INDEX}_new"
    schema_editor.execute(f"CREATE INDEX {building} ON {TABLE} USING rum ({columns})")
    schema_editor.execute(f"DROP INDEX {RUM_INDEX}")
    schema_editor.execute(f"ALTER INDEX {building} RENAME TO {RUM_INDEX}")


def index_languages(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    if _has_rum_index(schema_editor):  # 0021 made it: PostgreSQL has the rum extension
        _replace_index(schema_editor, "search_vector rum_tsvector_ops, language")
    PublishedVersion = apps.get_model("answers", "PublishedVersion")
    PublishedVersion.objects.exclude(language=languages.default()).update(
        search_vector=version_vector()
    )


def index_vectors_only(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql" and _has_rum_index(schema_editor):
        _replace_index(schema_editor, "search_vector rum_tsvector_ops")


class Migration(migrations.Migration):
    dependencies = [("answers", "0028_translations")]

    operations = [migrations.RunPython(index_languages, index_vectors_only)]
