from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator

from answers import readability, schedule, search
from answers.attribution import uncited_blocks
from answers.models import (
    Answer,
    Authorship,
    ContributorProfile,
    Disclaimer,
    PublishedVersion,
    Question,
    SitePolicy,
    Topic,
    Transition,
    TransitionError,
)
from answers.workflow import STEPS, UPDATE_NOTE_LENGTH
from citations.admin import SourceAdmin as LibrarySourceAdmin
from citations.characters import strip_unprintable
from citations.models import Citation, Source
from citations.revisions import RevisionAdmin
from desk.diffing import revision_diff
from desk.forms import AnswerForm, CitationFormSet, DisclaimerForm, SitePolicyForm, TopicForm
from desk.models import ReviewQueue
from reports.models import Report


def answer_links(answers):
    return format_html_join(
        ", ",
        '<a href="{}">{}</a>',
        ((reverse("admin:answers_answer_change", args=[a.pk]), a) for a in answers),
    )


def plural(count, word):
    return f"{count} {word}{'' if count == 1 else 's'}"


class SharedContentAdmin(RevisionAdmin):
    """Sources, questions, topics and disclaimers: records that live answers freeze.

    Saving one records an edit of every answer that shares it (see
    `AnswerQuerySet.record_shared_edit`) and tells the editor which published answers it
    affects; patients keep the approved text until each is approved again. The change
    page lists the answers waiting to be submitted again, with one button to submit them."""

    change_form_template = "admin/shared_content_change_form.html"

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not change:
            return
        obj = form.instance
        reason = f"Changed the {obj._meta.verbose_name} “{obj}”"[:100]
        differing, sent_back = Answer.objects.sharing(obj).record_shared_edit(request.user, reason)
        if differing:
            messages.warning(
                request,
                format_html(
                    "This change affects {} on the site: {}. Patients keep seeing the approved "
                    "text until a medical reviewer approves each again; they are in the "
                    "reviewers' queue.",
                    plural(len(differing), "published answer"),
                    answer_links(differing),
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
    list_display = ["title", "is_default", "updated_at"]
    list_filter = ["is_default"]
    search_fields = ["title", "body"]
    fieldsets = [(None, {"fields": ["title", "body", "is_default"]})]

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
class QuestionAdmin(SharedContentAdmin):
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


# The library's own admin (citations/admin.py), with what answers add: saving a source
# tells the editor which answers cite it (citations never imports answers).
admin.site.unregister(Source)


@admin.register(Source)
class SourceAdmin(SharedContentAdmin, LibrarySourceAdmin):
    pass


class CitationInline(admin.TabularInline):
    model = Citation
    formset = CitationFormSet
    fields = ["number", "source", "locator"]
    autocomplete_fields = ["source"]
    extra = 1
    verbose_name = "citation"
    verbose_name_plural = "Citations (the numbers used in “What the research says”)"


class AuthorshipInline(admin.TabularInline):
    model = Authorship
    fields = ["order", "contributor"]
    autocomplete_fields = ["contributor"]
    extra = 1
    verbose_name = "author"
    verbose_name_plural = "Authors (the writers named on the page, before the reviewer)"


class ReviewFilter(admin.SimpleListFilter):
    title = "medical review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [
            ("overdue", "Overdue"),
            ("due", "Due within 30 days or overdue"),
            ("flagged", "Cites a retracted or concerning source"),
            ("changed", "Changed since approval"),
            ("reported", "Reported by a patient as wrong or out of date"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "overdue":
            return queryset.overdue()
        if self.value() == "due":
            return queryset.due_for_review()
        if self.value() == "flagged":
            # Their ids first (2,139 of 100,000): a list walked in its order and testing
            # each answer's citations read 60,000 of them for a page (0.17 s).
            flagged = Answer.objects.citing_flagged_sources().values_list("pk", flat=True)
            return queryset.filter(pk__in=list(flagged))
        if self.value() == "changed":
            return queryset.changed_since_approval()
        if self.value() == "reported":
            return queryset.reported()
        return queryset


@admin.register(Answer)
class AnswerAdmin(RevisionAdmin):
    form = AnswerForm
    inlines = [AuthorshipInline, CitationInline]
    change_form_template = "admin/answers/answer/change_form.html"
    list_display = ["question", "topic", "status", "on_site", "next_review", "updated_at"]
    list_filter = ["status", ReviewFilter, "question__topic"]
    search_fields = ["question__text", "short_answer", "research"]
    search_help_text = (
        "Words of the question, the short answer or the research (“quoted phrase”, -without)."
    )
    list_select_related = ["question__topic", "live_version"]
    autocomplete_fields = ["question"]
    readonly_fields = [
        "status", "author", "created_at", "updated_at", "citation_check", "workflow_log",
    ]  # fmt: skip
    fieldsets = [
        (None, {"fields": ["question", "status"]}),
        (
            "The answer",
            {"fields": ["short_answer", "research", "doctor_questions", "citation_check"]},
        ),
        ("Disclaimer", {"fields": ["disclaimer"]}),
        ("About this answer", {"fields": ["author", "created_at", "updated_at"]}),
        ("Workflow log", {"fields": ["workflow_log"]}),
    ]

    # One count, not two: "N of M" would count every answer on each page.
    show_full_result_count = False
    # The change list shows none of the texts, nor the live version's frozen page.
    LIST_DEFERRED = [
        "short_answer", "research", "doctor_questions",
        "live_version__short_answer", "live_version__research",
        "live_version__doctor_questions", "live_version__short_answer_html",
        "live_version__research_html", "live_version__doctor_questions_html",
        "live_version__references", "live_version__disclaimer_html",
        "live_version__research_plain", "live_version__page_html",
        "live_version__search_vector", "live_version__authors", "live_version__updates",
        "live_version__reviewer_bio", "live_version__reviewer_disclosures",
    ]  # fmt: skip

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        match = request.resolver_match
        if match is not None and match.url_name == "answers_answer_changelist":
            queryset = queryset.defer(*self.LIST_DEFERRED)
        return queryset

    def get_search_results(self, request, queryset, search_term):
        """On PostgreSQL, full-text search of the draft's text (an index: a LIKE over every
        answer's research reads it all) or the question's words; LIKE on SQLite. A search
        matching more than `ADMIN_SEARCH_MATCHES` answers lists the first ones and says so.
        A term PostgreSQL's full-text search refuses lists the questions that contain it."""
        term = " ".join(strip_unprintable(search_term).split())[:200]
        if not term or connection.vendor != "postgresql":
            return super().get_search_results(request, queryset, search_term)
        try:
            with search.refusable(term, using=queryset.db):
                matches, request.search_capped = search.admin_matches(queryset, term)
        except search.SearchRefused:
            self.message_user(
                request,
                f"The answers’ text could not be searched for “{term}”: only the answers "
                "whose question contains it as typed are listed. Try other words.",
                messages.WARNING,
            )
            matches = queryset.filter(question__text__icontains=term)
        return matches, False

    def get_paginator(self, request, queryset, per_page, orphans=0, **kwargs):
        def rows(ids):  # without the filters again: the ids passed them
            answers = self.get_queryset(request).select_related(*self.list_select_related)
            return answers.filter(pk__in=ids)

        if getattr(request, "search_capped", False):
            # More than one page and more than "Show all" takes, or the admin would list
            # every match at once.
            listed = max(search.ADMIN_SEARCH_LISTED, self.list_max_show_all + 1, per_page + 1)
            return CappedPaginator(
                queryset, per_page, orphans, rows=rows,
                listed=listed, matched=search.ADMIN_SEARCH_MATCHES, **kwargs,
            )  # fmt: skip
        return IdsFirstPaginator(queryset, per_page, orphans, rows=rows, **kwargs)

    def response_action(self, request, queryset):
        # `queryset` is every match of the search, not the ones listed. "Select all" read
        # as Django's action form reads it ("1", "true", "on"…).
        across = forms.BooleanField(required=False).clean(request.POST.get("select_across"))
        if across and getattr(request, "search_capped", False):
            self.message_user(
                request,
                f"Select all is not available when more than {search.ADMIN_SEARCH_MATCHES:,} "
                "answers match: nothing was done. Add words to the search, or select the "
                "answers on the page.",
                messages.ERROR,
            )
            return None
        return super().response_action(request, queryset)

    @admin.display(ordering="question__topic__name")
    def topic(self, answer):
        return answer.question.topic

    @admin.display(description="on the site", boolean=True)
    def on_site(self, answer):
        return answer.is_published

    @admin.display(description="next review due", ordering="live_version__next_review_due")
    def next_review(self, answer):
        version = answer.live_version
        if not version or not version.next_review_due:
            return "—"
        if version.is_overdue:
            return format_html("<strong>Overdue since {}</strong>", version.next_review_due)
        return version.next_review_due

    @admin.display(description="citation check")
    def citation_check(self, answer):
        if not answer.pk:
            return "Checked when you save."
        lines = [(p.level.capitalize(), p.message) for p in answer.citation_problems()]
        for block in uncited_blocks(answer.research):
            if block.marked:
                lines.append(("Marked as needing no citation", f"“{block.excerpt}”"))
            else:
                lines.append(("Cites nothing (blocks submission)", f"“{block.excerpt}”"))
        if not lines:
            return (
                "Every marker has a citation, every citation is cited, and every paragraph "
                "cites a source."
            )
        return format_html(
            "<ul>{}</ul>", format_html_join("", "<li><strong>{}:</strong> {}</li>", lines)
        )

    @admin.display(description="steps so far")
    def workflow_log(self, answer):
        if not answer.pk:
            return "—"
        steps = answer.transitions.select_related("user")
        if not steps:
            return "No workflow steps yet."
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    timezone.localtime(step.at).strftime("%d %b %Y %H:%M"),
                    step.get_action_display(),
                    step.user.get_full_name() if step.user else "(system)",
                    step.comment,
                )
                for step in steps
            ),
        )
        return format_html(
            "<table><thead><tr><th>When</th><th>Step</th><th>Who</th><th>Comment</th></tr>"
            "</thead><tbody>{}</tbody></table>",
            rows,
        )

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/workflow/<str:action>/",
                view(self.transition_view),
                name="answers_answer_transition",
            ),
            path("<int:pk>/timeline/", view(self.timeline_view), name="answers_answer_timeline"),
            path("<int:pk>/renumber/", view(self.renumber_view), name="answers_answer_renumber"),
            path("<int:pk>/compare/", view(self.compare_view), name="answers_answer_compare"),
            path(
                "<int:pk>/restore/<int:history_id>/",
                view(self.restore_view),
                name="answers_answer_restore",
            ),
            *super().get_urls(),
        ]

    def _answer_for(self, request, pk, change=False):
        answer = get_object_or_404(Answer.objects.select_related("live_version", "question"), pk=pk)
        allowed = self.has_change_permission if change else self.has_view_permission
        if not allowed(request, answer):
            raise PermissionDenied
        return answer

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # Citation errors are found by the citations formset; show them on the text too,
        # where the editor typed the marker.
        form = context["adminform"].form
        for inline in context.get("inline_admin_formsets", []):
            for message in getattr(inline.formset, "citation_errors", []):
                form.add_error("research", message)
        if obj is not None:
            context["workflow"] = [
                {"action": action, "label": step.label, "refusal": refusal}
                for action, step, refusal in obj.available_transitions(request.user)
            ]
            context["differs_from_live"] = obj.differs_from_live()
            context["renumber_needed"] = any(p.code == "order" for p in obj.citation_problems())
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.author = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        answer = form.instance
        if answer.record_edit(request.user):
            messages.warning(
                request,
                "Your change made this answer a draft again. Patients keep seeing the approved "
                "version until a medical reviewer approves the new text."
                if answer.is_published
                else "Your change made this answer a draft again; submit it for review when ready.",
            )

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        for warning in getattr(formset, "citation_warnings", []):
            messages.warning(request, warning)

    def transition_view(self, request, pk, action):
        answer = self._answer_for(request, pk)
        step = STEPS.get(action)
        if step is None:
            raise Http404
        error, comment = "", request.POST.get("comment", "")
        update_note = request.POST.get("update_note", "") if action == "approve" else ""
        times = {}
        if action in ("approve", "set_expiry"):
            times = schedule.posted_times(request.POST if request.method == "POST" else {})
        if action == "set_expiry" and request.method != "POST":
            times = schedule.shown_times(answer)
        if request.method == "POST":
            try:
                answer.transition(
                    action,
                    request.user,
                    comment=comment,
                    expected_version=request.POST.get("version", ""),
                    update_note=update_note,
                    **schedule.parse_times(times),
                )
            except TransitionError as refused:
                # Shown above the form, with the comment kept: nothing typed is lost.
                error = " ".join(refused.messages)
                answer.refresh_from_db()
            else:
                answer.refresh_from_db()
                if action == "set_expiry":
                    messages.success(request, schedule.expiry_message(answer))
                elif answer.status == Answer.Status.SCHEDULED:
                    messages.success(request, schedule.scheduled_message(answer))
                else:
                    messages.success(request, f"{step.label}: done.")
                return redirect("admin:answers_answer_change", answer.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "answer": answer,
            "original": answer,
            "action": action,
            "step": step,
            "refusal": answer.refusal(action, request.user),
            "error": error,
            "comment": comment,
            "update_note": update_note,
            "times": times,
            "time_zones": schedule.TIME_ZONES,
            "marked_uncited": [b for b in uncited_blocks(answer.research) if b.marked],
            "reading_grades": readability.grade_answer(answer) if action == "approve" else [],
            "reading_target": settings.READING_GRADE_TARGET,
            "update_note_length": UPDATE_NOTE_LENGTH,
            "title": f"{step.label}: {answer}",
        }
        return TemplateResponse(request, "admin/answers/answer/transition.html", context)

    def renumber_view(self, request, pk):
        answer = self._answer_for(request, pk, change=True)
        if request.method != "POST":
            return redirect("admin:answers_answer_change", answer.pk)
        try:
            changed = answer.renumber_by_first_use(
                request.user, expected_version=request.POST.get("version", "")
            )
        except TransitionError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                "Citations renumbered by order of first use; the markers in the text match."
                if changed
                else "The citations were already numbered by order of first use.",
            )
        return redirect("admin:answers_answer_change", answer.pk)

    def timeline_view(self, request, pk):
        answer = self._answer_for(request, pk)
        revisions = list(
            answer.history.select_related("history_user").order_by("-history_date", "-history_id")
        )
        transitions = {t.revision: t for t in answer.transitions.select_related("user")}
        for revision in revisions:
            revision.transition = transitions.get(revision.history_id)
            revision.is_live = bool(answer.live_version) and (
                answer.live_version.answer_revision == revision.history_id
            )
        # By default, compare the newest revision with the live one (else the one before).
        live = answer.live_version.answer_revision if answer.live_version else None
        compare_from = live if live and live != revisions[0].history_id else None
        if compare_from is None and len(revisions) > 1:
            compare_from = revisions[1].history_id
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "answer": answer,
            "original": answer,
            "revisions": revisions,
            "compare_from": compare_from,
            "title": f"Revisions of “{answer}”",
        }
        return TemplateResponse(request, "admin/answers/answer/timeline.html", context)

    def compare_view(self, request, pk):
        answer = self._answer_for(request, pk)
        try:
            ids = sorted(int(request.GET[key]) for key in ("from", "to"))
        except (KeyError, ValueError):
            messages.error(request, "Pick two revisions to compare.")
            return redirect("admin:answers_answer_timeline", pk=answer.pk)
        old = get_object_or_404(answer.history, history_id=ids[0])
        new = get_object_or_404(answer.history, history_id=ids[1])
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "answer": answer,
            "original": answer,
            "old": old,
            "new": new,
            "diff": revision_diff(old, new),
            "title": f"Changes to “{answer}”",
        }
        return TemplateResponse(request, "admin/answers/answer/compare.html", context)

    def restore_view(self, request, pk, history_id):
        answer = self._answer_for(request, pk, change=True)
        record = get_object_or_404(answer.history, history_id=history_id)
        if request.method == "POST":
            try:
                not_restored = answer.restore(
                    record, request.user, expected_version=request.POST.get("version", "")
                )
            except TransitionError as error:
                messages.error(request, " ".join(error.messages))
                return redirect("admin:answers_answer_timeline", pk=answer.pk)
            messages.success(
                request,
                "The old revision is now the current draft. The live version is unchanged "
                "until a medical reviewer approves.",
            )
            for message in not_restored:
                messages.warning(request, message)
            return redirect("admin:answers_answer_change", answer.pk)
        current = answer.latest_revision()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "answer": answer,
            "original": answer,
            "record": record,
            "diff": revision_diff(current, record),
            "title": f"Restore an earlier revision of “{answer}”",
        }
        return TemplateResponse(request, "admin/answers/answer/restore.html", context)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Lists and records that can be read here, never added, changed or deleted."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class IdsFirstPaginator(Paginator):
    """Pages of a list whose rows are costly to join and sort: the page's ids are read in
    the list's order (from indexes, mostly), and then only those rows, by id, in that
    order. At 100,000 answers, page 100 of the answer list took 120 ms reading whole
    rows past the offset, 40 ms this way.

    `rows(ids)` reads the rows."""

    def __init__(self, object_list, per_page, *args, rows, **kwargs):
        super().__init__(object_list, per_page, *args, **kwargs)
        self.rows = rows

    def page_ids(self, start, stop):
        return list(self.object_list.values_list("pk", flat=True)[start:stop])

    def page(self, number):
        number = self.validate_number(number)
        start = (number - 1) * self.per_page
        stop = start + self.per_page
        if stop + self.orphans >= self.count:
            stop = self.count  # the last page takes the orphans
        page_ids = self.page_ids(start, stop)
        by_id = {row.pk: row for row in self.rows(page_ids)}
        # In the list's order, whichever column it is sorted by.
        return self._get_page([by_id[i] for i in page_ids if i in by_id], number, self)


