"""The site's policy pages."""

from django.contrib import admin

from answers.models import SitePolicy
from citations.revisions import RevisionAdmin
from desk.forms import SitePolicyForm


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
