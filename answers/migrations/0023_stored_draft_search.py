"""The admin's answer search at 100,000 answers (PostgreSQL only; SQLite searches with LIKE).

- `answers_answer.draft_search`: each answer's current text as a stored tsvector, a
  column PostgreSQL generates from the row itself (so nothing in Python has to keep it up
  to date), with a GIN index. It replaces migration 0019's expression index: testing one
  row against an expression index computes the vector again (0.28 ms a row), so the list
  could not walk the question order and test each row; a stored vector is read (0.02 ms).
  Django does not know the column: inserts and updates leave it to PostgreSQL. Adding it
  rewrites the table under an exclusive lock (about a minute at 100,000 answers), during
  which the answers table can be neither read nor written.
- A trigram index on the question's text, so that a rare word of the question is found
  without reading every question (`ILIKE '%word%'` cannot use a B-tree).
"""

from django.db import migrations

DRAFT_SEARCH_COLUMN = "draft_search"  # answers/search.py
DRAFT_TEXT = "COALESCE(short_answer, '') || ' ' || COALESCE(research, '')"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"ALTER TABLE answers_answer ADD COLUMN IF NOT EXISTS {DRAFT_SEARCH_COLUMN} tsvector "
        f"GENERATED ALWAYS AS (to_tsvector('english'::regconfig, {DRAFT_TEXT})) STORED"
    )
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS answer_draft_search ON answers_answer "
        f"USING gin ({DRAFT_SEARCH_COLUMN})"
    )
    schema_editor.execute("DROP INDEX IF EXISTS answer_draft_text_search")
    # pg_trgm is in PostgreSQL's contrib (every Debian server has it) and trusted: the
    # database's owner may create it. Going back leaves it (others may use it), as
    # TrigramExtension's reverse would not.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS question_text_trigram ON answers_question "
        "USING gin (upper(text) gin_trgm_ops)"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS question_text_trigram")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS answer_draft_text_search ON answers_answer "
        f"USING gin ((to_tsvector('english'::regconfig, {DRAFT_TEXT})))"
    )
    schema_editor.execute(f"ALTER TABLE answers_answer DROP COLUMN IF EXISTS {DRAFT_SEARCH_COLUMN}")


class Migration(migrations.Migration):
    dependencies = [("answers", "0022_covering_indexes_for_the_due_list")]

    operations = [migrations.RunPython(forwards, backwards)]
