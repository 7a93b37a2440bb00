from pathlib import Path

from django.core.management.base import BaseCommand

from pages.models import StoredPage


class Command(BaseCommand):
    help = "Store a file's HTML as the page at PATH (replacing any page there)."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("file")

    def handle(self, *args, path, file, **options):
        html = Path(file).read_text(encoding="utf-8")
        StoredPage.objects.update_or_create(path=path, defaults={"html": html})
        self.stdout.write(f"Stored {len(html):,} characters at {path}")
