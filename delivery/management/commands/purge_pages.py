"""
Drop the cached pages that show some records, or every page, in every cache (each worker's
memory, Redis or the files, and each Varnish in PROXY_PURGE_URLS), as a publication does:

    manage.py purge_pages a12 t3       # the pages carrying these surrogate keys
    manage.py purge_pages --all        # every page: after a deployment, say

The keys are those of answers/publication.py. Nothing is lost: each page is rendered again
from the database when it is next asked for.
"""

from django.core.management.base import BaseCommand, CommandError

from answers import publication
from delivery import proxy_purge


class Command(BaseCommand):
    help = "Drop the cached pages carrying the given surrogate keys (or --all) in every cache."

    def add_arguments(self, parser):
        parser.add_argument("keys", nargs="*", help="surrogate keys, e.g. a12 t3 list-es")
        parser.add_argument("--all", action="store_true", help="every public page")

    def handle(self, *args, keys, all, **options):
        if all:
            keys = [publication.EVERY_PAGE]
        if not keys:
            raise CommandError("Name the keys to purge, or --all.")
        invalid = [key for key in keys if not key.isprintable() or " " in key or "/" in key]
        if invalid:
            raise CommandError(f"Not a surrogate key: {invalid[0]!r}")
        publication.record(keys=keys, reason="Purged by hand")
        proxy_purge.wait()
        self.stdout.write(f"Purged the pages carrying {' '.join(keys)}.")