class AllIdsFirstPaginator(IdsFirstPaginator):
    """IdsFirstPaginator for a list whose count costs as much as its ids: all the ordered
    ids are read once, and the count is their number."""

    @cached_property
    def ids(self):
        return list(self.object_list.values_list("pk", flat=True))

    @cached_property
    def count(self):
        return len(self.ids)

    def page_ids(self, start, stop):
        return self.ids[start:stop]


class CappedPaginator(IdsFirstPaginator):
    """Pages of the first `listed` rows of a list known to hold more than `matched`:
    nothing is counted, and the templates say so (templates/admin/answers/answer/)."""

    capped = True

    def __init__(self, object_list, per_page, *args, listed, matched, **kwargs):
        super().__init__(object_list, per_page, *args, **kwargs)
        self.count, self.matched = listed, matched


@admin.register(ReviewQueue)
class ReviewQueueAdmin(ReadOnlyAdmin):
    """Reviewers' list: published answers due for review, or citing a flagged source."""

    list_display = [
        "question_text", "reviewed_on", "next_review_due", "overdue", "flagged_sources",
        "changes", "open_reports_link",
    ]  # fmt: skip
    list_display_links = ["question_text"]
    list_select_related = ["question", "live_version"]
    list_filter = [ReviewFilter]  # My work links here, filtered
    ordering = ["live_version__next_review_due", "pk"]  # the most urgent first
    show_full_result_count = False
    search_fields = ["question__text"]

    def get_queryset(self, request):
        return self.with_row_details(super().get_queryset(request).needing_review())

    def get_paginator(self, request, queryset, per_page, orphans=0, **kwargs):
        # 19,000 answers due at 100,000: the ids and dates come from indexes alone (70
        # ms); joining and sorting the rows, then counting them, took 0.85 s.
        def rows(ids):
            answers = ReviewQueue.objects.filter(pk__in=ids)
            return self.with_row_details(answers).select_related(*self.list_select_related)

        return AllIdsFirstPaginator(queryset, per_page, orphans, rows=rows, **kwargs)

    def with_row_details(self, answers):
        """What each row shows: flagged citations, report counts; the most urgent first."""

        def count(reports):
            # A subquery per listed row: a join and GROUP BY would group every answer.
            per_answer = reports.filter(answer=OuterRef("pk")).order_by().values("answer")
            return Coalesce(Subquery(per_answer.annotate(n=Count("pk")).values("n")), 0)

        return (
            answers.defer(*AnswerAdmin.LIST_DEFERRED)
            .prefetch_related(
                Prefetch(
                    "citations",
                    queryset=Citation.objects.filter(source__retraction_status__in=Source.FLAGGED)
                    .select_related("source")
                    .only("number", "answer_id", "source__retraction_status"),
                    to_attr="flagged_citations",
                )
            )
            .annotate(
                open_reports=count(Report.objects.open()),
                reports_needing_review=count(Report.objects.needing_review()),
            )
            .order_by("live_version__next_review_due", "pk")
        )

    @admin.display(description="question", ordering="question__text")
    def question_text(self, answer):
        # Short enough that the columns a reviewer acts on stay on the screen.
        return Truncator(answer.question.text).chars(70)

    @admin.display(description="last reviewed", ordering="live_version__reviewed_on")
    def reviewed_on(self, answer):
        return answer.live_version.reviewed_on

    @admin.display(ordering="live_version__next_review_due")
    def next_review_due(self, answer):
        return answer.live_version.next_review_due

    @admin.display(boolean=True)
    def overdue(self, answer):
        return answer.live_version.is_overdue

    @admin.display(description="flagged source")
    def flagged_sources(self, answer):
        flagged = [
            f"[{c.number}] {c.source.get_retraction_status_display()}"
            for c in answer.flagged_citations  # prefetched
        ]
        return ", ".join(flagged) or "—"

    @admin.display(description="patient reports", ordering="open_reports")
    def open_reports_link(self, answer):
        if not answer.open_reports:
            return "—"
        url = reverse("admin:reports_report_changelist")
        return format_html(
            '<a href="{}?answer__id__exact={}&amp;state=open">{}</a>{}',
            url,
            answer.pk,
            plural(answer.open_reports, "open report"),
            f" ({answer.reports_needing_review} wrong or out of date)"
            if answer.reports_needing_review
            else "",
        )

    @admin.display(description="changed")
    def changes(self, answer):
        if answer.status == Answer.Status.PUBLISHED:
            return "—"
        return f"Yes: {answer.get_status_display().lower()}; patients see the approved version"

    def get_view_on_site_url(self, obj=None):
        return None if obj is None else reverse("admin:answers_answer_change", args=[obj.pk])


