"""Answers: each the working copy of one question's answer, with its workflow."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from answers import languages, rendering, search
from answers.models.comments import conversation_record
from answers.models.content import AnswerContent
from answers.models.topics import Disclaimer, Question, Topic
from answers.models.transitions import Transition
from answers.models.versions import PUBLIC_VERSION_FIELDS
from answers.workflow import Status, TransitionError, Workflow
from citations.markers import (
    CitedSource,
    check_citations,
    contains_markers,
)
from citations.models import Citation, Source


class RevisionSnapshot(models.Model):
    """Extra data on each answer revision: the citations and the writers it had."""

    citations_snapshot = models.JSONField(default=list, blank=True)
    # The writers' contributor ids, in order; None on revisions recorded before writers
    # were kept, whose restore leaves the writers as they are.
    authors_snapshot = models.JSONField(null=True, blank=True)

    class Meta:
        abstract = True


class AnswerQuerySet(models.QuerySet):
    def published(self):
        """The only answers patients may see: those with an approved, live version.
        Every public path (pages, search, sitemap, feed) goes through this."""
        return self.filter(live_version__isnull=False)

    def for_public_page(self):
        """Published answers with what their public page needs, and nothing heavier: the
        page reads the frozen version, never the draft's text or the search vector."""
        return (
            self.published()
            .select_related("live_version", "question__topic", "question__translation_of")
            .only(
                "question__slug",
                "question__language",
                "question__translation_of__slug",
                "question__translation_of__language",
                "question__topic__name",
                "question__topic__slug",
                "question__topic__language",
                *(f"live_version__{field}" for field in PUBLIC_VERSION_FIELDS),
            )
        )

    def due_for_review(self, within_days=30):
        """Published answers whose next review falls within `within_days`, or is past."""
        horizon = timezone.localdate() + datetime.timedelta(days=within_days)
        return self.published().filter(live_version__next_review_due__lte=horizon)

    def overdue(self):
        return self.published().filter(live_version__next_review_due__lt=timezone.localdate())

    def for_listing(self):
        """Published answers with just what a list of links shows (title, dates, topic)."""
        return (
            self.published()
            .select_related("live_version", "question")
            .only(
                "question__slug",
                "question__language",
                "live_version__question_text",
                "live_version__topic_name",
                "live_version__reviewed_on",
                "live_version__approved_at",
            )
        )

    def recently_reviewed(self):
        return self.for_listing().order_by("-live_version__approved_at")

    def search(self, text, language=None, limit=20):
        """Published answers in `language` (None: the default) matching `text`, best first
        (see answers/search.py)."""
        language = language or languages.default()
        return search.matching(
            self.published().in_language(language),
            self.for_listing().in_language(language),
            text,
            limit,
            language,
        )

    def citing_flagged_sources(self):
        """Published answers citing a source since retracted or under an expression of concern."""
        # By ids, not a join: no DISTINCT over the answers (the admin's filter was 0.45 s).
        flagged = Citation.objects.filter(source__retraction_status__in=Source.FLAGGED)
        return self.published().filter(pk__in=flagged.values("answer_id"))

    def changed_since_approval(self):
        """Published answers with a newer draft or submission than what patients see: an
        edit to the answer, or to a source, question, topic or disclaimer it shares."""
        return self.published().exclude(status=Status.PUBLISHED)

    def sharing(self, obj):
        """The answers whose content includes `obj`, a source, question, topic or
        disclaimer that other answers may share."""
        if isinstance(obj, Source):
            return self.filter(pk__in=Citation.objects.filter(source=obj).values("answer_id"))
        if isinstance(obj, Question):
            return self.filter(question=obj)
        if isinstance(obj, Topic):
            return self.filter(question__topic=obj)
        if isinstance(obj, Disclaimer):
            uses = Q(disclaimer=obj) | Q(disclaimer=None, question__topic__disclaimer=obj)
            if obj.is_default:
                uses |= Q(
                    disclaimer=None,
                    question__topic__disclaimer=None,
                    question__language=obj.language,
                )
            return self.filter(uses)
        raise TypeError(f"Answers do not share {type(obj).__name__} records.")

    def relying_on_default_disclaimer(self, language=None):
        return self.filter(
            disclaimer=None,
            question__topic__disclaimer=None,
            question__language=language or languages.default(),
        )

    def in_language(self, code):
        return self.filter(question__language=code)

    def record_shared_edit(self, user, reason):
        """After a shared record was saved: each of these answers that is live, in review or
        scheduled and whose content is no longer what was approved is recorded as edited (back to
        draft, see `Answer.record_edit`). Returns (live answers whose content now differs
        from what patients see, answers in review that went back to draft, answers that
        stayed in review because a medical reviewer changed them)."""
        differing, sent_back, kept_in_review = [], [], []
        candidates = self.published() | self.filter(status__in=[Status.IN_REVIEW, Status.SCHEDULED])
        for answer in candidates.select_related("live_version", "question__topic"):
            was_in_review = answer.status == Status.IN_REVIEW
            transition = answer.record_edit(user, reason)
            if transition and transition.to_status == Status.IN_REVIEW:
                kept_in_review.append(answer)
            elif answer.is_published and answer.differs_from_live():
                differing.append(answer)
            elif transition and was_in_review:
                sent_back.append(answer)
        return differing, sent_back, kept_in_review

    def awaiting_resubmission(self):
        """Drafts that were live or in review until an edit sent them back: what a shared
        edit leaves to be submitted again."""
        sent_back = Transition.objects.filter(answer=models.OuterRef("pk"), action="edit")
        drafts = self.filter(status=Status.DRAFT)
        return drafts.published() | drafts.filter(models.Exists(sent_back))


