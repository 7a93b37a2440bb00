"""What answers are filed under and shown with: topics, disclaimers, questions."""

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from answers import languages, rendering


def language_field():
    return models.CharField(
        max_length=12,
        choices=languages.choices,
        # The setting's value, not a callable: a form shows a field with a callable default
        # with a hidden copy of its initial value, which may not carry the help text's aria.
        default=settings.LANGUAGE_CODE,
        help_text="The language it is written in. Patients read it at addresses in that "
        "language (the site's default language has no prefix; Spanish is under /es/).",
    )


def translation_of_field(model, noun):
    return models.ForeignKey(
        model,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="translations",
        limit_choices_to={"translation_of": None},
        help_text=f"The {noun} in the site's default language this one translates. Empty "
        f"for an original.",
    )


class Translatable(models.Model):
    """A record written in one language, and possibly the translation of an original in
    the site's default language: one original and at most one translation per language form
    a translation group."""

    class Meta:
        abstract = True

    def clean_translation(self):
        """The rules of a translation group, as field errors."""
        original = self.translation_of
        if original is None:
            return
        if original.pk == self.pk:
            raise ValidationError({"translation_of": "A record cannot translate itself."})
        if original.translation_of_id is not None:
            raise ValidationError(
                {"translation_of": "Choose the original, not another translation of it."}
            )
        if original.language == self.language:
            raise ValidationError(
                {
                    "language": f"The original is in {languages.english_name(self.language)} too: "
                    "a translation is in another language."
                }
            )
        taken = type(self).objects.filter(translation_of=original, language=self.language)
        if taken.exclude(pk=self.pk).exists():
            raise ValidationError(
                {
                    "language": f"“{original}” already has a translation into "
                    f"{languages.english_name(self.language)}."
                }
            )

    def group_original(self):
        return self.translation_of or self

    def in_language(self, code):
        """This record's counterpart in `code`: the original, or its translation."""
        original = self.group_original()
        if original.language == code:
            return original
        return original.translations.filter(language=code).first()


class DisclaimerQuerySet(models.QuerySet):
    def default(self, language=None):
        """The site default in `language` (None: the site's default language)."""
        return self.filter(is_default=True, language=language or languages.default()).first()


class Disclaimer(Translatable):
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
        help_text="Used for every answer in its language whose topic has no disclaimer of "
        "its own. Only one disclaimer in each language can be the site default.",
    )
    language = language_field()
    translation_of = translation_of_field("self", "disclaimer")
    body_html = models.TextField(editable=False, default="")
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["body_html"])
    objects = DisclaimerQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(
                fields=["language", "is_default"],
                condition=Q(is_default=True),
                name="one_default_disclaimer_per_language",
                violation_error_message="Another disclaimer in this language is already the "
                "site default; untick “site default” there first.",
            ),
            models.UniqueConstraint(
                fields=["translation_of", "language"], name="one_disclaimer_translation_each"
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.body_html = rendering.render_plain_markdown(self.body)
        super().save(*args, **kwargs)

    def clean(self):
        self.clean_translation()

    def deletion_refusal(self):
        """Why this disclaimer cannot be deleted now, or None."""
        Answer = apps.get_model("answers", "Answer")  # answers are filed under topics
        relying = Answer.objects.relying_on_default_disclaimer(self.language)
        if self.is_default and relying.exists():
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


class Topic(Translatable):
    name = models.CharField(max_length=100, help_text="As patients would say it, e.g. “Oncology”.")
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
        help_text="Shown under every answer in this topic. Leave empty to use the site "
        "default of the topic's language.",
    )
    language = language_field()
    translation_of = translation_of_field("self", "topic")
    description_html = models.TextField(editable=False, default="")

    history = HistoricalRecords(excluded_fields=["description_html"])
    objects = TopicQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["language", "name"],
                name="one_topic_name_per_language",
                violation_error_message="A topic of this name already exists in this language.",
            ),
            models.UniqueConstraint(
                fields=["translation_of", "language"], name="one_topic_translation_each"
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.description_html = rendering.render_plain_markdown(self.description)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        with languages.speaking(self.language):
            return reverse("public:topic", args=[self.slug])

    def clean(self):
        self.clean_translation()
        if self.disclaimer_id and self.disclaimer.language != self.language:
            raise ValidationError(
                {
                    "disclaimer": "Choose a disclaimer in the topic's language "
                    f"({languages.english_name(self.language)})."
                }
            )


class Question(Translatable):
    """A question as patients ask it; its answer is published at /ask/<slug>/ (in another
    language than the default, under its prefix: /es/ask/<slug>/). A translated question
    and its answer form, with the original, the question's translation group."""

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
    language = language_field()
    translation_of = translation_of_field("self", "question")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["text"]
        # Lists of answers are ordered by their question (the admin's, 100 at a time); a
        # page's ids come from this index and Answer's `answer_question_id` alone.
        indexes = [models.Index(fields=["text"], include=["id"], name="question_text_id")]
        constraints = [
            models.UniqueConstraint(
                fields=["translation_of", "language"], name="one_question_translation_each"
            ),
        ]

    def __str__(self):
        return self.text

    def get_absolute_url(self):
        with languages.speaking(self.language):
            return reverse("public:detail", args=[self.slug])

    def clean(self):
        self.clean_translation()
        if self.topic_id and self.topic.language != self.language:
            raise ValidationError(
                {
                    "topic": "Choose a topic in the question's language "
                    f"({languages.english_name(self.language)})."
                }
            )