@admin.register(Transition)
class TransitionAdmin(ReadOnlyAdmin):
    """The workflow log: read-only, for good."""

    list_display = ["at", "answer", "action", "from_status", "to_status", "user", "comment"]
    list_filter = ["action", "to_status"]
    search_fields = ["answer__question__text", "comment", "user__username"]
    list_select_related = ["answer__question", "user"]
    date_hierarchy = "at"


@admin.register(SitePolicy)
class SitePolicyAdmin(RevisionAdmin):
    """The pages every footer links to: they can be edited, never added to or deleted."""

    form = SitePolicyForm
    list_display = ["title", "updated_at"]
    fieldsets = [(None, {"fields": ["body"]})]  # fieldsets: RevisionAdmin adds the reason

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ContributorProfile)
class ContributorProfileAdmin(RevisionAdmin):
    """Writers and medical reviewers, as patients read them on each page they are named on."""

    list_display = ["display_name", "credentials", "role", "declared", "user"]
    search_fields = ["display_name", "credentials", "role", "affiliation", "user__username"]
    fieldsets = [
        (None, {"fields": ["display_name", "credentials", "role", "affiliation", "bio"]}),
        ("Disclosure", {"fields": ["disclosures"]}),
        (
            "Account",
            {
                "fields": ["user", "email_notifications"],
                "description": "For reviewers and editors.",
            },
        ),
    ]

    @admin.display(boolean=True, description="conflicts declared")
    def declared(self, obj):
        return bool(obj.disclosures.strip())


