"""What answers are filed under and shown with: topics, disclaimers, questions."""

from django.apps import apps
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from answers import rendering


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
        Answer = apps.get_model("answers", "Answer")  # answers are filed under topics
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
