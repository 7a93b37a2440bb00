from django.core.management.base import BaseCommand

from answers.models import Answer


class Command(BaseCommand):
    help = (
        "Report every answer's citation problems (markers, duplicates, order, retractions). "
        "Exits with status 1 when any answer has an error."
    )

    def handle(self, *args, **options):
        answers = Answer.objects.select_related("question").prefetch_related("citations__source")
        errors = warnings = 0
        for answer in answers.order_by("pk"):
            problems = answer.citation_problems()
            if not problems:
                continue
            self.stdout.write(f"{answer} [{answer.get_status_display()}]")
            for problem in problems:
                self.stdout.write(f"  {problem.level.upper()}: {problem.message}")
                errors += problem.is_error
                warnings += not problem.is_error
        count = answers.count()
        self.stdout.write(
            f"{count} answer{'s' if count != 1 else ''} checked: "
            f"{errors} errors, {warnings} warnings."
        )
        if errors:
            raise SystemExit(1)
