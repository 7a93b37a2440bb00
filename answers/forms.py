from django import forms
from django.core.exceptions import ValidationError
from markdownx.widgets import AdminMarkdownxWidget

from answers.models import Answer, Disclaimer, Topic
from citations.markers import check_citations
from citations.revisions import ChangeReasonForm


class AnswerForm(ChangeReasonForm):
    class Meta:
        model = Answer
        fields = "__all__"
        widgets = {
            "short_answer": AdminMarkdownxWidget(attrs={"rows": 6}),
            "research": AdminMarkdownxWidget(attrs={"rows": 14}),
            "doctor_questions": forms.Textarea(attrs={"rows": 6, "class": "vLargeTextField"}),
        }


class DisclaimerForm(ChangeReasonForm):
    class Meta:
        model = Disclaimer
        fields = "__all__"
        widgets = {"body": AdminMarkdownxWidget(attrs={"rows": 4})}


class TopicForm(ChangeReasonForm):
    class Meta:
        model = Topic
        fields = "__all__"
        widgets = {"description": AdminMarkdownxWidget(attrs={"rows": 4})}


class CitationFormSet(forms.BaseInlineFormSet):
    """The answer's citations, checked against the markers in its research text."""

    def clean(self):
        super().clean()
        self.citation_errors, self.citation_warnings = [], []
        if any(self.errors):
            return
        citations = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if data.get("DELETE") or not data.get("source") or not data.get("number"):
                continue
            citations.append((data["number"], data["source"].pk, str(data["source"])))
        problems = check_citations(self.instance.research, citations)
        self.citation_errors = [problem.message for problem in problems if problem.is_error]
        if self.citation_errors:
            raise ValidationError(self.citation_errors)
        self.citation_warnings = [problem.message for problem in problems]
