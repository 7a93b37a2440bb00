from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from answers import rendering
from citations.markers import check_citations, contains_markers


def markdown_limit():
    return MaxLengthValidator(settings.MARKDOWN_MAX_CHARS)


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
        validators=[markdown_limit()],
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


class Topic(models.Model):
    name = models.CharField(
        max_length=100, unique=True, help_text="As patients would say it, e.g. “Oncology”."
    )
    slug = models.SlugField(
        max_length=100, unique=True, help_text="The topic's web address: /topics/<slug>/."
    )
    description = models.TextField(
        blank=True,
        validators=[markdown_limit()],
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

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.description_html = rendering.render_plain_markdown(self.description)
        super().save(*args, **kwargs)


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


class AnswerQuerySet(models.QuerySet):
    def published(self):
        """The only answers patients may see. Every public path goes through this."""
        return self.filter(status=Answer.Status.PUBLISHED)

    def for_public_page(self):
        return self.published().select_related(
            "question__topic__disclaimer", "disclaimer", "reviewer"
        )


class Answer(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        PUBLISHED = "published", "Published"
        WITHDRAWN = "withdrawn", "Withdrawn"

    question = models.OneToOneField(Question, on_delete=models.PROTECT, related_name="answer")
    short_answer = models.TextField(
        validators=[markdown_limit()],
        help_text="A few plain-language sentences that answer the question directly. "
        "No citation markers here: the evidence goes in “What the research says”.",
    )
    research = models.TextField(
        "what the research says",
        validators=[markdown_limit()],
        help_text="Markdown. End each claim with the number of its citation in square "
        "brackets: [9], several as [9, 10] or a range as [9-11]. The numbers are the ones "
        "in the citations table below.",
    )
    doctor_questions = models.TextField(
        "what to ask your doctor",
        blank=True,
        validators=[markdown_limit()],
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
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="answers_written",
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="answers_reviewed",
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    last_reviewed_on = models.DateField("last clinically reviewed", null=True, blank=True)
    next_review_due = models.DateField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Derived from the Markdown fields by save(); never edited directly.
    short_answer_html = models.TextField(editable=False, default="")
    research_html = models.TextField(editable=False, default="")
    doctor_questions_html = models.TextField(editable=False, default="")

    history = HistoricalRecords(
        excluded_fields=["short_answer_html", "research_html", "doctor_questions_html"]
    )
    objects = AnswerQuerySet.as_manager()

    class Meta:
        ordering = ["question__text"]

    def __str__(self):
        return str(self.question)

    def save(self, *args, **kwargs):
        self.short_answer_html = rendering.render_plain_markdown(self.short_answer)
        self.research_html = rendering.render_markdown(self.research)
        self.doctor_questions_html = rendering.render_list(self.doctor_questions)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return self.question.get_absolute_url()

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
        return self.status == self.Status.PUBLISHED

    def effective_disclaimer(self):
        """The answer's own disclaimer, else its topic's, else the site default."""
        return self.disclaimer or self.question.topic.disclaimer or Disclaimer.objects.default()

    def disclaimer_html(self):
        disclaimer = self.effective_disclaimer()
        return disclaimer.render_for(self.question.topic.name) if disclaimer else ""

    def citation_problems(self, citations=None):
        """Marker/citation problems; `citations` as (number, source_id, label) tuples."""
        if citations is None:
            citations = [
                (c.number, c.source_id, str(c.source))
                for c in self.citations.select_related("source")
            ]
        return check_citations(self.research, citations)
