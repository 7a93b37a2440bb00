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
