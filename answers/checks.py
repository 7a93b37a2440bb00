"""System checks about the database: `manage.py check --database default`."""

from django.core import checks
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder

from answers import search


@checks.register(checks.Tags.database)
def ranked_search_index(app_configs, databases=None, **kwargs):
    """Warn where migration 0021 ran on a PostgreSQL without the rum extension: search
    then ranks every match, which at 100,000 answers takes 0.4 s for a common word."""
    warnings = []
    for alias in databases or []:
        connection = connections[alias]
        if connection.vendor != "postgresql":
            continue
        applied = MigrationRecorder(connection).applied_migrations()
        if ("answers", "0021_ranked_search_index") in applied and not search.ranks_by_index(alias):
            warnings.append(
                checks.Warning(
                    "Public search has no RUM index, so it ranks every match (slow for "
                    "common words in a large library).",
                    hint="Install the rum extension (Debian: postgresql-15-rum), then run "
                    "`manage.py migrate answers 0020` and `manage.py migrate`.",
                    id="answers.W001",
                )
            )
    return warnings


@checks.register(checks.Tags.database)
def draft_search_column(app_configs, databases=None, **kwargs):
    """The admin's answer search reads `answers_answer.draft_search` (migration 0023),
    a column Django does not know: PostgreSQL drops it with a column it is generated
    from, so a later migration removing short_answer or research would lose it
    silently. A warning, not an error: `migrate` stops on errors, and the repair may be
    a migration."""
    errors = []
    for alias in databases or []:
        connection = connections[alias]
        if connection.vendor != "postgresql":
            continue
        applied = MigrationRecorder(connection).applied_migrations()
        if ("answers", "0023_stored_draft_search") not in applied:
            continue
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM information_schema.columns WHERE table_schema = "
                "current_schema() AND table_name = 'answers_answer' AND column_name = %s",
                [search.DRAFT_SEARCH_COLUMN],
            )
            present = cursor.fetchone() is not None
        if not present:
            errors.append(
                checks.Warning(
                    "The answers table has no draft_search column, so the admin's answer "
                    "search fails.",
                    hint="A migration that removed short_answer or research took it with "
                    "them: add it again as answers/migrations/0023 does.",
                    id="answers.W002",
                )
            )
    return errors