class Answer(Workflow, AnswerContent, models.Model):
    Status = Status
    # What an editor writes (and a restore brings back), beside the citations.
    EDITABLE_CONTENT = [
        "short_answer", "research", "doctor_questions", "disclaimer_id", "follows_id",
    ]  # fmt: skip

    question = models.OneToOneField(Question, on_delete=models.PROTECT, related_name="answer")
    # On PostgreSQL the table also has `draft_search`, a search vector generated from
    # short_answer and research (migration 0023). A migration removing either drops that
    # column too (`manage.py check` then warns: make it again); one changing either's type
    # fails until the column is dropped first.
    short_answer = models.TextField(
        validators=[rendering.validate_markdown],
        help_text="A few plain-language sentences that answer the question directly. "
        "No citation markers here: the evidence goes in “What the research says”.",
    )
    research = models.TextField(
        "what the research says",
        validators=[rendering.validate_markdown],
        help_text="Markdown. End each claim with the number of its citation in square "
        "brackets: [9], several as [9, 10] or a range as [9-11]. The numbers are the ones "
        "in the citations table below. Every paragraph cites a source; end one that needs "
        "none (a transition sentence) with [no citation needed].",
    )
    doctor_questions = models.TextField(
        "what to ask your doctor",
        blank=True,
        validators=[rendering.validate_markdown],
        help_text="One question per line. Each line becomes a bullet point.",
    )
    disclaimer = models.ForeignKey(
        Disclaimer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="answers",
        help_text="Leave empty to use the topic's disclaimer (or the site default).",
    )
    # A translation: the approved version of the original it was made from, or last
    # brought up to date with (answers/translation.py). Frozen into each approval.
    follows = models.ForeignKey(
        "PublishedVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name="follows the original's version",
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="answers_written",
        verbose_name="created by",
        help_text="The account that created it. The writers patients see are its Authors.",
    )
    live_version = models.OneToOneField(
        "PublishedVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        help_text="What patients see now: the version a reviewer approved.",
    )
    # An approved version waiting for its go-live time (manage.py run_schedule puts it live).
    scheduled_version = models.OneToOneField(
        "PublishedVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    # When the live version leaves the site (manage.py run_schedule), and who said so.
    expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    expiry_set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    # The content that was submitted for review, so approval covers exactly that.
    submitted_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    # Optimistic locking: a save based on an older version is refused.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(bases=[RevisionSnapshot])
    objects = AnswerQuerySet.as_manager()

    class Meta:
        ordering = ["question__text"]
        # My work and the admin's status filter: a few thousand of 100,000 answers.
        indexes = [
            models.Index(fields=["status", "updated_at"], name="answer_status_updated"),
            # The reviewers' due list reads only ids and dates, from indexes alone: these
            # two here and two on PublishedVersion (0.27 s to 0.07 s at 100,000 answers).
            models.Index(fields=["live_version"], include=["id"], name="answer_live_version_id"),
            # The answer list's page of ids, in question order (page 100: 42 ms to 16 ms).
            models.Index(fields=["question"], include=["id"], name="answer_question_id"),
            models.Index(
                fields=["id"],
                include=["live_version"],
                condition=Q(live_version__isnull=False) & ~Q(status="published"),
                name="answer_changed_since_approval",
            ),
        ]
        permissions = [
            ("submit_answer", "Can submit answers for medical review"),
            ("review_answer", "Can approve answers or send them back"),
            ("withdraw_answer", "Can withdraw published answers"),
        ]

    def __str__(self):
        return str(self.question)

    def save(self, *args, **kwargs):
        loaded = getattr(self, "_loaded_status", None)
        if self.pk and loaded and self.status != loaded and not getattr(self, "_transition", False):
            raise TransitionError(
                "An answer's status changes only through the workflow (submit, approve, "
                "send back, withdraw)."
            )
        for field in ("short_answer", "research", "doctor_questions"):
            # Browsers submit textareas with CRLF; a resave must not look like an edit.
            setattr(self, field, getattr(self, field).replace("\r\n", "\n"))
        if self.pk:
            self.version += 1
        super().save(*args, **kwargs)
        self._loaded_status = self.status

    def get_absolute_url(self):
        return self.question.get_absolute_url()

    @classmethod
    def from_db(cls, db, field_names, values):
        answer = super().from_db(db, field_names, values)
        answer._loaded_status = answer.__dict__.get("status")
        return answer

    def get_preview_url(self):
        return reverse("desk:preview", args=[self.question.slug])

    def clean(self):
        if self.disclaimer_id and self.question_id:
            if self.disclaimer.language != self.question.language:
                raise ValidationError(
                    {
                        "disclaimer": "Choose a disclaimer in the answer's language "
                        f"({languages.english_name(self.question.language)})."
                    }
                )
        if contains_markers(self.short_answer):
            raise ValidationError(
                {
                    "short_answer": "The short answer is plain language without citation "
                    "markers. Move the cited claim into “What the research says”."
                }
            )

    @property
    def is_published(self):
        return self.live_version_id is not None

    # Content, citations and revisions

    def citation_rows(self):
        prefetched = getattr(self, "_prefetched_objects_cache", {}).get("citations")
        if prefetched is not None:  # a command going through many answers prefetched them
            return sorted(prefetched, key=lambda citation: citation.number)
        return list(self.citations.select_related("source").order_by("number"))

    def citation_problems(self):
        """Problems between the markers and the citations (see citations.markers)."""
        return check_citations(self.research, [CitedSource.of(c) for c in self.citation_rows()])

    def citation_errors(self):
        return [problem.message for problem in self.citation_problems() if problem.is_error]

    def citations_snapshot(self):
        return [
            {"number": c.number, "source": c.source_id, "locator": c.locator}
            for c in self.citations.order_by("number")
        ]

    def authors_snapshot(self):
        return [a.contributor_id for a in self.authorships.order_by("order", "pk")]

    def record_snapshots(self):
        """Store the current citations and writers on the revision just recorded, for
        diffs and restore."""
        latest = self.latest_revision()
        if latest is not None:
            latest.citations_snapshot = self.citations_snapshot()
            latest.authors_snapshot = self.authors_snapshot()
            latest.save(update_fields=["citations_snapshot", "authors_snapshot"])

    def latest_revision(self):
        return self.history.order_by("-history_date", "-history_id").first()

    def conversation_since(self, since):
        """The review conversation held on this answer after `since` (comments.py)."""
        return conversation_record(self, since)
