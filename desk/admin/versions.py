"""Published versions: the audit record of each approval."""

from django.contrib import admin
from django.http import Http404, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path

from answers.models import PublishedVersion
from desk.admin.base import ReadOnlyAdmin, admin_context


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
        context = admin_context(
            self,
            request,
            version=version,
            record=record,
            matches=record["fingerprint"] == record["fingerprint_recomputed"],
            title=f"Audit record: {version.question_text} (approved {version.reviewed_on})",
        )
        return TemplateResponse(request, "admin/answers/publishedversion/audit.html", context)

    def audit_json(self, request, pk):
        version = self._version(request, pk)
        response = JsonResponse(version.audit_record(), json_dumps_params={"indent": 1})
        response["Content-Disposition"] = (
            f'attachment; filename="qasite-approval-{version.pk}.json"'
        )
        return response
