"""What patients read: the frozen, approved versions of answers, and how one is frozen."""

import calendar
import datetime
import html

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils import timezone
from django.utils.html import strip_tags

from answers import attribution, languages, rendering, search
from answers.structured_data import medical_web_page
from answers.workflow import content_fingerprint

# What the public answer page reads of a PublishedVersion.
PUBLIC_VERSION_FIELDS = [
    "question_text", "topic_name", "short_answer", "short_answer_html", "research_html",
    "doctor_questions_html", "references", "disclaimer_html", "reviewer_name",
    "reviewer_credentials", "reviewed_on", "next_review_due", "approved_at", "source_ids",
    "authors", "reviewer_role", "reviewer_affiliation", "reviewer_bio", "reviewer_disclosures",
    "first_published_on", "updates", "language", "follows_id",
]  # fmt: skip


def months_after(day, months):
    """The same day `months` later (the month's last day where that day does not exist)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def updates_after(earlier, reviewed_on, note):
    """The public update notes a new version shows, newest first: its own, then those of
    the versions before it."""
    updates = [{"date": str(reviewed_on), "note": note}] if note else []
    if earlier:
        updates += earlier[-1].updates
    return updates


class PublishedVersion(models.Model):
    """What a reviewer approved, frozen: the public pages read only this."""

    answer = models.ForeignKey("answers.Answer", on_delete=models.CASCADE, related_name="versions")
    answer_revision = models.PositiveIntegerField(
        null=True, help_text="The answer revision (history id) that was approved."
    )
    question_text = models.CharField(max_length=300)
    # The language it is written in (its question's), and for a translation the approved
    # version of the original it follows: a newer live version of the original means the
    # translation is out of date (answers/translation.py).
    language = models.CharField(max_length=12, default=settings.LANGUAGE_CODE)
    follows = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    topic_name = models.CharField(max_length=100)
    short_answer = models.TextField()
    research = models.TextField()
    doctor_questions = models.TextField(blank=True)
    short_answer_html = models.TextField()
    research_html = models.TextField()
    doctor_questions_html = models.TextField(blank=True)
    references = models.JSONField(default=list)
    # The cited sources' ids, for the live retraction notices without reading the page.
    source_ids = models.JSONField(default=list)
    disclaimer_html = models.TextField(blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    reviewer_name = models.CharField(max_length=150)
    reviewer_credentials = models.CharField(max_length=100)
    reviewer_role = models.CharField(max_length=100, blank=True, default="")
    reviewer_affiliation = models.CharField(max_length=200, blank=True, default="")
    reviewer_bio = models.TextField(blank=True, default="")
    reviewer_disclosures = models.TextField(blank=True, default="")
    # The writers, as their profiles were when this was approved (ContributorProfile).
    authors = models.JSONField(default=list, blank=True)
    # Currency: when the answer was first published, and this approval's public note
    # ("Updated …: added the 2026 trial results"), with the earlier ones, newest first.
    first_published_on = models.DateField(null=True)
    update_note = models.CharField(max_length=300, blank=True, default="")
    updates = models.JSONField(default=list, blank=True)
    reviewed_on = models.DateField(null=True)
    next_review_due = models.DateField(null=True)
    approved_at = models.DateTimeField(default=timezone.now)
    # When it is to go live (None: when approved), and when it did; a version whose
    # schedule was cancelled never did.
    go_live_at = models.DateTimeField(null=True, blank=True)
    live_from = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True)
    # The review conversation held since the approval before: the comments on passages with
    # their replies and who resolved them, and the outside experts it was shared with
    # (answers/conversation.py `conversation_since`).
    conversation = models.JSONField(default=dict, blank=True)
    fingerprint = models.CharField(max_length=64)
    # For search: the research section as plain words (no Markdown, no marker numbers), and
    # PostgreSQL's stored, weighted vector of question, short answer and research (GIN-indexed).
    research_plain = models.TextField(blank=True, default="")
    search_vector = SearchVectorField(null=True, editable=False)
    # The public page of this version, kept rendered (delivery/stored_pages.py): the page is
    # one read while `page_key` matches what it would be rendered for now.
    page_html = models.TextField(blank=True, default="", editable=False)
    page_key = models.CharField(max_length=32, blank=True, default="", editable=False)
    page_etag = models.CharField(max_length=64, blank=True, default="", editable=False)

    class Meta:
        ordering = ["-approved_at"]
        get_latest_by = "approved_at"
        # "Recently reviewed" lists (home page, feed) read the newest approvals first.
        indexes = [
            models.Index(fields=["-approved_at"], name="version_approved_at_desc"),
            # Reviews due and overdue, and each version's date by its id: both with the
            # other column included, for index-only scans.
            models.Index(
                fields=["next_review_due"], include=["id"], name="version_next_review_due"
            ),
            models.Index(fields=["id"], include=["next_review_due"], name="version_id_review_due"),
        ]

    def __str__(self):
        return f"{self.question_text} (approved {self.reviewed_on})"

    def get_absolute_url(self):
        return self.answer.get_absolute_url()

    @property
    def is_overdue(self):
        return bool(self.next_review_due) and self.next_review_due < timezone.localdate()

    def refresh_search_vector(self):
        search.refresh_vector(self)

    def structured_data(self, url, original_url=None):
        return medical_web_page(self, url, original_url)

    def content_fingerprint(self):
        """The digest of what this version froze: equal to the answer's `fingerprint()`
        while the answer's content is what was approved."""
        return content_fingerprint(self.frozen())

    def frozen(self):
        """The frozen content, as `Answer.frozen_content()` gives it."""
        content = {name: getattr(self, name) for name in FROZEN_CONTENT}
        if not languages.is_default(self.language):
            content["language"] = self.language
        if self.follows_id is not None:
            content["follows_id"] = self.follows_id
        return content

    def audit_record(self):
        """Exactly what was approved, by whom and when, for the audit page and its JSON."""
        return {
            "version": self.pk,
            "answer": self.answer_id,
            "answer_revision": self.answer_revision,
            "approved_at": self.approved_at.isoformat(),
            "first_published_on": str(self.first_published_on or ""),
            "reviewed_on": str(self.reviewed_on or ""),
            "next_review_due": str(self.next_review_due or ""),
            "reviewer": {
                "user": self.reviewer_id,
                "display_name": self.reviewer_name,
                "credentials": self.reviewer_credentials,
                "role": self.reviewer_role,
                "affiliation": self.reviewer_affiliation,
                "bio": self.reviewer_bio,
                "disclosures": self.reviewer_disclosures,
            },
            "reviewer_comment": self.comment,
            "conversation": self.conversation,
            "update_note": self.update_note,
            "updates": self.updates,
            "content": self.frozen(),
            "sources": [
                {
                    "number": ref["number"],
                    "source": ref.get("source_id"),
                    # As text: "John Wiley & Sons", not the HTML's "&amp;".
                    "reference": html.unescape(strip_tags(ref["html"])),
                    "doi": ref.get("doi_url", ""),
                    "pubmed": ref.get("pubmed_url", ""),
                    "link": ref.get("link_url", ""),
                    "evidence": ref.get("evidence", ""),
                }
                for ref in self.references
            ],
            "fingerprint": self.fingerprint,
            "fingerprint_recomputed": self.content_fingerprint(),
        }


