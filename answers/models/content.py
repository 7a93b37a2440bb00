"""An answer's content: everything its published version freezes, and who changed it."""

from answers import languages
from answers.models.contributors import Authorship, ContributorProfile
from answers.models.topics import Disclaimer, Question, Topic
from answers.models.versions import freeze
from answers.workflow import content_fingerprint
from citations.markers import (
    marker_uses,
    reference_entry,
)
from citations.models import Citation, Source

# What of each shared record patients read, and so counts as an answer's content.
CITATION_CONTENT = ["number", "source_id", "locator"]
AUTHORSHIP_CONTENT = ["contributor_id", "order"]
QUESTION_CONTENT = ["text", "topic_id", "language", "translation_of_id"]
TOPIC_CONTENT = ["name", "disclaimer_id"]
DISCLAIMER_CONTENT = ["body", "is_default"]


def editors_since(records, fields, since):
    """The ids of users who, after `since` (None: ever), created or deleted one of the
    objects whose `records` (simple-history rows) these are, or changed one of `fields`."""
    editors, previous = set(), {}
    for record in records.order_by("history_date", "history_id"):
        before = previous.get(record.id)
        previous[record.id] = record
        if since is not None and record.history_date <= since:
            continue
        if (
            before is None
            or record.history_type != "~"
            or any(getattr(record, name) != getattr(before, name) for name in fields)
        ):
            editors.add(record.history_user_id)
    return editors


def frozen_content(
    question, short_answer, research, doctor_questions, citations, writers, disclaimer_html,
    follows_id=None,
):  # fmt: skip
    """What a reviewer approves and patients read, as a published version keeps it: the
    answer's text and citations (each cited source's formatted record), the question, the
    topic's name, the writers' published profiles and the disclaimer as shown; and, for an
    answer in another language than the default, its language, and for a translation the
    version of the original it follows (see PublishedVersion.frozen)."""
    uses = marker_uses(research)
    content = {
        "question_text": question.text,
        "topic_name": question.topic.name,
        "short_answer": short_answer,
        "research": research,
        "doctor_questions": doctor_questions,
        "references": [reference_entry(c, uses.get(c.number, 0)) for c in citations],
        "disclaimer_html": str(disclaimer_html),
        "authors": [writer.as_published() for writer in writers],
    }
    if not languages.is_default(question.language):
        content["language"] = question.language
    if follows_id is not None:
        content["follows_id"] = follows_id
    return content


class AnswerContent:
    """What of an `Answer` its published version freezes, and who changed it: the answer's
    content, as approval, four eyes and "changed since approval" read it."""

    # Content: everything the published version freezes

    def frozen_content(self):
        """What a reviewer approves and patients read (`frozen_content`); its digest is the
        answer's `fingerprint()`."""
        return frozen_content(
            self.question, self.short_answer, self.research, self.doctor_questions,
            self.citation_rows(), [a.contributor for a in self.authorship_rows()],
            self.disclaimer_html(), self.follows_id,
        )  # fmt: skip

    def authorship_rows(self):
        return self.authorships.select_related("contributor") if self.pk else []

    def fingerprint(self):
        return content_fingerprint(self.frozen_content())

    def differs_from_live(self):
        return bool(self.live_version) and self.live_version.fingerprint != self.fingerprint()

    def content_editors(self):
        """The ids of everyone who changed this answer's content since its last approval
        (if it was never approved: the answer and its citations ever, and what it shares
        since the answer was created). A change counts if it touched what patients read:
        the answer's text, its citations, the question's text or topic, the topic's name or
        disclaimer, the disclaimer's text, or a cited source's record."""
        last_approval = (
            self.versions.order_by("-approved_at").values_list("approved_at", flat=True).first()
        )
        since_shared = last_approval or self.created_at
        disclaimer = self.effective_disclaimer()
        histories = [
            (self.history.all(), ["question_id", *self.EDITABLE_CONTENT], last_approval),
            (Citation.history.filter(answer_id=self.pk), CITATION_CONTENT, last_approval),
            (Authorship.history.filter(answer_id=self.pk), AUTHORSHIP_CONTENT, last_approval),
            (
                ContributorProfile.history.filter(id__in=self.authorships.values("contributor_id")),
                ContributorProfile.PATIENT_FIELDS,
                since_shared,
            ),
            (Question.history.filter(id=self.question_id), QUESTION_CONTENT, since_shared),
            (Topic.history.filter(id=self.question.topic_id), TOPIC_CONTENT, since_shared),
            (
                Source.history.filter(id__in=self.citations.values("source_id")),
                Source.PATIENT_FIELDS,
                since_shared,
            ),
        ]
        if disclaimer:
            histories.append(
                (Disclaimer.history.filter(id=disclaimer.pk), DISCLAIMER_CONTENT, since_shared)
            )
        editors = set()
        for records, fields, since in histories:
            editors |= editors_since(records, fields, since)
        editors.discard(None)
        return editors

    # The page patients see, as it would look if approved now

    def effective_disclaimer(self):
        """The answer's own disclaimer, else its topic's, else the site default."""
        return (
            self.disclaimer
            or self.question.topic.disclaimer
            or Disclaimer.objects.default(self.question.language)
        )

    def disclaimer_html(self):
        disclaimer = self.effective_disclaimer()
        return disclaimer.render_for(self.question.topic.name) if disclaimer else ""

    def build_version(self, reviewer=None, reviewed_on=None, update_note=""):
        """The page as patients would see it: an unsaved PublishedVersion of this draft
        (`freeze`), with the dates and public update notes of the versions before it."""
        # Only the two columns it needs: a version row also holds its whole rendered page.
        earlier = (
            list(
                self.versions.exclude(live_from=None)
                .order_by("approved_at")
                .only("reviewed_on", "updates")
            )
            if self.pk
            else []
        )
        return freeze(
            self, self.frozen_content(), reviewer, reviewed_on=reviewed_on, earlier=earlier,
            update_note=update_note,
        )  # fmt: skip
