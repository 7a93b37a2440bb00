from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from answers.demo_content import (
    DEMO_FILE,
    DEMO_TRANSLATION_FILE,
    load_answer_file,
    load_translation_file,
)
from answers.translation import TranslationRefused


class Command(BaseCommand):
    help = (
        "Load the demo answer (topic, question, answer, citations, disclaimer) once: "
        "submitted by --editor and approved by --reviewer when those accounts exist. Then, "
        "once the answer is on the site, its Spanish translation (example content) once: "
        "translated and submitted by --editor, approved by --translation-reviewer."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(DEMO_FILE))
        parser.add_argument("--editor", default="editor", help="Username that submits it.")
        parser.add_argument("--reviewer", default="reviewer", help="Username that approves it.")
        parser.add_argument(
            "--translation",
            default=str(DEMO_TRANSLATION_FILE),
            help="The translation's file; an empty value loads none.",
        )
        parser.add_argument(
            "--translation-reviewer",
            default="revisora",
            help="Username that approves the translation: a reviewer whose profile lists "
            "its language.",
        )

    def handle(self, *args, path, editor, reviewer, translation, translation_reviewer, **options):
        User = get_user_model()
        editor_user = User.objects.filter(username=editor).first()
        answer, created = load_answer_file(
            path,
            editor=editor_user,
            reviewer=User.objects.filter(username=reviewer).first(),
        )
        self.report(answer, created, f"'{editor}' and '{reviewer}'")
        if not translation:
            return
        try:
            translated, created = load_translation_file(
                answer,
                translation,
                editor=editor_user,
                reviewer=User.objects.filter(username=translation_reviewer).first(),
                original_path=path,
            )
        except TranslationRefused as refusal:
            self.stdout.write(f"No translation loaded: {refusal}")
            return
        self.report(translated, created, f"'{editor}' and '{translation_reviewer}'")

    def report(self, answer, created, accounts):
        if not created:
            self.stdout.write(f"Demo content already present, nothing changed: {answer}")
        elif answer.is_published:
            self.stdout.write(f"Loaded and published: {answer.get_absolute_url()}")
        else:
            self.stdout.write(
                f"Loaded as a draft (no editor and reviewer {accounts} to approve it; run "
                "create_demo_accounts first)."
            )
