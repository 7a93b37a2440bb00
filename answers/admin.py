from django.contrib import admin, messages
from django.db.models import Count
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from answers.forms import AnswerForm, CitationFormSet, DisclaimerForm, TopicForm
from answers.models import Answer, Disclaimer, Question, Topic
from citations.models import Citation
from citations.revisions import RevisionAdmin


@admin.register(Disclaimer)
class DisclaimerAdmin(RevisionAdmin):
    form = DisclaimerForm
    list_display = ["title", "is_default", "updated_at"]
    list_filter = ["is_default"]
    search_fields = ["title", "body"]
    fieldsets = [(None, {"fields": ["title", "body", "is_default"]})]


@admin.register(Topic)
class TopicAdmin(RevisionAdmin):
    form = TopicForm
    list_display = ["name", "slug", "disclaimer", "question_count"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}
    list_select_related = ["disclaimer"]
    fieldsets = [(None, {"fields": ["name", "slug", "description", "disclaimer"]})]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).annotate(questions_total=Count("questions"))
        return queryset.order_by("name")

    @admin.display(description="questions", ordering="questions_total")
    def question_count(self, topic):
        return topic.questions_total


@admin.register(Question)
class QuestionAdmin(RevisionAdmin):
    list_display = ["text", "topic", "answer_status", "created_at"]
    list_filter = ["topic"]
    search_fields = ["text", "slug"]
    list_select_related = ["topic", "answer"]
    prepopulated_fields = {"slug": ["text"]}
    fieldsets = [(None, {"fields": ["text", "slug", "topic"]})]

    @admin.display(description="answer")
    def answer_status(self, question):
        answer = getattr(question, "answer", None)
        return answer.get_status_display() if answer else "Not answered yet"


class CitationInline(admin.TabularInline):
    model = Citation
    formset = CitationFormSet
    fields = ["number", "source", "locator"]
    autocomplete_fields = ["source"]
    extra = 1
    verbose_name = "citation"
    verbose_name_plural = "Citations (the numbers used in “What the research says”)"


@admin.register(Answer)
class AnswerAdmin(RevisionAdmin):
    form = AnswerForm
    inlines = [CitationInline]
    list_display = ["question", "topic", "status", "author", "last_reviewed_on", "updated_at"]
    list_filter = ["status", "question__topic"]
    search_fields = ["question__text", "short_answer", "research"]
    list_select_related = ["question__topic", "author"]
    autocomplete_fields = ["question"]
    readonly_fields = ["author", "published_at", "created_at", "updated_at", "citation_check"]
    fieldsets = [
        (None, {"fields": ["question", "status"]}),
        (
            "The answer",
            {"fields": ["short_answer", "research", "doctor_questions", "citation_check"]},
        ),
        ("Disclaimer", {"fields": ["disclaimer"]}),
        (
            "Review",
            {
                "fields": [
                    "reviewer",
                    "last_reviewed_on",
                    "next_review_due",
                    "author",
                    "published_at",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
    ]

    @admin.display(ordering="question__topic__name")
    def topic(self, answer):
        return answer.question.topic

    @admin.display(description="citation check")
    def citation_check(self, answer):
        if not answer.pk:
            return "Checked when you save."
        problems = answer.citation_problems()
        if not problems:
            return "Every marker has a citation and every citation is cited."
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li><strong>{}:</strong> {}</li>",
                ((p.level.capitalize(), p.message) for p in problems),
            ),
        )

    def render_change_form(self, request, context, *args, **kwargs):
        # Citation errors are found by the citations formset; show them on the text too,
        # where the editor typed the marker.
        form = context["adminform"].form
        for inline in context.get("inline_admin_formsets", []):
            for message in getattr(inline.formset, "citation_errors", []):
                form.add_error("research", message)
        return super().render_change_form(request, context, *args, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.author = request.user
        if obj.is_published and not obj.published_at:
            obj.published_at = timezone.now()
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        for warning in getattr(formset, "citation_warnings", []):
            messages.warning(request, warning)
