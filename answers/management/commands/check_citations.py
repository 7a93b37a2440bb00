from django.core.management.base import BaseCommand
from django.db.models import Prefetch

from answers.models import Answer
from answers.progress import progress
from citations.models import Citation

CHUNK = 500  # answers (and their citations) in memory at once


class Command(BaseCommand):
    help = (
        "Report every answer's citation problems (markers, duplicates, order, retractions). "
        "Exits with status 1 when any answer has an error."
    )

    def handle(self, *args, **options):
        answers = (
            Answer.objects.select_related("question")
            .only("pk", "status", "research", "question__text")
            .prefetch_related(
                Prefetch("citations", queryset=Citation.objects.select_related("source"))
            )
            .order_by("pk")
        )
        count = answers.count()
        errors = warnings = 0
        for answer in progress(answers.iterator(CHUNK), count, "Checking", self.stderr):
            problems = answer.citation_problems()
            if not problems:
                continue
            self.stdout.write(f"{answer} [{answer.get_status_display()}]")
            for problem in problems:
                self.stdout.write(f"  {problem.level.upper()}: {problem.message}")
                errors += problem.is_error
                warnings += not problem.is_error
        self.stdout.write(
            f"{count} answer{'s' if count != 1 else ''} checked: "
            f"{errors} errors, {warnings} warnings."
        )
        if errors:
            raise SystemExit(1)
