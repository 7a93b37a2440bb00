from django.core.management.base import BaseCommand

from answers.demo_content import DEMO_FILE, load_answer_file


class Command(BaseCommand):
    help = "Load the demo answer (topic, question, answer, citations, disclaimer) once."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(DEMO_FILE))

    def handle(self, *args, path, **options):
        answer, created = load_answer_file(path)
        if created:
            self.stdout.write(
                f"Loaded {len(created)} objects; the answer is at {answer.get_absolute_url()}"
            )
        else:
            self.stdout.write(
                f"Demo content already present, nothing changed: {answer.get_absolute_url()}"
            )
