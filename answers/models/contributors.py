"""The people named on the pages: writers and medical reviewers, and who wrote which answer."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from answers import languages as site_languages
from citations.characters import validate_printable


class ContributorProfile(models.Model):
    """Someone named on the pages: an answer's writers, and the medical reviewers who
    approve them. One kind of profile for both, as patients read them (JAMA's authorship
    and disclosure benchmarks): name, credentials, role, affiliation, a short bio and a
    conflicts-of-interest statement."""

    # What of a profile patients read, and so counts as the content of the answers naming it.
    PATIENT_FIELDS = ["display_name", "credentials", "role", "affiliation", "bio", "disclosures"]
    NONE_DECLARED = "None declared"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contributor_profile",
        help_text="The account of a reviewer or editor, if they have one. A writer need not.",
    )
    display_name = models.CharField(
        max_length=150, help_text="As patients will read it, e.g. “Dr Robin Reviewer”."
    )
    credentials = models.CharField(
        max_length=100, blank=True, help_text="Degrees and qualifications, e.g. “MD, PhD”."
    )
    role = models.CharField(
        max_length=100, blank=True, help_text="e.g. “Medical writer”, “Consultant neurologist”."
    )
    affiliation = models.CharField(
        max_length=200, blank=True, help_text="Where they work, e.g. a hospital or university."
    )
    bio = models.TextField(
        max_length=600, blank=True, help_text="Two or three sentences, shown on their pages."
    )
    disclosures = models.TextField(
        "conflicts of interest",
        max_length=1000,
        blank=True,
        help_text="Shown to patients on every page they wrote or reviewed: funding, "
        "consultancy, shares, speaker fees. Write “None declared” if there are none; an "
        "empty statement is not a declaration, and no answer naming them can be approved.",
        validators=[validate_printable],
    )
    # Language codes (settings.LANGUAGES), as a list: a JSON list, since the site also runs
    # on SQLite; the admin's form offers them as checkboxes.
    languages = models.JSONField(
        default=site_languages.default_only,
        blank=True,
        verbose_name="reviews in",
        help_text="The languages they read well enough to review medical text in. A medical "
        "reviewer approves answers only in these languages (a translation is reviewed by "
        "someone who reads it). A new profile lists the site's default language. Never "
        "shown to patients.",
    )
    email_notifications = models.BooleanField(
        default=True,
        help_text="Email when an answer waits for their review, is sent back, approved or "
        "withdrawn, and the reviewers' weekly digest. Never shown to patients.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["display_name"]
        permissions = [
            (
                "assign_review_languages",
                "Can set the languages a reviewer reviews in (who may approve translations)",
            )
        ]

    def __str__(self):
        return f"{self.display_name}, {self.credentials}" if self.credentials else self.display_name

    def reviews_in(self, code):
        return code in self.languages

    def as_published(self):
        """What a published version keeps of this profile."""
        return {name: getattr(self, name) for name in self.PATIENT_FIELDS}


class Authorship(models.Model):
    """One writer of an answer, in the order the page names them."""

    answer = models.ForeignKey("Answer", on_delete=models.CASCADE, related_name="authorships")
    contributor = models.ForeignKey(
        ContributorProfile, on_delete=models.PROTECT, related_name="authorships"
    )
    order = models.PositiveSmallIntegerField(default=1)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["answer", "contributor"], name="one_authorship_each")
        ]

    def __str__(self):
        return str(self.contributor)