# The frozen content of a version: the keys of `Answer.frozen_content()`, which also has
# "language" for an answer not in the site's default language and "follows_id" for a
# translation (absent otherwise, so that the digest of every answer frozen before
# translations existed stays what it was).
FROZEN_CONTENT = [
    "question_text", "topic_name", "short_answer", "research", "doctor_questions",
    "references", "disclaimer_html", "authors",
]  # fmt: skip


def freeze(
    answer, content, reviewer=None, profile=None, reviewed_on=None, earlier=(), update_note=""
):
    """The page as patients would read it if approved now: an unsaved PublishedVersion of
    `content` (`frozen_content()`), with the reviewer's profile (`profile`, else the
    reviewer's own), the review dates, and the public update notes of the versions
    `earlier` (oldest first). Approval saves it (answers/workflow/steps.py); the benchmark's
    seeder freezes its answers with it too (answers/seeding/), so both freeze alike."""
    if profile is None and reviewer is not None:
        profile = getattr(reviewer, "contributor_profile", None)
    reviewed_on = reviewed_on or timezone.localdate()
    research_html = rendering.render_markdown(attribution.without_marks(content["research"]))
    return PublishedVersion(
        answer=answer,
        **content,
        short_answer_html=rendering.render_plain_markdown(content["short_answer"]),
        research_html=research_html,
        research_plain=rendering.plain_text(research_html),
        doctor_questions_html=rendering.render_list(content["doctor_questions"]),
        reviewer=reviewer,
        reviewer_name=profile.display_name if profile else "",
        reviewer_credentials=profile.credentials if profile else "",
        reviewer_role=profile.role if profile else "",
        reviewer_affiliation=profile.affiliation if profile else "",
        reviewer_bio=profile.bio if profile else "",
        reviewer_disclosures=profile.disclosures if profile else "",
        first_published_on=earlier[0].reviewed_on
        if earlier
        else (reviewed_on if reviewer else None),
        update_note=update_note,
        updates=updates_after(earlier, reviewed_on, update_note),
        reviewed_on=reviewed_on if reviewer else None,
        next_review_due=months_after(reviewed_on, settings.REVIEW_INTERVAL_MONTHS)
        if reviewer
        else None,
        source_ids=[ref["source_id"] for ref in content["references"]],
        fingerprint=content_fingerprint(content),
    )
