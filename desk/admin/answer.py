"""The answer's change list and change form. Its workflow and history pages are views in
`workflow` and `history`, wired by `AnswerAdmin.get_urls`."""

from functools import partial

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Count, OuterRef, Subquery
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from answers import languages, search, translation
from answers.attribution import uncited_blocks
from answers.models import Answer, Authorship, Comment
from citations.characters import strip_unprintable
from citations.models import Citation
from citations.revisions import RevisionAdmin
from desk import keep_typing, translating
from desk.admin import comments, history, sharing, translations, workflow
from desk.admin.paginators import CappedPaginator, IdsFirstPaginator
from desk.forms import AnswerForm, CitationFormSet
from desk.models import ReviewQueue


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
            ("behind", "Translation behind its original"),
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
            # The answer list's queryset is an AnswerQuerySet: the queue's knows reports.
            return queryset.filter(pk__in=ReviewQueue.objects.reported().values("pk"))
        if self.value() == "behind":
            return queryset.filter(pk__in=translation.behind().values("pk"))
        return queryset


@admin.register(Answer)
class AnswerAdmin(RevisionAdmin):
    form = AnswerForm
    inlines = [AuthorshipInline, CitationInline]
    change_form_template = "admin/answers/answer/change_form.html"
    list_display = [
        "question", "topic", "language", "status", "open_comments", "on_site", "next_review",
        "updated_at",
    ]  # fmt: skip
    list_filter = ["status", ReviewFilter, "question__language", "question__topic"]
    search_fields = ["question__text", "short_answer", "research"]
    # What the search box can do on this database (see `search_help_text`).
    SEARCH_HINTS = {
        "full text": "Words of the question, the short answer or the research "
        "(“quoted phrase”, -without).",
        # Django's own search: each word (or quoted phrase) as typed, anywhere in them.
        "like": "Any part of the question, the short answer or the research: every word "
        "typed must appear (“quoted words” together).",
    }
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
            open_threads = (
                Comment.objects.open()
                .filter(answer=OuterRef("pk"))
                .order_by()
                .values("answer")
                .annotate(count=Count("pk"))
                .values("count")
            )
            queryset = translating.with_translation_state(
                queryset.defer(*self.LIST_DEFERRED).annotate(
                    open_comment_count=Subquery(open_threads)
                )
            )
        return queryset

    @staticmethod
    def full_text_search():
        """PostgreSQL searches the draft's words; other databases (SQLite under `make run`)
        search with Django's LIKE."""
        return connection.vendor == "postgresql"

    @property
    def search_help_text(self):
        """The hint under the search box, for what this database's search can do: LIKE
        knows no minus, and finds any part of a word."""
        return self.SEARCH_HINTS["full text" if self.full_text_search() else "like"]

    def get_search_results(self, request, queryset, search_term):
        """On PostgreSQL, full-text search of the draft's text (an index: a LIKE over every
        answer's research reads it all) or the question's words; LIKE on SQLite. A search
        matching more than `ADMIN_SEARCH_MATCHES` answers lists the first ones and says so.
        A term PostgreSQL's full-text search refuses lists the questions that contain it."""
        term = " ".join(strip_unprintable(search_term).split())[:200]
        if not term or not self.full_text_search():
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

    @admin.display(ordering="question__language")
    def language(self, answer):
        """Its language and, for a translation, whether it says what its original's version
        on the site says."""
        name = languages.english_name(answer.question.language)
        if not answer.question.translation_of_id:
            return name
        if translating.is_listed_behind(answer):
            return format_html(
                "{} translation, <strong>behind its original</strong>: {}",
                name,
                translating.behind_reason(answer),
            )
        if answer.original_live_id is None:
            return f"{name} translation, original not on the site"
        return f"{name} translation, up to date"

    @admin.display(description="open comments")
    def open_comments(self, answer):
        count = getattr(answer, "open_comment_count", None) or 0
        if not count:
            return "—"
        url = reverse("admin:answers_answer_comments", args=[answer.pk])
        return format_html('<a href="{}">{}</a>', url, count)

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
        # The workflow and history pages are functions (workflow.py, history.py) given this
        # admin, whose permissions and context they use.
        def view(answer_view):
            return self.admin_site.admin_view(partial(answer_view, self))

        return [
            path(
                "<int:pk>/workflow/<str:action>/",
                view(workflow.transition_view),
                name="answers_answer_transition",
            ),
            path("<int:pk>/timeline/", view(history.timeline_view), name="answers_answer_timeline"),
            path(
                "<int:pk>/comments/", view(comments.comments_view), name="answers_answer_comments"
            ),
            path("<int:pk>/share/", view(sharing.share_view), name="answers_answer_share"),
            path(
                "<int:pk>/renumber/", view(workflow.renumber_view), name="answers_answer_renumber"
            ),
            path("<int:pk>/compare/", view(history.compare_view), name="answers_answer_compare"),
            path(
                "<int:pk>/translate/",
                view(translations.translate_view),
                name="answers_answer_translate",
            ),
            path(
                "<int:pk>/catch-up/",
                view(translations.catch_up_view),
                name="answers_answer_catch_up",
            ),
            path(
                "<int:pk>/restore/<int:history_id>/",
                view(history.restore_view),
                name="answers_answer_restore",
            ),
            *super().get_urls(),
        ]

    def answer_for(self, request, pk, change=False):
        """The answer of a workflow or history page, if this user may view (or change) it."""
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
            comments.add_panel(request, context, obj)
            translations.add_panels(request, context, obj)
        context["keep_typing"] = keep_typing.page_settings(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.author = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        answer = form.instance
        # What this person typed is saved: the copies kept of it go (desk/keep_typing.py).
        keep_typing.forget(request, answer, form.cleaned_data.get("edit_version"), added=not change)
        edit = answer.record_edit(request.user)
        if edit and edit.to_status == Answer.Status.IN_REVIEW:
            messages.warning(
                request,
                "The answer stays in review with your change. As you changed it, another "
                "medical reviewer must approve it (four eyes); its editors were told.",
            )
        elif edit:
            messages.warning(
                request,
                "Your change made this answer a draft again. Patients keep seeing the approved "
                "version until it is submitted again and a medical reviewer approves the new "
                "text."
                if answer.is_published
                else "Your change made this answer a draft again; submit it for review when ready.",
            )

    def response_add(self, request, obj, post_url_continue=None):
        return keep_typing.saved(request, super().response_add(request, obj, post_url_continue))

    def response_change(self, request, obj):
        return keep_typing.saved(request, super().response_change(request, obj))

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        for warning in getattr(formset, "citation_warnings", []):
            messages.warning(request, warning)
