from django.db import migrations

# Kept here as it was: migration 0023 replaced this index with a stored column.
DRAFT_VECTOR = (
    "to_tsvector('english'::regconfig, COALESCE(short_answer, '') || ' ' || COALESCE(research, ''))"
)


def create_index(apps, schema_editor):
    # PostgreSQL only: SQLite (`make run` without DATABASE_URL) searches with LIKE.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS answer_draft_text_search ON answers_answer "
            f"USING gin (({DRAFT_VECTOR}))"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS answer_draft_text_search")


class Migration(migrations.Migration):
    dependencies = [("answers", "0018_scheduled_publication")]

    operations = [migrations.RunPython(create_index, drop_index)]
