"""
The editorial content: topics, disclaimers, questions, answers, and the frozen published
versions patients read. The workflow rules live in answers/workflow.py, search in
answers/search.py, the JSON-LD in answers/structured_data.py.
"""

import calendar
import datetime

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from simple_history.models import HistoricalRecords

from answers import attribution, rendering, search
from answers.structured_data import medical_web_page
from answers.workflow import Status, TransitionError, Workflow, content_fingerprint
from citations.characters import validate_printable
from citations.markers import (
    CitedSource,
    check_citations,
    contains_markers,
    marker_uses,
    reference_entry,
)
from citations.models import Citation, Source


class DisclaimerQuerySet(models.QuerySet):
    def default(self):
        return self.filter(is_default=True).first()


class Disclaimer(models.Model):
    """The text shown under an answer. `{topic}` in the body becomes the topic's name."""

    title = models.CharField(
        max_length=200,
        unique=True,
        help_text="For editors only, to pick the disclaimer from a list. Patients never see it.",
    )
    body = models.TextField(
        validators=[rendering.validate_markdown],
        help_text="Markdown. Write {topic} where the topic's name should appear, e.g. "
        "“common patient questions about {topic}”.",
    )
    is_default = models.BooleanField(
        "site default",
        default=False,
        help_text="Used for every answer whose topic has no disclaimer of its own. "
        "Only one disclaimer can be the site default.",
    )
    body_html = models.TextField(editable=False, default="")
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["body_html"])
    objects = DisclaimerQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="one_default_disclaimer",
                violation_error_message="Another disclaimer is already the site default; "
                "untick “site default” there first.",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.body_html = rendering.render_plain_markdown(self.body)
        super().save(*args, **kwargs)

    def deletion_refusal(self):
        """Why this disclaimer cannot be deleted now, or None."""
        if self.is_default and Answer.objects.relying_on_default_disclaimer().exists():
            return (
                "This is the site default, and answers rely on it (their topic has no "
                "disclaimer of its own). Make another disclaimer the site default first."
            )
        return None

    def render_for(self, topic_name):
        return rendering.fill_topic(self.body_html, topic_name)


class TopicQuerySet(models.QuerySet):
    def with_published_answers(self):
        """Topics patients can browse: those with at least one published answer."""
        # One join and GROUP BY: a count per topic in a subquery took 0.8 s at 100,000.
        return self.filter(questions__answer__live_version__isnull=False).annotate(
            answer_count=models.Count("questions__answer")
        )


class Topic(models.Model):
    name = models.CharField(
        max_length=100, unique=True, help_text="As patients would say it, e.g. “Oncology”."
    )
    slug = models.SlugField(
        max_length=100,
        unique=True,
        help_text="The end of the topic's web address, as in /topics/oncology/.",
    )
    description = models.TextField(
        blank=True,
        validators=[rendering.validate_markdown],
        help_text="Markdown. One or two sentences shown on the topic's page.",
    )
    disclaimer = models.ForeignKey(
        Disclaimer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="topics",
        help_text="Shown under every answer in this topic. Leave empty to use the site default.",
    )
    description_html = models.TextField(editable=False, default="")

    history = HistoricalRecords(excluded_fields=["description_html"])
    objects = TopicQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.description_html = rendering.render_plain_markdown(self.description)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("public:topic", args=[self.slug])


class Question(models.Model):
    """A question as patients ask it; its answer is published at /ask/<slug>/."""

    text = models.CharField(
        "question",
        max_length=300,
        help_text="In the patient's words, ending with a question mark. It is the page's title.",
    )
    slug = models.SlugField(
        max_length=200,
        unique=True,
        help_text="The end of the answer's web address, as in /ask/this-question/.",
    )
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="questions")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["text"]
        # Lists of answers are ordered by their question (the admin's, 100 at a time); a
        # page's ids come from this index and Answer's `answer_question_id` alone.
        indexes = [models.Index(fields=["text"], include=["id"], name="question_text_id")]

    def __str__(self):
        return self.text

    def get_absolute_url(self):
        return reverse("public:detail", args=[self.slug])


