"""The desk's models: the reviewers' queue, a proxy of `Answer` (no table of its own): the
published answers a medical reviewer should look at, and why; and `Autosave`, what a person
typed into an answer's change form and has not saved yet."""

from django.conf import settings
from django.db import models

from answers import translation
from answers.models import Answer, AnswerQuerySet
from reports.models import Report


class ReviewQueueQuerySet(AnswerQuerySet):
    def reported(self):
        """Published answers with an open patient report of a factual error or of
        outdated content: a medical reviewer must check them."""
        return self.published().filter(pk__in=Report.objects.needing_review().values("answer_id"))

    def behind_original(self):
        """Published translations whose original was approved again since the version
        they follow: patients may read what the original no longer says."""
        return self.published().filter(pk__in=translation.behind().values("pk"))

    def needing_review(self, within_days=30):
        """What reviewers should look at: reviews due, answers citing flagged sources, live
        answers whose content changed since approval, answers patients reported as wrong or
        out of date, and live translations behind their original."""
        everything = type(self)(self.model, using=self._db)
        due = everything.due_for_review(within_days).values("pk").order_by()
        flagged = everything.citing_flagged_sources().values("pk").order_by()
        changed = everything.changed_since_approval().values("pk").order_by()
        reported = everything.reported().values("pk").order_by()
        behind = everything.behind_original().values("pk").order_by()
        # One list of ids (UNION), then the answers by primary key: ORing the five read
        # every answer's row to test it.
        return self.filter(pk__in=due.union(flagged, changed, reported, behind))


class ReviewQueue(Answer):
    """Published answers due for review, citing a flagged source, changed since approval,
    reported by a patient as wrong or out of date, or translations behind their original."""

    objects = ReviewQueueQuerySet.as_manager()

    class Meta:
        proxy = True
        verbose_name = "answer in the review queue"
        verbose_name_plural = "answers in the review queue"


class Autosave(models.Model):
    """What one person typed into an answer's change form and has not saved, sent by the
    form's script (desk/static/desk/keep_typing.js) every few seconds while the form differs
    from what was stored, and offered back to that person when they open the answer again,
    on any machine.

    It is a note to its writer, not a revision: never published, never in the answer's
    history, never a submission, and writing it does not touch the answer's row. Saving the
    answer deletes it (desk/admin/answer.py)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="+")
    fields = models.JSONField(help_text="The texts as typed, by the form field's name.")
    started_from = models.PositiveIntegerField(
        help_text="The answer's version the form was opened at: putting the text back on a "
        "later version is refused once, as any stale save is, so nobody's edit is overwritten "
        "unseen."
    )
    saved_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "answer"],
                name="one_autosave_per_user_and_answer",
                violation_error_message="This person already has an autosaved text of this "
                "answer: it is replaced, not added to.",
            )
        ]

    def __str__(self):
        return f"{self.user}'s unsaved text of “{self.answer}”"
