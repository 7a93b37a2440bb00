from django.core.management.base import BaseCommand
from django.urls import reverse

from answers.models import Answer
from desk.notifications import Mail, absolute, reviewers, send
from reports.models import Report


class Command(BaseCommand):
    help = (
        "Mail each medical reviewer the week's digest: answers due for review within 30 "
        "days, overdue, citing a retracted or concerning source, or with open patient "
        "reports. Sends nothing when there is nothing to review. Run weekly from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=30, help="The due-soon horizon.")

    def handle(self, *args, days, **options):
        published = Answer.objects.select_related("live_version").order_by(
            "live_version__next_review_due"
        )
        overdue = published.overdue()
        sections = [
            ("Overdue for review", overdue),
            (
                f"Review due within {days} days",
                published.due_for_review(days).exclude(pk__in=overdue.values("pk")),
            ),
            ("Citing a retracted or concerning source", published.citing_flagged_sources()),
            (
                "With open patient reports",
                published.published().filter(pk__in=Report.objects.open().values("answer_id")),
            ),
        ]
        lines, listed = [], set()
        for title, answers in sections:
            answers = list(answers)
            if not answers:
                continue
            lines.append(f"{title} ({len(answers)}):")
            for answer in answers:
                listed.add(answer.pk)
                version = answer.live_version
                url = absolute(reverse("admin:answers_answer_change", args=[answer.pk]))
                lines.append(f"- {version.question_text}")
                lines.append(f"  next review due {version.next_review_due}; {url}")
            lines.append("")
        if not listed:
            self.stdout.write("Nothing to review this week: no digest sent.")
            return
        count = f"{len(listed)} answer{'s' if len(listed) != 1 else ''}"
        queue = absolute(reverse("admin:desk_reviewqueue_changelist"))
        body = "\n".join([*lines, f"All of them in the reviewers' list:\n{queue}\n"])
        mails = [Mail(r.email, f"Reviews to look at this week: {count}", body) for r in reviewers()]
        sent = send(mails)
        self.stdout.write(f"Digest of {count} sent to {sent} of {len(mails)} reviewer(s).")
        if sent < len(mails):
            raise SystemExit(1)  # logged by send(); cron or monitoring sees the failure
