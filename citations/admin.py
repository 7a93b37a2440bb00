from django.contrib import admin, messages
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from citations.formatting import format_reference
from citations.forms import ImportForm
from citations.importers import ImportFailed, read_export
from citations.lookups import LookupFailed, identifiers_in, lookup_identifiers
from citations.models import Source
from citations.revisions import RevisionAdmin

IMPORT_SALT = "citations.import"


@admin.register(Source)
class SourceAdmin(RevisionAdmin):
    change_list_template = "admin/citations/source/change_list.html"
    # An editor who pastes "www.example.org/…" means https.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = [
        "title", "first_author", "year", "container_title", "evidence_type",
        "retraction_status", "cited_in",
    ]  # fmt: skip
    list_filter = ["evidence_type", "retraction_status", "kind", "year"]
    search_fields = ["title", "authors", "container_title", "journal_abbreviation", "doi", "pmid"]
    readonly_fields = [
        "reference_preview", "cited_in_answers", "publication_types",
        "retraction_checked_at", "created_at", "updated_at",
    ]  # fmt: skip
    fieldsets = [
        (None, {"fields": ["kind", "authors", "title", "container_title", "journal_abbreviation"]}),
        ("Where in the journal", {"fields": ["year", "volume", "issue", "pages"]}),
        ("Identifiers", {"fields": ["doi", "pmid", "url"]}),
        (
            "For patients",
            {"fields": ["evidence_type", "publication_types", "reference_preview"]},
        ),
        (
            "Retractions and corrections",
            {"fields": ["retraction_status", "retraction_notice_url", "retraction_checked_at"]},
        ),
        ("Where it is cited", {"fields": ["cited_in_answers"]}),
        ("Internal", {"fields": ["notes", "created_at", "updated_at"]}),
    ]

    def get_queryset(self, request):
        # GROUP BY drops the model's default ordering; keep lists and autocomplete stable.
        queryset = super().get_queryset(request)
        queryset = queryset.annotate(answer_count=Count("citations__answer", distinct=True))
        return queryset.order_by("title")

    @admin.display(description="first author", ordering="authors")
    def first_author(self, source):
        return source.authors.split(";")[0].strip()

    @admin.display(description="cited in", ordering="answer_count")
    def cited_in(self, source):
        count = source.answer_count
        return f"{count} answer{'s' if count != 1 else ''}"

    @admin.display(description="as patients will see it")
    def reference_preview(self, source):
        # `formatted` is the formatter's escaped HTML, shown as patients see it (italics too).
        return mark_safe(source.formatted) if source.pk else "Shown once the source is saved."

    @admin.display(description="cited in")
    def cited_in_answers(self, source):
        citations = source.citations.select_related("answer__question").order_by("answer_id")
        answers = {c.answer_id: c.answer for c in citations}
        if not answers:
            return "Not cited in any answer yet."
        links = format_html_join(
            "",
            '<li><a href="{}">{}</a></li>',
            (
                (reverse("admin:answers_answer_change", args=[pk]), answer)
                for pk, answer in answers.items()
            ),
        )
        count = len(answers)
        return format_html("{} answer{}:<ul>{}</ul>", count, "" if count == 1 else "s", links)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("import/", view(self.import_view), name="citations_source_import"),
            *super().get_urls(),
        ]

    def import_view(self, request):
        """Paste identifiers or an export; confirm what was found; save the chosen records."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method == "POST" and "payload" in request.POST:
            return self._save_imported(request)
        form = ImportForm(request.POST or None)
        records, problems = [], []
        if request.method == "POST" and form.is_valid():
            records, problems = self._read(form.cleaned_data["references"])
        rows = [self._preview_row(index, record) for index, record in enumerate(records)]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Import references",
            "form": form,
            "rows": rows,
            "problems": problems,
            "payload": signing.dumps(records, salt=IMPORT_SALT, compress=True) if rows else "",
        }
        return TemplateResponse(request, "admin/citations/source/import.html", context)

    def _read(self, text):
        try:
            identifiers = identifiers_in(text)
            if identifiers:
                return lookup_identifiers(*identifiers)
            return read_export(text), []
        except (ImportFailed, LookupFailed) as error:
            return [], [str(error)]

    def _preview_row(self, index, record):
        source = Source(**record)
        existing = Source.objects.same_as(record["doi"], record["pmid"])
        return {
            "index": index,
            "record": record,
            "formatted": format_reference(source),
            "evidence": source.get_evidence_type_display(),
            "retraction": source.get_retraction_status_display()
            if record["retraction_status"]
            else "",  # fmt: skip
            "existing": existing,
        }

    def _save_imported(self, request):
        try:
            records = signing.loads(request.POST["payload"], salt=IMPORT_SALT)
        except signing.BadSignature:
            messages.error(request, "The import form was changed or is too old; start again.")
            return redirect("admin:citations_source_import")
        chosen = {int(i) for i in request.POST.getlist("chosen") if i.isdigit()}
        saved, refused = [], []
        for index, record in enumerate(records):
            if index not in chosen:
                continue
            source = Source(**record)
            try:
                source.full_clean()
            except ValidationError as error:
                refused.append((record.get("title") or "(untitled)", error.messages))
                continue
            source._change_reason = "Imported"
            source.save()
            saved.append(source)
        if saved:
            messages.success(
                request,
                format_html(
                    "Added {} source{}: {}",
                    len(saved),
                    "" if len(saved) == 1 else "s",
                    format_html_join(
                        ", ", '<a href="{}">{}</a>', ((s.get_absolute_url(), s) for s in saved)
                    ),
                ),
            )
        for title, errors in refused:
            messages.warning(request, format_html("Not added: “{}”. {}", title, " ".join(errors)))
        if not saved and not refused:
            messages.info(request, "Nothing was chosen, so nothing was added.")
        return redirect("admin:citations_source_changelist")
