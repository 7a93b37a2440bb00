from django.contrib import admin
from django.db.models import Count

from citations.formatting import format_reference
from citations.models import Source
from citations.revisions import RevisionAdmin


@admin.register(Source)
class SourceAdmin(RevisionAdmin):
    list_display = ["title", "first_author", "year", "container_title", "evidence_type", "cited_in"]
    list_filter = ["evidence_type", "kind", "year"]
    search_fields = ["title", "authors", "container_title", "doi", "pmid"]
    readonly_fields = ["reference_preview", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["kind", "authors", "title", "container_title", "year"]}),
        ("Where in the journal", {"fields": ["volume", "issue", "pages"]}),
        ("Identifiers", {"fields": ["doi", "pmid", "url"]}),
        ("For patients", {"fields": ["evidence_type", "reference_preview"]}),
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
        return format_reference(source) if source.pk else "Shown once the source is saved."
