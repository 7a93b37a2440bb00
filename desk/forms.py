from functools import partial
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from markdownx.widgets import AdminMarkdownxWidget

from answers import languages, translation
from answers.models import (
    Answer,
    ContributorProfile,
    Disclaimer,
    Question,
    SitePolicy,
    Topic,
    TransitionError,
)
from answers.rendering import validate_markdown
from citations.forms import CleanTextMixin, clean_text, hand_over_null_check
from citations.markers import CitedSource, check_citations
from citations.revisions import ChangeReasonForm


class MarkdownForm(ChangeReasonForm):
    """A form whose Markdown fields are held to their limits (`validate_markdown`) as each
    field is cleaned, before anything reads the text.

    Checked only by the model, a refused text would first be put on the instance, and then
    the model's clean(), the citation checks and the change form shown again (its citation
    check, whether it differs from the live version) would all parse it: seconds for a
    megabyte. Refused here, it never reaches the instance, and the form shows it back as
    typed, with the message on its field.

    The browser gets each limit too, so that the admin's script (static/js/form-limits.js)
    refuses an oversized paste before sending it. Never as maxlength: a browser cuts a
    paste there without a word."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self._meta.model._meta.concrete_fields:
            if field.name in self.fields and validate_markdown in field.validators:
                self.hold_to_markdown_limits(self.fields[field.name])

    @staticmethod
    def hold_to_markdown_limits(field):
        # A field's own max_length (a site policy's) is one more limit on the same count:
        # one message for both, not Django's "Ensure this value has at most …" as well.
        limit = min(field.max_length or settings.MARKDOWN_MAX_CHARS, settings.MARKDOWN_MAX_CHARS)
        field.validators = [
            partial(validate_markdown, max_chars=limit),
            *(v for v in field.validators if not isinstance(v, MaxLengthValidator)),
        ]
        field.widget.attrs.pop("maxlength", None)
        field.widget.attrs["data-max-chars"] = limit


class SectionWidget(AdminMarkdownxWidget):
    """An answer section's editor: its live preview also shows the section's reading grade
    (answers/readability.py) and, for the research, the paragraphs that cite nothing
    (answers/attribution.py)."""

    def __init__(self, section, attrs=None):
        self.section = section
        # The answer's language (AnswerForm sets it): its grade is the formula and target of
        # that language. None: the site's default, as for a new answer.
        self.language = None
        super().__init__(attrs)

    def add_markdownx_attrs(self, attrs):
        attrs = super().add_markdownx_attrs(attrs)
        query = {"field": self.section}
        if self.language:
            query["language"] = self.language
        attrs["data-markdownx-urls-path"] = f"{settings.MARKDOWNX_URLS_PATH}?{urlencode(query)}"
        return attrs


class AnswerForm(MarkdownForm):
    # The version the editor started from: a save based on an older one is refused.
    edit_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Answer
        fields = ["question", "short_answer", "research", "doctor_questions", "disclaimer"]
        widgets = {
            "short_answer": SectionWidget("short_answer", attrs={"rows": 6}),
            "research": SectionWidget("research", attrs={"rows": 14}),
            "doctor_questions": SectionWidget("doctor_questions", attrs={"rows": 6}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["edit_version"].initial = self.instance.version
            for name in ("short_answer", "research", "doctor_questions"):
                self.fields[name].widget.language = self.instance.question.language

    def clean(self):
        cleaned = super().clean()
        # A refused research text never reaches the instance, which keeps the stored one:
        # the citations formset, cleaned next, must not check markers in that instead.
        self.instance._research_refused = self.has_error("research")
        if self.instance.pk:
            self.refuse_stale_save(cleaned.get("edit_version"))
        return cleaned

    def refuse_stale_save(self, started_from):
        # The admin runs this inside its transaction: the row stays locked until saved.
        try:
            current = self.instance.locked("" if started_from is None else started_from)
        except TransitionError as error:
            # The next save is based on what is now stored: the editor has been told.
            self.data = self.data.copy()
            self.data[self.add_prefix("edit_version")] = Answer.objects.get(
                pk=self.instance.pk
            ).version
            raise ValidationError(
                [*error.messages, "Your text is still in the form below."]
            ) from None
        return current


class AutosaveForm(CleanTextMixin, forms.Form):
    """An unsaved text of the answer's change form, sent by its script (desk.Autosave): held
    to the change form's own limits, so that what is kept can be saved later. Texts are kept
    as typed (not stripped); line endings are normalised."""

    short_answer = forms.CharField(label="The short answer", required=False, strip=False)
    research = forms.CharField(label="What the research says", required=False, strip=False)
    doctor_questions = forms.CharField(label="What to ask your doctor", required=False, strip=False)
    change_reason = forms.CharField(
        label="Reason for this change", required=False, strip=False, max_length=100
    )
    started_from = forms.IntegerField(
        label="The version it started from", min_value=1, max_value=2**31 - 1
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("short_answer", "research", "doctor_questions"):
            MarkdownForm.hold_to_markdown_limits(self.fields[name])

    def texts(self):
        """The texts sent: the script sends only the fields the person changed."""
        return {
            name: self.cleaned_data[name]
            for name in self.fields
            if name != "started_from" and name in self.data
        }

    def refusal(self):
        """What is wrong, in one sentence a field at a time: "What the research says: This
        text contains a character that cannot be shown on a page (U+0007) at …"."""
        labels = {name: field.label for name, field in self.fields.items()}
        return " ".join(
            f"{labels.get(name, 'The text')}: {message}"
            for name, messages in self.errors.items()
            for message in messages
        )


