from django.core.management.base import BaseCommand
from django.urls import reverse

from answers.models import Answer
from answers.progress import progress

CHUNK = 2000


class Command(BaseCommand):
    help = (
        "List published answers whose medical review is overdue or due soon. "
        "Exits with status 1 when any is overdue (for cron or monitoring)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=30, help="Also list answers due within this many days."
        )

    def handle(self, *args, days, **options):
        due = (
            Answer.objects.due_for_review(within_days=days)
            .select_related("live_version")
            .only(
                "pk", "live_version__next_review_due", "live_version__question_text",
                "live_version__reviewed_on", "live_version__reviewer_name",
            )
            .order_by("live_version__next_review_due", "pk")
        )  # fmt: skip
        count, overdue = due.count(), 0
        for answer in progress(due.iterator(CHUNK), count, "Listing", self.stderr):
            version = answer.live_version
            overdue += version.is_overdue
            label = "OVERDUE" if version.is_overdue else "due"
            admin_url = reverse("admin:answers_answer_change", args=[answer.pk])
            self.stdout.write(
                f"{label:8} {version.next_review_due}  {version.question_text}  "
                f"(last reviewed {version.reviewed_on} by {version.reviewer_name}; {admin_url})"
            )
        self.stdout.write(f"{overdue} overdue, {count - overdue} due within {days} days.")
        if overdue:
            raise SystemExit(1)
