"""The desk's one model: the reviewers' queue. A proxy of `Answer` (no table of its own): the
published answers a medical reviewer should look at, and why."""

from answers.models import Answer, AnswerQuerySet
from reports.models import Report


class ReviewQueueQuerySet(AnswerQuerySet):
    def reported(self):
        """Published answers with an open patient report of a factual error or of
        outdated content: a medical reviewer must check them."""
        return self.published().filter(pk__in=Report.objects.needing_review().values("answer_id"))

    def needing_review(self, within_days=30):
        """What reviewers should look at: reviews due, answers citing flagged sources, live
        answers whose content changed since approval, and answers patients reported as
        wrong or out of date."""
        everything = type(self)(self.model, using=self._db)
        due = everything.due_for_review(within_days).values("pk").order_by()
        flagged = everything.citing_flagged_sources().values("pk").order_by()
        changed = everything.changed_since_approval().values("pk").order_by()
        reported = everything.reported().values("pk").order_by()
        # One list of ids (UNION), then the answers by primary key: ORing the four read
        # every answer's row to test it.
        return self.filter(pk__in=due.union(flagged, changed, reported))


class ReviewQueue(Answer):
    """Published answers due for review, citing a flagged source, changed since approval or
    reported by a patient as wrong or out of date."""

    objects = ReviewQueueQuerySet.as_manager()

    class Meta:
        proxy = True
        verbose_name = "answer in the review queue"
        verbose_name_plural = "answers in the review queue"