@admin.register(PublishedVersion)
class PublishedVersionAdmin(ReadOnlyAdmin):
    """The audit record of each approval: exactly what was approved, read-only, with its
    fingerprint checked again, and as JSON to keep outside the site."""

    list_display = ["question_text", "approved_at", "reviewer_name", "live", "fingerprint_ok"]
    list_select_related = ["answer"]
    search_fields = ["question_text", "reviewer_name"]
    date_hierarchy = "approved_at"

    @admin.display(boolean=True, description="live now")
    def live(self, version):
        return version.answer.live_version_id == version.pk

    @admin.display(boolean=True, description="fingerprint matches")
    def fingerprint_ok(self, version):
        return version.fingerprint == version.content_fingerprint()

    def get_urls(self):
        audit_json = self.admin_site.admin_view(self.audit_json)
        return [
            path("<int:pk>/json/", audit_json, name="answers_publishedversion_json"),
            *super().get_urls(),
        ]

    def _version(self, request, pk):
        version = self.get_object(request, str(pk))
        if version is None or not self.has_view_permission(request, version):
            raise Http404
        return version

    def change_view(self, request, object_id, form_url="", extra_context=None):
        version = self._version(request, object_id)
        record = version.audit_record()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "version": version,
            "record": record,
            "matches": record["fingerprint"] == record["fingerprint_recomputed"],
            "title": f"Audit record: {version.question_text} (approved {version.reviewed_on})",
        }
        return TemplateResponse(request, "admin/answers/publishedversion/audit.html", context)

    def audit_json(self, request, pk):
        version = self._version(request, pk)
        response = JsonResponse(version.audit_record(), json_dumps_params={"indent": 1})
        response["Content-Disposition"] = (
            f'attachment; filename="qasite-approval-{version.pk}.json"'
        )
        return response