class DisclaimerForm(MarkdownForm):
    class Meta:
        model = Disclaimer
        fields = "__all__"
        widgets = {"body": AdminMarkdownxWidget(attrs={"rows": 4})}


class TopicForm(MarkdownForm):
    class Meta:
        model = Topic
        fields = "__all__"
        widgets = {"description": AdminMarkdownxWidget(attrs={"rows": 4})}


class SitePolicyForm(MarkdownForm):
    class Meta:
        model = SitePolicy
        fields = "__all__"


class CitationFormSet(forms.BaseInlineFormSet):
    """The answer's citations, checked against the markers in its research text."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        hand_over_null_check(form)

    def clean(self):
        super().clean()
        self.citation_errors, self.citation_warnings = [], []
        for form in self.forms:
            if hasattr(form, "cleaned_data") and not self._should_delete_form(form):
                clean_text(form)
        if any(self.errors) or getattr(self.instance, "_research_refused", False):
            return  # the research was refused with its own message (AnswerForm.clean)
        try:
            validate_markdown(self.instance.research)
        except ValidationError:
            return  # refused with its own message: not worth parsing for markers
        citations = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if data.get("DELETE") or not data.get("source") or not data.get("number"):
                continue
            citations.append(CitedSource.citing(data["number"], data["source"]))
        problems = check_citations(self.instance.research, citations)
        self.citation_errors = [problem.message for problem in problems if problem.blocks_saving]
        if self.citation_errors:
            raise ValidationError(self.citation_errors)
        # Retracted, uncited or untyped sources are errors too, but they block submission
        # and approval, not saving: a draft may be mid-edit.
        self.citation_warnings = [problem.message for problem in problems]


def language_label(code):
    """A language as the admin's choices name it: "Spanish (Español)", "English"."""
    english, own = languages.english_name(code), languages.name(code)
    return english if english == own else f"{english} ({own})"


