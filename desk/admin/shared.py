"""The records that answers share and freeze: disclaimers, topics, questions, sources."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html

from answers import languages
from answers.models import Answer, Disclaimer, Question, Topic, TransitionError
from citations.admin import SourceAdmin as LibrarySourceAdmin
from citations.models import Source
from citations.revisions import RevisionAdmin
from desk.admin.base import answer_links, plural
from desk.forms import DisclaimerForm, TopicForm

# The language of a topic, disclaimer or question, and the original it translates (the
# model's clean() says on these fields what a translation group refuses).
LANGUAGE_FIELDSET = (
    "Language",
    {
        "fields": ["language", "translation_of"],
        "description": "A translation is a record of its own in its language, linked to the "
        "original it translates. “Translate into…” on an answer on the site makes the "
        "question, and the topic if needed, for you.",
    },
)


class SharedContentAdmin(RevisionAdmin):
    """Sources, questions, topics and disclaimers: records that live answers freeze.

    Saving one records an edit of every answer that shares it (see
    `AnswerQuerySet.record_shared_edit`) and tells the editor which published answers it
    affects; patients keep the approved text until each is approved again. The change
    page lists the answers waiting to be submitted again, with one button to submit them."""

    change_form_template = "admin/shared_content_change_form.html"

    @admin.display(description="language", ordering="language")
    def language_name(self, obj):
        return languages.english_name(obj.language)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not change:
            return
        obj = form.instance
        reason = f"Changed the {obj._meta.verbose_name} “{obj}”"[:100]
        differing, sent_back, kept = Answer.objects.sharing(obj).record_shared_edit(
            request.user, reason
        )
        if differing:
            messages.warning(
                request,
                format_html(
                    "This change affects {} on the site: {}. Each is a draft again, waiting to "
                    "be submitted for review (the list below submits them); patients keep "
                    "seeing the approved text until a medical reviewer approves it.",
                    plural(len(differing), "published answer"),
                    answer_links(differing),
                ),
            )
        if kept:
            messages.warning(
                request,
                format_html(
                    "{} stayed in review with your change: {}. As you changed {}, another "
                    "medical reviewer must approve {} (four eyes).",
                    plural(len(kept), "answer"),
                    answer_links(kept),
                    "it" if len(kept) == 1 else "them",
                    "it" if len(kept) == 1 else "them",
                ),
            )
        if sent_back:
            messages.warning(
                request,
                format_html(
                    "{} went back from review to draft: {}. Submit {} again when ready.",
                    plural(len(sent_back), "answer"),
                    answer_links(sent_back),
                    "it" if len(sent_back) == 1 else "them",
                ),
            )

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<int:pk>/submit-affected/",
                self.admin_site.admin_view(self.submit_affected_view),
                name="{}_{}_submit_affected".format(*info),
            ),
            *super().get_urls(),
        ]

    def waiting_answers(self, obj):
        return list(Answer.objects.sharing(obj).awaiting_resubmission().select_related("question"))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        extra_context = {
            **(extra_context or {}),
            "waiting_answers": self.waiting_answers(obj) if obj else [],
            "can_submit": request.user.has_perm("answers.submit_answer"),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def submit_affected_view(self, request, pk):
        obj = get_object_or_404(self.model, pk=pk)
        change_url = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[pk]
        )
        if request.method != "POST":
            return redirect(change_url)
        if not request.user.has_perm("answers.submit_answer"):
            raise PermissionDenied
        submitted, refused = [], []
        for answer in self.waiting_answers(obj):
            try:
                answer.submit(request.user, comment=f"After a change to “{obj}”"[:200])
            except TransitionError as error:
                refused.append((answer, " ".join(error.messages)))
            else:
                submitted.append(answer)
        if submitted:
            messages.success(
                request,
                format_html(
                    "Submitted {} for review: {}.",
                    plural(len(submitted), "answer"),
                    answer_links(submitted),
                ),
            )
        for answer, why in refused:
            messages.error(
                request, format_html("Not submitted: {}. {}", answer_links([answer]), why)
            )
        if not submitted and not refused:
            messages.info(request, "No answer was waiting to be submitted.")
        return redirect(change_url)


@admin.register(Disclaimer)
class DisclaimerAdmin(SharedContentAdmin):
    form = DisclaimerForm
    list_display = ["title", "language_name", "is_default", "updated_at"]
    list_filter = ["language", "is_default"]
    search_fields = ["title", "body"]
    fieldsets = [
        (None, {"fields": ["title", "body", "is_default"]}),
        LANGUAGE_FIELDSET,
    ]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "{topic}" not in obj.body:
            messages.warning(
                request,
                "This disclaimer does not mention {topic}, so it reads the same under every "
                "topic. Write {topic} where the topic's name should appear, if it should.",
            )

    def get_actions(self, request):
        # Deleting goes through the page below, which checks what relies on the disclaimer.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def delete_view(self, request, object_id, extra_context=None):
        disclaimer = self.get_object(request, object_id)
        refusal = disclaimer.deletion_refusal() if disclaimer else None
        if refusal:
            messages.error(request, refusal)
            return redirect("admin:answers_disclaimer_change", disclaimer.pk)
        return super().delete_view(request, object_id, extra_context)


@admin.register(Topic)
class TopicAdmin(SharedContentAdmin):
    form = TopicForm
    list_display = ["name", "slug", "language_name", "disclaimer", "question_count"]
    list_filter = ["language"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}
    list_select_related = ["disclaimer"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "description", "disclaimer"]}),
        LANGUAGE_FIELDSET,
    ]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).annotate(questions_total=Count("questions"))
        return queryset.order_by("name")

    @admin.display(description="questions", ordering="questions_total")
    def question_count(self, topic):
        return topic.questions_total


@admin.register(Question)
class QuestionAdmin(SharedContentAdmin):
    list_display = ["text", "topic", "language_name", "answer_status", "created_at"]
    list_filter = ["language", "topic"]
    search_fields = ["text", "slug"]
    list_select_related = ["topic", "answer"]
    prepopulated_fields = {"slug": ["text"]}
    # Questions are many: the original is looked up by its words.
    autocomplete_fields = ["translation_of"]
    fieldsets = [
        (None, {"fields": ["text", "slug", "topic"]}),
        LANGUAGE_FIELDSET,
    ]

    def get_readonly_fields(self, request, obj=None):
        # Its answer was written, reviewed and maybe published in this language, as the
        # translation of this original: moving it would put a reviewed text under another
        # language's address, or in another translation group, without a review.
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and Answer.objects.filter(question=obj).exists():
            readonly += ["language", "translation_of"]
        return readonly

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if "language" not in self.get_readonly_fields(request, obj):
            return fieldsets
        fixed = (
            "This question has an answer, written and reviewed in its language: its language "
            "and the original it translates no longer change. A question in another language "
            "is a translation of its own (“Translate into…” on the original's answer)."
        )
        return [
            (
                title,
                {**options, "description": fixed} if "language" in options["fields"] else options,
            )
            for title, options in fieldsets
        ]

    @admin.display(description="answer")
    def answer_status(self, question):
        answer = getattr(question, "answer", None)
        return answer.get_status_display() if answer else "Not answered yet"


# The library's own admin (citations/admin.py), with what answers add: saving a source
# tells the editor which answers cite it (citations never imports answers).
admin.site.unregister(Source)


@admin.register(Source)
class SourceAdmin(SharedContentAdmin, LibrarySourceAdmin):
    pass
