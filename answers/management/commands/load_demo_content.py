from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from answers.demo_content import DEMO_FILE, load_answer_file


class Command(BaseCommand):
    help = (
        "Load the demo answer (topic, question, answer, citations, disclaimer) once: "
        "submitted by --editor and approved by --reviewer when those accounts exist."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(DEMO_FILE))
        parser.add_argument("--editor", default="editor", help="Username that submits it.")
        parser.add_argument("--reviewer", default="reviewer", help="Username that approves it.")

    def handle(self, *args, path, editor, reviewer, **options):
        User = get_user_model()
        answer, created = load_answer_file(
            path,
            editor=User.objects.filter(username=editor).first(),
            reviewer=User.objects.filter(username=reviewer).first(),
        )
        if not created:
            self.stdout.write(f"Demo content already present, nothing changed: {answer}")
        elif answer.is_published:
            self.stdout.write(f"Loaded and published: {answer.get_absolute_url()}")
        else:
            self.stdout.write(
                f"Loaded as a draft (no editor '{editor}' and reviewer '{reviewer}' to approve "
                "it; run create_demo_accounts first)."
            )
