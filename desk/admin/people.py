"""The people named on answers: writers and medical reviewers."""

from django.contrib import admin

from answers import languages
from answers.models import ContributorProfile
from citations.revisions import RevisionAdmin
from desk.forms import ContributorProfileForm


@admin.register(ContributorProfile)
class ContributorProfileAdmin(RevisionAdmin):
    """Writers and medical reviewers, as patients read them on each page they are named on."""

    form = ContributorProfileForm
    list_display = ["display_name", "credentials", "role", "declared", "reviews_in", "user"]
    search_fields = ["display_name", "credentials", "role", "affiliation", "user__username"]
    fieldsets = [
        (None, {"fields": ["display_name", "credentials", "role", "affiliation", "bio"]}),
        ("Disclosure", {"fields": ["disclosures"]}),
        (
            "Account",
            {
                "fields": ["user", "email_notifications", "languages"],
                "description": "For reviewers and editors.",
            },
        ),
    ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        # A new class each time (modelform_factory): who may change the languages it shows.
        form.assigner = request.user
        return form

    @admin.display(boolean=True, description="conflicts declared")
    def declared(self, obj):
        return bool(obj.disclosures.strip())

    @admin.display(description="reviews in")
    def reviews_in(self, obj):
        return ", ".join(languages.english_name(code) for code in obj.languages or []) or "—"
