"""What patients tell us is wrong with an answer: reports, kept as tasks for the editorial team."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from answers.models import Answer, PublishedVersion

TEXT_LENGTH = 2000


class ReportQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=Report.OPEN)

    def needing_review(self):
        """Open reports that a medical reviewer must look at: a factual error, or outdated
        content. They put their answer in the reviewers' queue."""
        return self.open().filter(kind__in=Report.NEEDS_REVIEW)


class Report(models.Model):
    class Kind(models.TextChoices):
        FACTUAL_ERROR = "factual_error", "A factual error"
        OUT_OF_DATE = "out_of_date", "Out of date"
        BROKEN_LINK = "broken_link", "A broken link"
        HARD_TO_UNDERSTAND = "hard_to_understand", "Hard to understand"
        OTHER = "other", "Something else"

    class Status(models.TextChoices):
        NEW = "new", "New"
        IN_PROGRESS = "in_progress", "In progress"
        RESOLVED = "resolved", "Resolved"
        DECLINED = "declined", "Declined"

    NEEDS_REVIEW = [Kind.FACTUAL_ERROR, Kind.OUT_OF_DATE]
    OPEN = [Status.NEW, Status.IN_PROGRESS]

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="reports")
    # The version the patient was reading: a report may concern what a later approval fixed.
    version = models.ForeignKey(
        PublishedVersion, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField("what is wrong", max_length=20, choices=Kind.choices)
    text = models.TextField("what the patient wrote", max_length=TEXT_LENGTH)
    email = models.EmailField("email for a reply", blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NEW)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who looks after this report: you, when you move it on from New.",
    )
    note = models.TextField(
        blank=True,
        help_text="What was found and done, for the team (patients never see it). Required "
        "to resolve or decline a report.",
    )
    created_at = models.DateTimeField("reported", auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "kind"], name="report_status_kind")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.answer.question.text}"[:120]

    @property
    def needs_review(self):
        return self.kind in self.NEEDS_REVIEW
