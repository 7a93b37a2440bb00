"""Reports as tasks: each has a status, who handles it and a note; patients' words are
shown as they wrote them, escaped, never as HTML or a link."""

from urllib.parse import quote

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator

from citations.revisions import ChangeReasonForm, RevisionAdmin
from reports.models import Report

CLOSED = {Report.Status.RESOLVED, Report.Status.DECLINED}


class ReportHandlingForm(ChangeReasonForm):
    """The team's side of a report: its status, who handles it, the note."""

    user = None  # set by ReportAdmin.get_form

    class Meta:
        model = Report
        fields = ["status", "handled_by", "note"]

    def clean(self):
        cleaned = super().clean()
        status = cleaned.get("status")
        if status in CLOSED and not (cleaned.get("note") or "").strip():
            self.add_error(
                "note",
                "Say what was found and done before you resolve or decline a report: the "
                "next person to read it, or a patient who asks, needs to know.",
            )
        closing = status in CLOSED and self.instance.status not in CLOSED
        if (
            closing
            and self.instance.needs_review
            and not self.user.has_perm("answers.review_answer")
        ):
            self.add_error(
                "status",
                "Only a medical reviewer can resolve or decline a report of a factual error "
                "or outdated content: it keeps the answer in the reviewers' queue until one "
                "has checked it. Set it to In progress and write what you found in the note.",
            )
        return cleaned


class OpenFilter(admin.SimpleListFilter):
    """Open reports first: the list opens on what still needs doing."""

    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("open", "Open (new or in progress)"),
            ("review", "Open, for a medical reviewer (factual error, out of date)"),
            ("closed", "Resolved or declined"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.open()
        if self.value() == "review":
            return queryset.needing_review()
        if self.value() == "closed":
            return queryset.exclude(status__in=Report.OPEN)
        return queryset


@admin.register(Report)
class ReportAdmin(RevisionAdmin):
    form = ReportHandlingForm
    list_display = ["created_at", "kind", "answer_question", "excerpt", "status", "handled_by"]
    list_display_links = ["created_at", "kind"]
    list_filter = [OpenFilter, "status", "kind", ("handled_by", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["answer__question", "handled_by"]
    search_fields = ["text", "answer__question__text", "note"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "answer_links", "version_read", "kind", "patients_words", "reply_to", "created_at",
        "updated_at",
    ]  # fmt: skip
    reported = ["answer_links", "version_read", "kind", "patients_words", "reply_to", "created_at"]
    fieldsets = [
        ("What the patient reported", {"fields": reported}),
        ("Handling", {"fields": ["status", "handled_by", "note", "updated_at"]}),
    ]

    def has_add_permission(self, request):
        return False  # reports come from patients, through the answer page

    @admin.display(description="answer", ordering="answer__question__text")
    def answer_question(self, report):
        return Truncator(report.answer.question.text).chars(60)

    @admin.display(description="what they wrote")
    def excerpt(self, report):
        return Truncator(" ".join(report.text.split())).chars(60)

    @admin.display(description="answer")
    def answer_links(self, report):
        answer = report.answer
        return format_html(
            '{} — <a href="{}">edit the answer</a> · <a href="{}">the page patients see</a>',
            answer.question.text,
            reverse("admin:answers_answer_change", args=[answer.pk]),
            answer.get_absolute_url(),
        )

    @admin.display(description="version they read")
    def version_read(self, report):
        version = report.version
        if version is None:
            return "—"
        approved = timezone.localtime(version.approved_at)
        live = report.answer.live_version_id == version.pk
        return format_html(
            "Approved {} by {}{}",
            f"{approved:%-d %B %Y}",
            version.reviewer_name or "—",
            "" if live else " (since replaced by a newer approval)",
        )

    @admin.display(description="what they wrote")
    def patients_words(self, report):
        return format_html('<div class="report-text">{}</div>', report.text)

    @admin.display(description="email for a reply")
    def reply_to(self, report):
        if not report.email:
            return "None given: they did not ask for a reply."
        # Quoted: an address may hold "?" or "&", which must not add headers (bcc=…).
        address = quote(report.email, safe="@")
        return format_html('<a href="mailto:{}">{}</a>', address, report.email)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.user = request.user
        return form

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "handled_by":  # the editorial team, not every account
            kwargs["queryset"] = get_user_model().objects.filter(is_staff=True, is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        # Whoever first moves a report on from New handles it, unless someone was named.
        if obj.status != Report.Status.NEW and obj.handled_by is None:
            obj.handled_by = request.user
        super().save_model(request, obj, form, change)
