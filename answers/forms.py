from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from markdownx.widgets import AdminMarkdownxWidget

from answers.models import Answer, Disclaimer, Topic, TransitionError
from answers.rendering import validate_markdown
from citations.forms import clean_text, hand_over_null_check
from citations.markers import CitedSource, check_citations
from citations.revisions import ChangeReasonForm


class MarkdownForm(ChangeReasonForm):
    """A form whose Markdown fields give the browser their length limit, so that the admin's
    script (static/js/form-limits.js) refuses an oversized paste before sending it. Never as
    maxlength: a browser cuts a paste there without a word."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self._meta.model._meta.concrete_fields:
            if field.name in self.fields and validate_markdown in field.validators:
                widget = self.fields[field.name].widget
                widget.attrs["data-max-chars"] = settings.MARKDOWN_MAX_CHARS


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
        if any(self.errors):
            return
        try:
            validate_markdown(self.instance.research)
        except ValidationError:
            return  # refused with its own message: not worth parsing for markers
        citations = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if data.get("DELETE") or not data.get("source") or not data.get("number"):
                continue
            source = data["source"]
            citations.append(
                CitedSource(data["number"], source.pk, str(source), source.retraction_status)
            )
        problems = check_citations(self.instance.research, citations)
        self.citation_errors = [problem.message for problem in problems if problem.blocks_saving]
        if self.citation_errors:
            raise ValidationError(self.citation_errors)
        # Retracted sources are errors too, but they block submission, not saving.
        self.citation_warnings = [problem.message for problem in problems]