class TranslateForm(CleanTextMixin, forms.Form):
    """What "Translate into…" asks for to start translating an answer on the site
    (answers/translation.py `start`): the texts to translate come from the original's
    approved version; these are the records in the new language the draft is filed under."""

    required_css_class = "required"  # the admin's bold labels

    language = forms.ChoiceField(
        label="Translate into",
        help_text="The languages it has no translation into yet.",
        error_messages={
            "invalid_choice": "It has a translation into this language already: open that "
            "translation, or choose another language."
        },
    )
    question = forms.CharField(
        label="The question, translated",
        max_length=300,
        help_text="In the patient's words in that language, ending with a question mark "
        "(¿…? in Spanish). It is the translated page's title.",
        widget=forms.TextInput(attrs={"size": 80}),
    )
    slug = forms.SlugField(
        label="Slug",
        max_length=200,
        allow_unicode=False,
        help_text="The end of the translated page's address, in that language's words, as "
        "in /es/ask/this-question/. Letters a-z, digits and hyphens.",
        widget=forms.TextInput(attrs={"size": 60}),
    )
    topic_name = forms.CharField(
        label="The topic's name, translated",
        max_length=100,
        required=False,  # for the languages the topic has no name in (see `clean`)
        widget=forms.TextInput(attrs={"size": 40}),
    )

    # start()'s field errors, by the field that shows them here.
    FIELD_OF = {
        "text": "question",
        "slug": "slug",
        "topic_name": "topic_name",
        "name": "topic_name",
    }

    def __init__(self, *args, original, **kwargs):
        super().__init__(*args, **kwargs)
        missing = translation.missing_languages(original)
        self.fields["language"].choices = [(code, language_label(code)) for code in missing]
        self.topic = topic = original.question.topic
        # The languages the topic has no name in: the form asks for one only for those.
        self.topic_missing = [
            code for code in missing if translation.counterpart(topic, code) is None
        ]
        if not self.topic_missing:
            del self.fields["topic_name"]  # the topic has a name in every language offered
            return
        self.fields["topic_name"].widget.attrs["data-needed-for"] = " ".join(self.topic_missing)
        self.fields["topic_name"].help_text = (
            f"The topic “{topic}” has no name in this language yet: give it one, as patients "
            "would say it. Needed once per language."
        )

    def clean_slug(self):
        # start() checks it too; here, so that the form says everything wrong at once.
        slug = self.cleaned_data["slug"]
        if Question.objects.filter(slug=slug).exists():
            raise ValidationError(
                "Another question's page already has this address: choose another slug."
            )
        return slug

    def clean(self):
        cleaned = super().clean()
        language = cleaned.get("language")
        if language in self.topic_missing and not cleaned.get("topic_name", "").strip():
            self.add_error(
                "topic_name",
                f"The topic “{self.topic}” has no {languages.english_name(language)} name yet: "
                "give it one.",
            )
        return cleaned

    def refused(self, error):
        """Show `error` (a ValidationError from `start`) on the fields it is about."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, errors in error.error_dict.items():
            field = self.FIELD_OF.get(name)
            field = field if field in self.fields else None
            for message in errors:
                self.add_error(field, message)


class ContributorProfileForm(ChangeReasonForm):
    """A writer's or reviewer's profile; the languages they review in as checkboxes of the
    site's languages (stored as a list of codes).

    Those languages decide who may approve a translation, so they are granted, not chosen:
    only someone allowed to assign them (a superuser, or whoever an administrator gave
    `answers.assign_review_languages`) changes them, and a non-superuser never on their own
    profile. To anyone else the checkboxes are shown disabled: a disabled field keeps the
    stored value whatever is posted."""

    assigner = None  # who uses the form: ContributorProfileAdmin.get_form sets it

    languages = forms.MultipleChoiceField(
        label="Reviews in",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=ContributorProfile._meta.get_field("languages").help_text,
    )

    class Meta:
        model = ContributorProfile
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The choices of now, not of import time: tests and settings may change the list.
        field = self.fields["languages"]
        field.choices = [(code, language_label(code)) for code in languages.codes()]
        if not self.may_assign_languages():
            field.disabled = True
            field.help_text = (
                f"{field.help_text} Only an administrator (someone allowed to assign review "
                "languages) can change them, and not on their own profile."
            )

    def may_assign_languages(self):
        user = self.assigner
        if user is None or not user.has_perm("answers.assign_review_languages"):
            return False
        return user.is_superuser or self.instance.user_id != user.pk

    def clean(self):
        cleaned = super().clean()
        # Linking one's own account to a profile that reviews in more than the default
        # language would give oneself those languages.
        user, reviews_in = self.assigner, cleaned.get("languages") or []
        becomes_own = (
            user is not None and cleaned.get("user") == user and self.instance.user_id != user.pk
        )
        extra = [code for code in reviews_in if code != languages.default()]
        if becomes_own and extra and not user.is_superuser:
            names = ", ".join(languages.english_name(code) for code in extra)
            self.add_error(
                "user",
                f"This profile reviews in {names}: only an administrator can link it to your "
                "own account, since the languages a reviewer reviews in are granted, not chosen.",
            )
        return cleaned
