import json

from django.contrib import admin, messages
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from citations.formatting import format_reference, rich_text, split_names
from citations.forms import ImportForm
from citations.importers import ImportFailed, read_export
from citations.lookups import LookupFailed, identifiers_in, lookup_identifiers
from citations.models import Citation, Source
from citations.revisions import RevisionAdmin

IMPORT_SALT = "citations.import"


class RecordsSerializer:
    """The records signed into the import's confirmation form, their dates as ISO text
    (the form's `full_clean` reads them back as dates)."""

    def dumps(self, records):
        return json.dumps(records, separators=(",", ":"), cls=DjangoJSONEncoder).encode()

    def loads(self, data):
        return json.loads(data.decode())


IMPORT_FORMATS = {
    "crossref": "Crossref (looked up by DOI)",
    "pubmed-xml": "PubMed (looked up by PMID)",
    "ris": "A RIS export",
    "bibtex": "A BibTeX export",
    "medline": "A PubMed MEDLINE export",
    "csl-json": "A CSL-JSON export",
}


@admin.register(Source)
class SourceAdmin(RevisionAdmin):
    change_list_template = "admin/citations/source/change_list.html"
    # An editor who pastes "www.example.org/…" means https.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = [
        "reference_title", "first_author", "year", "container_title", "evidence_type",
        "retraction_status", "cited_in",
    ]  # fmt: skip
    list_filter = ["evidence_type", "retraction_status", "kind", "year"]
    search_fields = ["title", "authors", "container_title", "journal_abbreviation", "doi", "pmid"]
    readonly_fields = [
        "reference_preview", "cited_in_answers", "publication_types", "imported_from",
        "retraction_checked_at", "created_at", "updated_at",
    ]  # fmt: skip
    # A fieldset marked "for-<kind>" is shown only for those kinds, or when it holds a value
    # (static/citations/source_kinds.js): a web page's form asks nothing of a book's.
    fieldsets = [
        (None, {"fields": ["kind", "authors", "title", "container_title", "journal_abbreviation"]}),
        ("Date", {"fields": [("year", "month", "day"), "published_online"]}),
        (
            "Volume, issue and pages",
            {
                "fields": ["volume", "issue", "pages"],
                "classes": [
                    "for-article-journal",
                    "for-chapter",
                    "for-paper-conference",
                    "for-book",
                ],
            },
        ),
        (
            "Book, chapter or proceedings",
            {
                "fields": ["editors", "edition", "publisher", "publisher_place"],
                "classes": ["for-book", "for-chapter", "for-paper-conference", "for-report"],
            },
        ),
        (
            "Conference",
            {"fields": ["event", "event_place"], "classes": ["for-paper-conference", "for-speech"]},
        ),
        ("Report", {"fields": ["number"], "classes": ["for-report"]}),
        ("Identifiers and link", {"fields": ["doi", "pmid", "url", "accessed", "imported_from"]}),
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
        # The answers citing each source, counted for the rows shown only: a subquery that
        # PostgreSQL runs after the page's LIMIT. A join grouped by source made each page,
        # its count and the year filter read all 750,000 citations (1 s; issue 25).
        citing = (
            Citation.objects.filter(source=OuterRef("pk"))
            .order_by()
            .values("source")
            .annotate(count=Count("answer", distinct=True))
            .values("count")
        )
        queryset = super().get_queryset(request)
        # In title order also where another column sorts the list (its ties), and in the
        # citation form's autocomplete.
        return queryset.annotate(answer_count=Coalesce(Subquery(citing), 0)).order_by("title")

    @admin.display(description="title", ordering="title")
    def reference_title(self, source):
        # Its italic, superscript and subscript as patients see them; the rest as typed.
        return mark_safe(rich_text(source.title))

    @admin.display(description="first author", ordering="authors")
    def first_author(self, source):
        return next(iter(split_names(source.authors)[0]), "")

    @admin.display(description="cited in", ordering="answer_count")
    def cited_in(self, source):
        count = source.answer_count
        return f"{count} answer{'s' if count != 1 else ''}"

    class Media:
        js = ["citations/source_kinds.js"]

    @admin.display(description="imported from")
    def imported_from(self, source):
        kept = source.imported_record or {}
        return IMPORT_FORMATS.get(
            kept.get("format"), "Typed in by hand, or added before imports were kept."
        )

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
            "payload": signing.dumps(
                records, salt=IMPORT_SALT, compress=True, serializer=RecordsSerializer
            )
            if rows
            else "",
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
            records = signing.loads(
                request.POST["payload"], salt=IMPORT_SALT, serializer=RecordsSerializer
            )
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
