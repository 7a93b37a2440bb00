import json
from pathlib import Path

from django.core.management.base import BaseCommand
from wagtail.models import Page, Site

from answerpage.models import AnswerPage


class Command(BaseCommand):
    help = (
        "Publish the answer in FILE (JSON: title, slug, body HTML) as a page under the "
        "default site's root page, replacing one at that slug."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        answer = json.loads(Path(file).read_text(encoding="utf-8"))
        home = Site.objects.get(is_default_site=True).root_page
        for old in home.get_children().filter(slug=answer["slug"]):
            old.delete()
        home.refresh_from_db()  # its count of children changed
        page = AnswerPage(title=answer["title"], slug=answer["slug"], body=answer["body"])
        home.add_child(instance=page)
        page.save_revision().publish()
        page = Page.objects.get(pk=page.pk)
        self.stdout.write(f"Published {page.url_path} ({len(answer['body']):,} characters)")
