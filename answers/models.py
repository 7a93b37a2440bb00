import calendar
import datetime
import hashlib
import json

from django.conf import settings
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
    SearchVectorField,
)
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Concat, Substr
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from simple_history.models import HistoricalRecords

from answers import rendering
from citations.markers import (
    CitedSource,
    check_citations,
    contains_markers,
    first_use_numbering,
    marker_uses,
    renumber_markers,
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

    def render_for(self, topic_name):
        return rendering.fill_topic(self.body_html, topic_name)


class TopicQuerySet(models.QuerySet):
    def with_published_answers(self):
        """Topics patients can browse: those with at least one published answer."""
        per_topic = (
            Answer.objects.published()
            .filter(question__topic=models.OuterRef("pk"))
            .order_by()
            .values("question__topic")
            .annotate(count=models.Count("pk"))
            .values("count")
        )
        return self.annotate(answer_count=models.Subquery(per_topic)).filter(answer_count__gt=0)


class Topic(models.Model):
    name = models.CharField(
        max_length=100, unique=True, help_text="As patients would say it, e.g. “Oncology”."
    )
    slug = models.SlugField(
        max_length=100, unique=True, help_text="The topic's web address: /topics/<slug>/."
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
        return reverse("answers:topic", args=[self.slug])


class Question(models.Model):
    """A question as patients ask it; its answer is published at /ask/<slug>/."""

    text = models.CharField(
        "question",
        max_length=300,
        help_text="In the patient's words, ending with a question mark. It is the page's title.",
    )
    slug = models.SlugField(
        max_length=200, unique=True, help_text="The answer's web address: /ask/<slug>/."
    )
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="questions")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["text"]

    def __str__(self):
        return self.text

    def get_absolute_url(self):
        return reverse("answers:detail", args=[self.slug])


# What the public answer page reads of a PublishedVersion.
PUBLIC_VERSION_FIELDS = [
    "question_text", "topic_name", "short_answer", "short_answer_html", "research_html",
    "doctor_questions_html", "references", "disclaimer_html", "reviewer_name",
    "reviewer_credentials", "reviewed_on", "next_review_due", "approved_at",
]  # fmt: skip

# PostgreSQL text-search configuration: the answers are written in English.
SEARCH_CONFIG = "english"
# Snippet highlight markers: control characters no editor text contains, so the snippet
# can be escaped as a whole and only these turned into <mark> (see answers/views.py).
SNIPPET_START, SNIPPET_STOP = "\x02", "\x03"


def months_after(day, months):
    """The same day `months` later (the month's last day where that day does not exist)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class ReviewerProfile(models.Model):
    """How a medical reviewer is named on the pages they approve."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviewer_profile"
    )
    display_name = models.CharField(
        max_length=150, help_text="As patients will read it, e.g. “Dr Robin Reviewer”."
    )
    credentials = models.CharField(
        max_length=100, help_text="Degrees and qualifications, e.g. “MD, PhD”."
    )
    disclosures = models.TextField(
        blank=True,
        help_text="Conflicts of interest (funding, consultancy, shares). Kept for editors.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["display_name"]

    def __str__(self):
        return f"{self.display_name}, {self.credentials}"


class RevisionSnapshot(models.Model):
    """Extra data on each answer revision: the citations it had."""

    citations_snapshot = models.JSONField(default=list, blank=True)

    class Meta:
        abstract = True


class TransitionError(ValidationError):
    """A workflow step that is not allowed now; the message says why, for the editor."""


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
        """Published answers matching `text`, best first, each with a `snippet` source.

        PostgreSQL: full-text search over the stored, weighted vector (question A, short
        answer B, research C) with `websearch` syntax ("quoted phrases", -without, or).
        SQLite: every word must appear somewhere; newest first."""
        text = " ".join(text.split())[:200]
        if not text:
            return self.none()
        published = self.for_listing()
        if connection.vendor == "postgresql":
            query = SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)
            # Rank first, then make snippets for the best matches only: ts_headline is
            # costly, and PostgreSQL would compute it for every match before sorting.
            best = (
                self.published()
                .filter(live_version__search_vector=query)
                .annotate(rank=SearchRank(F("live_version__search_vector"), query))
                .order_by("-rank", "-live_version__approved_at")
                .values("pk")[:limit]
            )
            return (
                published.filter(pk__in=best)
                .annotate(
                    rank=SearchRank(F("live_version__search_vector"), query),
                    snippet=SearchHeadline(
                        Concat(
                            "live_version__short_answer",
                            Value(" "),
                            "live_version__research_plain",
                            output_field=models.TextField(),
                        ),
                        query,
                        config=SEARCH_CONFIG,
                        start_sel=SNIPPET_START,
                        stop_sel=SNIPPET_STOP,
                        max_words=40,
                        min_words=20,
                        max_fragments=2,
                        fragment_delimiter=" … ",
                    ),
                )
                .order_by("-rank", "-live_version__approved_at")
            )
        matches = published
        for word in text.split()[:10]:
            matches = matches.filter(
                Q(live_version__question_text__icontains=word)
                | Q(live_version__short_answer__icontains=word)
                | Q(live_version__research_plain__icontains=word)
            )
        return matches.annotate(snippet=Substr("live_version__short_answer", 1, 300)).order_by(
            "-live_version__approved_at"
        )[:limit]

    def citing_flagged_sources(self):
        """Published answers citing a source since retracted or under an expression of concern."""
        return (
            self.published()
            .filter(citations__source__retraction_status__in=Source.FLAGGED)
            .distinct()
        )

    def needing_review(self, within_days=30):
        """What reviewers should look at: reviews due, and answers citing flagged sources."""
        due = self.due_for_review(within_days).values("pk")
        flagged = self.citing_flagged_sources().values("pk")
        return self.filter(Q(pk__in=due) | Q(pk__in=flagged))


