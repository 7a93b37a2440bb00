from django.core.management.base import BaseCommand
from django.urls import reverse

from answers import jama
from answers.models import Answer


class Command(BaseCommand):
    help = (
        "Report every published answer against the four JAMA benchmarks (authorship, "
        "attribution, disclosure, currency). Exits with status 1 if any falls short."
    )

    def handle(self, *args, **options):
        answers = Answer.objects.published().select_related("live_version")
        short = 0
        total = 0
        for answer in answers.order_by("live_version__question_text").iterator():
            total += 1
            missing = jama.version_shortfalls(answer.live_version)
            if not missing:
                continue
            short += 1
            admin_url = reverse("admin:answers_answer_change", args=[answer.pk])
            self.stdout.write(f"FALLS SHORT  {answer.live_version.question_text}  ({admin_url})")
            for benchmark, text in missing:
                self.stdout.write(f"    {benchmark}: missing {text}")
        meeting = total - short
        share = f"{100 * meeting / total:.0f} %" if total else "no published answers"
        self.stdout.write(
            f"{meeting} of {total} published answers meet all four JAMA benchmarks ({share})."
        )
        if short:
            raise SystemExit(1)
