from functools import partial

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from markdownx.widgets import AdminMarkdownxWidget

from answers.models import Answer, Disclaimer, SitePolicy, Topic, TransitionError
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
        super().__init__(attrs)

    def add_markdownx_attrs(self, attrs):
        attrs = super().add_markdownx_attrs(attrs)
        attrs["data-markdownx-urls-path"] = f"{settings.MARKDOWNX_URLS_PATH}?field={self.section}"
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