CONTENT_FIELDS = ["short_answer", "research", "doctor_questions", "disclaimer_id"]


class Answer(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        PUBLISHED = "published", "Published"
        WITHDRAWN = "withdrawn", "Withdrawn"

    question = models.OneToOneField(Question, on_delete=models.PROTECT, related_name="answer")
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
        "in the citations table below.",
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
        return reverse("answers:preview", args=[self.question.slug])

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

    def fingerprint(self):
        """A digest of the clinical content: the fields patients read and the citations."""
        content = {field: getattr(self, field) for field in CONTENT_FIELDS}
        content["citations"] = self.citations_snapshot()
        encoded = json.dumps(content, sort_keys=True, default=str).encode()
        return hashlib.sha256(encoded).hexdigest()

    def record_citations(self):
        """Store the current citations on the revision just recorded, for diffs and restore."""
        latest = self.history.order_by("-history_date", "-history_id").first()
        if latest is not None:
            latest.citations_snapshot = self.citations_snapshot()
            latest.save(update_fields=["citations_snapshot"])

    def latest_revision(self):
        return self.history.order_by("-history_date", "-history_id").first()

    def last_content_editor(self):
        """Who changed the clinical content last (text or citations), or None if unknown."""
        editor, edited_at = None, None
        newer = None
        for record in self.history.order_by("-history_date", "-history_id"):
            if newer is not None and self._content_differs(newer, record):
                editor, edited_at = newer.history_user, newer.history_date
                break
            newer = record
        else:
            if newer is not None:  # the answer's content is as it was created
                editor, edited_at = newer.history_user, newer.history_date
        citation_change = (
            Citation.history.filter(answer_id=self.pk).order_by("-history_date").first()
        )
        if citation_change and (edited_at is None or citation_change.history_date > edited_at):
            editor = citation_change.history_user
        return editor

    @staticmethod
    def _content_differs(newer, older):
        return any(getattr(newer, f) != getattr(older, f) for f in CONTENT_FIELDS) or (
            newer.citations_snapshot != older.citations_snapshot
        )

    def differs_from_live(self):
        return bool(self.live_version) and self.live_version.fingerprint != self.fingerprint()

    # The page patients see, as it would look if approved now

    def effective_disclaimer(self):
        """The answer's own disclaimer, else its topic's, else the site default."""
        return self.disclaimer or self.question.topic.disclaimer or Disclaimer.objects.default()

    def disclaimer_html(self):
        disclaimer = self.effective_disclaimer()
        return disclaimer.render_for(self.question.topic.name) if disclaimer else ""

    def build_version(self, reviewer=None, reviewed_on=None):
        """The page as patients would see it: an unsaved PublishedVersion of this draft."""
        profile = getattr(reviewer, "reviewer_profile", None) if reviewer else None
        reviewed_on = reviewed_on or timezone.localdate()
        uses = marker_uses(self.research)
        research_html = rendering.render_markdown(self.research)
        return PublishedVersion(
            answer=self,
            question_text=self.question.text,
            topic_name=self.question.topic.name,
            short_answer=self.short_answer,
            research=self.research,
            doctor_questions=self.doctor_questions,
            short_answer_html=rendering.render_plain_markdown(self.short_answer),
            research_html=research_html,
            research_plain=rendering.plain_text(research_html),
            doctor_questions_html=rendering.render_list(self.doctor_questions),
            references=[reference_entry(c, uses.get(c.number, 0)) for c in self.citation_rows()],
            disclaimer_html=self.disclaimer_html(),
            reviewer=reviewer,
            reviewer_name=profile.display_name if profile else "",
            reviewer_credentials=profile.credentials if profile else "",
            reviewed_on=reviewed_on if reviewer else None,
            next_review_due=months_after(reviewed_on, settings.REVIEW_INTERVAL_MONTHS)
            if reviewer
            else None,
            fingerprint=self.fingerprint(),
        )

    # The workflow. These methods are the only way the status changes.

    def allowed_transitions(self, user):
        """{action: reason or None}: None if `user` may do it now, else why not."""
        return {action: self._refusal(action, user) for action in TRANSITIONS}

    def _refusal(self, action, user):
        step = TRANSITIONS[action]
        if action == "withdraw":
            if not self.live_version_id:
                return "Only an answer that is on the site can be withdrawn."
        elif self.status not in step["from"]:
            return f"Not possible while the answer is {self.get_status_display().lower()}."
        if not user.has_perm(step["permission"]):
            return step["no_permission"]
        if action in ("submit", "approve"):
            errors = self.citation_errors()
            if errors:
                return "Fix the citation problems first: " + " ".join(errors)
        if action == "approve":
            approved_before = (
                self.submitted_fingerprint
                if self.status == self.Status.IN_REVIEW
                else getattr(self.live_version, "fingerprint", "")
            )
            if self.fingerprint() != approved_before:
                return "The answer changed after it was submitted; it must be submitted again."
            if self.last_content_editor() == user:
                return (
                    "You made the last change to this answer's text or citations, so another "
                    "medical reviewer must approve it (four eyes)."
                )
            if not hasattr(user, "reviewer_profile"):
                return "Add your reviewer profile (name and credentials) before approving."
        return None

    def _lock(self, expected_version):
        """This answer, re-read and locked for the transaction; refused if it moved on."""
        locked = (
            Answer.objects.select_for_update(of=("self",))
            .select_related("live_version")
            .get(pk=self.pk)
        )
        if expected_version is not None and locked.version != int(expected_version):
            editor = locked.latest_revision().history_user
            name = (editor.get_full_name() or editor.get_username()) if editor else "Someone"
            raise TransitionError(
                f"{name} changed this answer after you opened it. "
                "Reload it and check their changes first."
            )
        return locked

    def _record(self, action, from_status, user, comment, reason):
        """Save the status change as a revision and log the transition."""
        self._transition = True
        self._change_reason = reason[:100]
        try:
            self.save()
        finally:
            self._transition = False
        self.record_citations()
        return Transition.objects.create(
            answer=self,
            action=action,
            from_status=from_status,
            to_status=self.status,
            user=user,
            comment=comment,
            revision=self.latest_revision().history_id,
        )

    def _refresh_from(self, locked):
        self.refresh_from_db()
        self.live_version = locked.live_version
        self._loaded_status = self.status

    @transaction.atomic
    def transition(self, action, user, comment="", expected_version=None):
        """Carry out a workflow step, or raise TransitionError saying why not."""
        answer = self._lock(expected_version)
        refusal = answer._refusal(action, user)
        if refusal:
            raise TransitionError(refusal)
        if action == "send_back" and not comment.strip():
            raise TransitionError("Say what needs to change: the comment goes to the editor.")
        from_status = answer.status
        if action == "submit":
            answer.submitted_fingerprint = answer.fingerprint()
        elif action == "approve":
            version = answer.build_version(reviewer=user)
            version.comment = comment
            version.save()
            version.refresh_search_vector()
            answer.live_version = version
        elif action == "withdraw":
            answer.live_version = None
        answer.status = TRANSITIONS[action]["to"]
        label = TRANSITIONS[action]["label"]
        step = answer._record(
            action, from_status, user, comment, f"{label}: {comment}" if comment else label
        )
        if action == "approve":  # the revision the approval recorded (same content as read)
            answer.live_version.answer_revision = step.revision
            answer.live_version.save(update_fields=["answer_revision"])
        self._refresh_from(answer)
        return step

    @transaction.atomic
    def note_edit(self, user):
        """After an edit: changed content under review or live goes back to draft."""
        approved_before = {
            self.Status.IN_REVIEW: self.submitted_fingerprint,
            self.Status.PUBLISHED: getattr(self.live_version, "fingerprint", ""),
        }.get(self.status)
        if approved_before is None or self.fingerprint() == approved_before:
            return None
        from_status, self.status = self.status, self.Status.DRAFT
        return self._record(
            "edit",
            from_status,
            user,
            "Content changed; a new approval is needed.",
            "Edited: back to draft",
        )

    @transaction.atomic
    def renumber_by_first_use(self, user, expected_version=None):
        """Number citations in order of first use (AMA), rewriting markers and numbers
        together as one revision. Returns False if they already were."""
        answer = self._lock(expected_version)
        citations = list(answer.citations.all())
        mapping = first_use_numbering(answer.research, [c.number for c in citations])
        if all(old == new for old, new in mapping.items()):
            return False
        reason = "Renumbered citations by order of first use"
        # Two passes, out of the way and then into place: no two citations of the answer
        # ever share a number (the unique constraint is checked at each save).
        for shift in (lambda number: 1000 + mapping[number], lambda number: number - 1000):
            for citation in citations:
                citation.number = shift(citation.number)
                citation._change_reason, citation._history_user = reason, user
                citation.save()
        answer.research = renumber_markers(answer.research, mapping)
        answer._change_reason, answer._history_user = reason, user
        answer.save()
        answer.record_citations()
        answer.note_edit(user)
        self._refresh_from(answer)
        return True

    @transaction.atomic
    def restore(self, record, user, expected_version=None):
        """Make an old revision's content the current draft. Never touches the live version.
        Returns the citation numbers whose source no longer exists (not restored)."""
        if not user.has_perm("answers.change_answer"):
            raise PermissionDenied
        answer = self._lock(expected_version)
        for field in CONTENT_FIELDS:
            setattr(answer, field, getattr(record, field))
        when = timezone.localtime(record.history_date).strftime("%d %b %Y %H:%M")
        reason = f"Restored the revision of {when}"
        existing = {c.number: c for c in answer.citations.all()}
        wanted = {row["number"]: row for row in record.citations_snapshot}
        available = set(
            Source.objects.filter(pk__in=[r["source"] for r in wanted.values()]).values_list(
                "pk", flat=True
            )
        )
        missing = sorted(n for n, row in wanted.items() if row["source"] not in available)
        for number, citation in existing.items():
            if number not in wanted or number in missing:
                citation._change_reason = reason
                citation.delete()
        for number, row in wanted.items():
            citation = existing.get(number) or Citation(answer=answer, number=number)
            if number in missing or (
                citation.pk
                and (citation.source_id, citation.locator) == (row["source"], row["locator"])
            ):
                continue
            citation.source_id, citation.locator = row["source"], row["locator"]
            citation._change_reason = reason
            citation.save()
        from_status, answer.status = answer.status, self.Status.DRAFT
        answer._record("restore", from_status, user, reason, reason)
        self._refresh_from(answer)
        return missing


TRANSITIONS = {
    "submit": {
        "label": "Submit for review",
        "from": {Answer.Status.DRAFT, Answer.Status.WITHDRAWN},
        "to": Answer.Status.IN_REVIEW,
        "permission": "answers.submit_answer",
        "no_permission": "Only editors can submit answers for review.",
    },
    "approve": {
        "label": "Approve and publish",
        "from": {Answer.Status.IN_REVIEW, Answer.Status.PUBLISHED},
        "to": Answer.Status.PUBLISHED,
        "permission": "answers.review_answer",
        "no_permission": "Only medical reviewers can approve answers.",
    },
    "send_back": {
        "label": "Send back to the editor",
        "from": {Answer.Status.IN_REVIEW},
        "to": Answer.Status.DRAFT,
        "permission": "answers.review_answer",
        "no_permission": "Only medical reviewers can send answers back.",
    },
    "withdraw": {
        "label": "Withdraw from the site",
        "from": set(Answer.Status),  # any status, as long as a version is live
        "to": Answer.Status.WITHDRAWN,
        "permission": "answers.withdraw_answer",
        "no_permission": "Only medical reviewers can withdraw answers.",
    },
}


def reference_entry(citation, uses):
    """One entry of the frozen reference list (its HTML already safe)."""
    source = citation.source
    letters = "abcdefghijklmnopqrstuvwxyz"
    return {
        "number": citation.number,
        "source_id": source.pk,
        "html": source.formatted,
        "locator": citation.locator,
        "evidence": source.get_evidence_type_display(),
        "doi_url": source.doi_url,
        "pubmed_url": source.pubmed_url,
        "link_url": "" if source.doi else source.link_url,
        # Back to each place the reference is cited: "↑" for one, "↑ a b c" for several.
        "backlinks": [
            {"anchor": f"cite-{citation.number}-{k}", "label": letters[k - 1] if uses > 1 else ""}
            for k in range(1, min(uses, len(letters)) + 1)
        ],
    }


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
    disclaimer_html = models.TextField(blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    reviewer_name = models.CharField(max_length=150)
    reviewer_credentials = models.CharField(max_length=100)
    reviewed_on = models.DateField(null=True)
    next_review_due = models.DateField(null=True)
    approved_at = models.DateTimeField(default=timezone.now)
    comment = models.TextField(blank=True)
    fingerprint = models.CharField(max_length=64)
    # For search: the research section as plain words (no Markdown, no marker numbers), and
    # PostgreSQL's stored, weighted vector of question, short answer and research (GIN-indexed).
    research_plain = models.TextField(blank=True, default="")
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["-approved_at"]
        get_latest_by = "approved_at"
        # "Recently reviewed" lists (home page, feed) read the newest approvals first.
        indexes = [models.Index(fields=["-approved_at"], name="version_approved_at_desc")]

    def __str__(self):
        return f"{self.question_text} (approved {self.reviewed_on})"

    def get_absolute_url(self):
        return self.answer.get_absolute_url()

    @property
    def is_overdue(self):
        return bool(self.next_review_due) and self.next_review_due < timezone.localdate()

    def refresh_search_vector(self):
        """Weighted A (question), B (short answer), C (research); PostgreSQL only."""
        if connection.vendor != "postgresql":
            return
        vector = (
            SearchVector("question_text", weight="A", config=SEARCH_CONFIG)
            + SearchVector("short_answer", weight="B", config=SEARCH_CONFIG)
            + SearchVector("research_plain", weight="C", config=SEARCH_CONFIG)
        )
        # The vector is derived data of a frozen version: no history to keep.
        PublishedVersion.objects.filter(pk=self.pk).update(search_vector=vector)

    def structured_data(self, url):
        """schema.org MedicalWebPage for this version (JSON-LD)."""
        data = {
            "@context": "https://schema.org",
            "@type": "MedicalWebPage",
            "name": self.question_text,
            "url": url,
            "description": self.short_answer,
            "datePublished": self.approved_at.date().isoformat(),
            "lastReviewed": self.reviewed_on.isoformat() if self.reviewed_on else None,
            "reviewedBy": {
                "@type": "Person",
                "name": self.reviewer_name,
                "honorificSuffix": self.reviewer_credentials,
            },
            "audience": {"@type": "MedicalAudience", "audienceType": "Patient"},
            "about": {"@type": "Thing", "name": self.topic_name},
            "citation": [
                {
                    "@type": "CreativeWork",
                    "name": strip_tags(ref["html"]),
                    **(
                        {"url": ref["doi_url"] or ref["link_url"]}
                        if ref["doi_url"] or ref["link_url"]
                        else {}
                    ),
                }
                for ref in self.references
            ],
        }
        return {key: value for key, value in data.items() if value is not None}


class Transition(models.Model):
    """One step of the editorial workflow, recorded for good: who, when, from, to, why."""

    ACTIONS = [
        ("submit", "Submitted for review"),
        ("approve", "Approved and published"),
        ("send_back", "Sent back to draft"),
        ("withdraw", "Withdrawn"),
        ("edit", "Edited after submission or approval"),
        ("restore", "Restored an earlier revision"),
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

    def __str__(self):
        return f"{self.get_action_display()} by {self.user} on {self.at:%Y-%m-%d %H:%M}"


class AnswerDueForReview(Answer):
    """Published answers whose medical review is due: a list of its own for reviewers."""

    class Meta:
        proxy = True
        verbose_name = "answer due for review"
        verbose_name_plural = "answers due for review"