# What the public answer page reads of a PublishedVersion.
PUBLIC_VERSION_FIELDS = [
    "question_text", "topic_name", "short_answer", "short_answer_html", "research_html",
    "doctor_questions_html", "references", "disclaimer_html", "reviewer_name",
    "reviewer_credentials", "reviewed_on", "next_review_due", "approved_at", "source_ids",
    "authors", "reviewer_role", "reviewer_affiliation", "reviewer_bio", "reviewer_disclosures",
    "first_published_on", "updates",
]  # fmt: skip


def months_after(day, months):
    """The same day `months` later (the month's last day where that day does not exist)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class ContributorProfile(models.Model):
    """Someone named on the pages: an answer's writers, and the medical reviewers who
    approve them. One kind of profile for both, as patients read them (JAMA's authorship
    and disclosure benchmarks): name, credentials, role, affiliation, a short bio and a
    conflicts-of-interest statement."""

    # What of a profile patients read, and so counts as the content of the answers naming it.
    PATIENT_FIELDS = ["display_name", "credentials", "role", "affiliation", "bio", "disclosures"]
    NONE_DECLARED = "None declared"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contributor_profile",
        help_text="The account of a reviewer or editor, if they have one. A writer need not.",
    )
    display_name = models.CharField(
        max_length=150, help_text="As patients will read it, e.g. “Dr Robin Reviewer”."
    )
    credentials = models.CharField(
        max_length=100, blank=True, help_text="Degrees and qualifications, e.g. “MD, PhD”."
    )
    role = models.CharField(
        max_length=100, blank=True, help_text="e.g. “Medical writer”, “Consultant neurologist”."
    )
    affiliation = models.CharField(
        max_length=200, blank=True, help_text="Where they work, e.g. a hospital or university."
    )
    bio = models.TextField(
        max_length=600, blank=True, help_text="Two or three sentences, shown on their pages."
    )
    disclosures = models.TextField(
        "conflicts of interest",
        max_length=1000,
        blank=True,
        help_text="Shown to patients on every page they wrote or reviewed: funding, "
        "consultancy, shares, speaker fees. Write “None declared” if there are none; an "
        "empty statement is not a declaration, and no answer naming them can be approved.",
        validators=[validate_printable],
    )
    email_notifications = models.BooleanField(
        default=True,
        help_text="Email when an answer waits for their review, is sent back, approved or "
        "withdrawn, and the reviewers' weekly digest. Never shown to patients.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["display_name"]

    def __str__(self):
        return f"{self.display_name}, {self.credentials}" if self.credentials else self.display_name

    def as_published(self):
        """What a published version keeps of this profile."""
        return {name: getattr(self, name) for name in self.PATIENT_FIELDS}


class Authorship(models.Model):
    """One writer of an answer, in the order the page names them."""

    answer = models.ForeignKey("Answer", on_delete=models.CASCADE, related_name="authorships")
    contributor = models.ForeignKey(
        ContributorProfile, on_delete=models.PROTECT, related_name="authorships"
    )
    order = models.PositiveSmallIntegerField(default=1)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["answer", "contributor"], name="one_authorship_each")
        ]

    def __str__(self):
        return str(self.contributor)


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
            .select_related("live_version", "question__topic")
            .only(
                "question__slug",
                "question__topic__name",
                "question__topic__slug",
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
                "live_version__question_text",
                "live_version__topic_name",
                "live_version__reviewed_on",
                "live_version__approved_at",
            )
        )

    def recently_reviewed(self):
        return self.for_listing().order_by("-live_version__approved_at")

    def search(self, text, limit=20):
        """Published answers matching `text`, best first (see answers/search.py)."""
        return search.matching(self.published(), self.for_listing(), text, limit)

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
                uses |= Q(disclaimer=None, question__topic__disclaimer=None)
            return self.filter(uses)
        raise TypeError(f"Answers do not share {type(obj).__name__} records.")

    def relying_on_default_disclaimer(self):
        return self.filter(disclaimer=None, question__topic__disclaimer=None)

    def record_shared_edit(self, user, reason):
        """After a shared record was saved: each of these answers that is live, in review or
        scheduled and whose content is no longer what was approved is recorded as edited (back to
        draft, see `Answer.record_edit`). Returns (live answers whose content now differs
        from what patients see, answers in review that went back to draft)."""
        differing, sent_back = [], []
        candidates = self.published() | self.filter(status__in=[Status.IN_REVIEW, Status.SCHEDULED])
        for answer in candidates.select_related("live_version", "question__topic"):
            was_in_review = answer.status == Status.IN_REVIEW
            transition = answer.record_edit(user, reason)
            if answer.is_published and answer.differs_from_live():
                differing.append(answer)
            elif transition and was_in_review:
                sent_back.append(answer)
        return differing, sent_back

    def awaiting_resubmission(self):
        """Drafts that were live or in review until an edit sent them back: what a shared
        edit leaves to be submitted again."""
        sent_back = Transition.objects.filter(answer=models.OuterRef("pk"), action="edit")
        drafts = self.filter(status=Status.DRAFT)
        return drafts.published() | drafts.filter(models.Exists(sent_back))


class Answer(Workflow, models.Model):
    Status = Status
    # What an editor writes (and a restore brings back), beside the citations.
    EDITABLE_CONTENT = ["short_answer", "research", "doctor_questions", "disclaimer_id"]

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

    def record_citations(self):
        """Store the current citations and writers on the revision just recorded, for
        diffs and restore."""
        latest = self.latest_revision()
        if latest is not None:
            latest.citations_snapshot = self.citations_snapshot()
            latest.authors_snapshot = self.authors_snapshot()
            latest.save(update_fields=["citations_snapshot", "authors_snapshot"])

    def latest_revision(self):
        return self.history.order_by("-history_date", "-history_id").first()

    # Content: everything the published version freezes

    def frozen_content(self):
        """What a reviewer approves and patients read, as the published version keeps it:
        the answer's text and citations, the question, the topic's name, the cited sources'
        formatted records and the disclaimer. Its digest is the answer's `fingerprint()`."""
        uses = marker_uses(self.research)
        return {
            "question_text": self.question.text,
            "topic_name": self.question.topic.name,
            "short_answer": self.short_answer,
            "research": self.research,
            "doctor_questions": self.doctor_questions,
            "references": [reference_entry(c, uses.get(c.number, 0)) for c in self.citation_rows()],
            "disclaimer_html": str(self.disclaimer_html()),
            "authors": [a.contributor.as_published() for a in self.authorship_rows()],
        }

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
        return self.disclaimer or self.question.topic.disclaimer or Disclaimer.objects.default()

    def disclaimer_html(self):
        disclaimer = self.effective_disclaimer()
        return disclaimer.render_for(self.question.topic.name) if disclaimer else ""

    def build_version(self, reviewer=None, reviewed_on=None, update_note=""):
        """The page as patients would see it: an unsaved PublishedVersion of this draft,
        with the dates and public update notes of the versions before it."""
        profile = getattr(reviewer, "contributor_profile", None) if reviewer else None
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
        reviewed_on = reviewed_on or timezone.localdate()
        content = self.frozen_content()
        research_html = rendering.render_markdown(attribution.without_marks(self.research))
        return PublishedVersion(
            answer=self,
            **content,
            short_answer_html=rendering.render_plain_markdown(self.short_answer),
            research_html=research_html,
            research_plain=rendering.plain_text(research_html),
            doctor_questions_html=rendering.render_list(self.doctor_questions),
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


def updates_after(earlier, reviewed_on, note):
    """The public update notes a new version shows, newest first: its own, then those of
    the versions before it."""
    updates = [{"date": str(reviewed_on), "note": note}] if note else []
    if earlier:
        updates += earlier[-1].updates
    return updates


# What of each shared record patients read, and so counts as an answer's content.
CITATION_CONTENT = ["number", "source_id", "locator"]
AUTHORSHIP_CONTENT = ["contributor_id", "order"]
QUESTION_CONTENT = ["text", "topic_id"]
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


class PublishedVersion(models.Model):
    """What a reviewer approved, frozen: the public pages read only this."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="versions")
    answer_revision = models.PositiveIntegerField(
        null=True, help_text="The answer revision (history id) that was approved."
    )
    question_text = models.CharField(max_length=300)
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
    fingerprint = models.CharField(max_length=64)
    # For search: the research section as plain words (no Markdown, no marker numbers), and
    # PostgreSQL's stored, weighted vector of question, short answer and research (GIN-indexed).
    research_plain = models.TextField(blank=True, default="")
    search_vector = SearchVectorField(null=True, editable=False)
    # The public page of this version, kept rendered (answers/stored_pages.py): the page is
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

    def structured_data(self, url):
        return medical_web_page(self, url)

    def content_fingerprint(self):
        """The digest of what this version froze: equal to the answer's `fingerprint()`
        while the answer's content is what was approved."""
        return content_fingerprint({name: getattr(self, name) for name in FROZEN_CONTENT})

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
            "update_note": self.update_note,
            "updates": self.updates,
            "content": {name: getattr(self, name) for name in FROZEN_CONTENT},
            "sources": [
                {
                    "number": ref["number"],
                    "source": ref.get("source_id"),
                    "reference": strip_tags(ref["html"]),
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


# The frozen content of a version: the keys of `Answer.frozen_content()`.
FROZEN_CONTENT = [
    "question_text", "topic_name", "short_answer", "research", "doctor_questions",
    "references", "disclaimer_html", "authors",
]  # fmt: skip


class SitePolicy(models.Model):
    """Who runs the site, who pays for it and how it decides what to publish (JAMA's
    disclosure benchmark): managed content with history, linked from every page."""

    class Kind(models.TextChoices):
        OWNERSHIP = "ownership", "Ownership and funding"
        EDITORIAL = "editorial", "Editorial policy"
        CONFLICTS = "conflicts", "Conflicts of interest"

    kind = models.CharField(max_length=20, choices=Kind.choices, unique=True)
    body = models.TextField(
        max_length=20_000,
        help_text="Markdown, as patients will read it.",
        validators=[rendering.validate_markdown],
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["kind"]
        verbose_name_plural = "site policies"

    def __str__(self):
        return self.get_kind_display()

    def get_absolute_url(self):
        return reverse("public:policy", args=[self.kind])

    @property
    def title(self):
        return self.get_kind_display()


class PageEpoch(models.Model):
    """One row. Moved when something every kept answer page may show changes without a new
    approval (a cited source's retraction notice), so that each is rendered again."""

    value = models.BigIntegerField(default=0)

    def __str__(self):
        return f"page epoch {self.value}"


class PageGeneration(models.Model):
    """One row: the publication generation's truth (answers/page_generation.py). Every event
    that changes a public page moves it in the event's own transaction, so it commits with
    the change. Redis and the page-cache directory only mirror it."""

    value = models.BigIntegerField()

    def __str__(self):
        return f"publication generation {self.value}"


class Tombstone(models.Model):
    """A page taken down (withdrawn, expired, deleted) or changed for safety (a retraction
    notice) at a generation: no copy of it, nor of a page that links to it, kept from before
    that generation is ever served again, by any layer, whatever fails."""

    path = models.CharField(max_length=300, help_text="The page's address, e.g. /ask/slug/.")
    generation = models.BigIntegerField(db_index=True)
    reason = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-generation"]

    def __str__(self):
        return f"{self.path} ({self.reason}, generation {self.generation})"


class Transition(models.Model):
    """One step of the editorial workflow, recorded for good: who, when, from, to, why."""

    ACTIONS = [
        ("submit", "Submitted for review"),
        ("approve", "Approved and published"),
        ("send_back", "Sent back to draft"),
        ("withdraw", "Withdrawn"),
        ("edit", "Edited after submission or approval"),
        ("restore", "Restored an earlier revision"),
        ("go_live", "Went live as scheduled"),
        ("expire", "Taken down at its expiry time"),
        ("set_expiry", "Expiry time set or cleared"),
    ]

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="transitions")
    action = models.CharField(max_length=20, choices=ACTIONS)
    from_status = models.CharField(max_length=20, choices=Answer.Status.choices)
    to_status = models.CharField(max_length=20, choices=Answer.Status.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    comment = models.TextField(blank=True)
    revision = models.PositiveIntegerField(
        null=True, help_text="The answer revision (history id) the step was taken on."
    )

    class Meta:
        ordering = ["-at", "-pk"]
        # An answer's latest step of a kind (when it was submitted, sent back).
        indexes = [models.Index(fields=["answer", "action", "-at"], name="transition_latest")]

    def __str__(self):
        return f"{self.get_action_display()} by {self.user} on {self.at:%Y-%m-%d %H:%M}"
