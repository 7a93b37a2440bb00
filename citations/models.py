import re
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from simple_history.models import HistoricalRecords

from citations import journals
from citations.formatting import format_reference, plain_text, split_names, web_link

# Resolver prefixes: doi.org, dx.doi.org, doi.acm.org and the like, or "doi:".
DOI_PREFIX = re.compile(r"^\s*(?:https?://[^/\s]*doi[^/\s]*/|doi:\s*)", re.IGNORECASE)
DOI_SHAPE = re.compile(r"^10\.\d{4,9}/\S+$")


def normalize_doi(value):
    """A DOI without resolver prefix. DOIs ignore case: compare them with `doi__iexact`."""
    return DOI_PREFIX.sub("", value or "").strip()


class SourceQuerySet(models.QuerySet):
    def same_as(self, doi="", pmid=""):
        """The source with this DOI (case ignored) or PMID, if the library has it."""
        match = Q()
        if normalize_doi(doi):
            match |= Q(doi__iexact=normalize_doi(doi))
        if pmid.strip():
            match |= Q(pmid=pmid.strip())
        return self.filter(match).first() if match else None

    def abbreviation_for(self, journal, given=""):
        """The journal abbreviation AMA prints for `journal` (citations.journals): the
        record's own (`given`) as NLM writes it, else the one most of the library's other
        articles in that journal carry, else the ISO 4 rules' ("" for no journal)."""
        if given.strip():
            return journals.nlm_form(given)
        wanted = journals.comparable(journal)
        if not wanted:
            return ""
        # Candidates by a cheap match on the longest word, then compared as
        # `journals.comparable` does.
        word = max(wanted.split() or [journal], key=len)
        found = (
            self.filter(kind=Source.Kind.ARTICLE)
            .filter(Q(container_title__icontains=word) | Q(journal_abbreviation__icontains=word))
            .exclude(journal_abbreviation="")
            .values_list("container_title", "journal_abbreviation")[:1000]
        )
        known = journals.abbreviations_by_journal(found).get(wanted)
        if known:
            return known
        return journals.iso4(journal)


class Source(models.Model):
    """One bibliographic record, shared by every answer that cites it."""

    class Kind(models.TextChoices):
        ARTICLE = "article-journal", "Journal article"
        BOOK = "book", "Book"
        CHAPTER = "chapter", "Book chapter"
        CONFERENCE_PAPER = "paper-conference", "Conference paper (in proceedings)"
        PRESENTATION = "speech", "Conference presentation (not published)"
        REPORT = "report", "Report or guideline document"
        WEBPAGE = "webpage", "Web page"

    class Month(models.IntegerChoices):
        JANUARY = 1, "January"
        FEBRUARY = 2, "February"
        MARCH = 3, "March"
        APRIL = 4, "April"
        MAY = 5, "May"
        JUNE = 6, "June"
        JULY = 7, "July"
        AUGUST = 8, "August"
        SEPTEMBER = 9, "September"
        OCTOBER = 10, "October"
        NOVEMBER = 11, "November"
        DECEMBER = 12, "December"

    class EvidenceType(models.TextChoices):
        # Imports set a type only where PubMed's publication types say it; an answer
        # citing a source without one is not submitted or approved (citations/markers.py).
        NOT_SET = "", "— not set —"
        SYSTEMATIC_REVIEW = "systematic-review", "Systematic review / meta-analysis"
        RCT = "rct", "Randomised controlled trial"
        PHASE_1 = "phase-1", "Phase 1 trial"
        PHASE_2 = "phase-2", "Phase 2 trial"
        PHASE_3 = "phase-3", "Phase 3 trial"
        OBSERVATIONAL = "observational", "Cohort or case-control study"
        CASE_REPORT = "case-report", "Case report"
        NARRATIVE_REVIEW = "narrative-review", "Narrative review"
        GUIDELINE = "guideline", "Guideline"
        OTHER = "other", "Other"

    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.ARTICLE)
    authors = models.TextField(
        blank=True,
        help_text="Separate authors with semicolons, family name first, then initials: "
        "“Schett G; Mackensen A; Mougiakakos D”. If you list only some of them, end with "
        "“et al”: the reference then prints the first three and “et al” (AMA 3.6.1). An "
        "organisation is written whole (“World Health Organization”).",
    )
    title = models.TextField(
        help_text="The article, chapter, book or page title, as published. Italic, "
        "superscript and subscript may be marked as publishers do: &lt;i&gt;Mycobacterium"
        "&lt;/i&gt;, CO&lt;sub&gt;2&lt;/sub&gt;, Ca&lt;sup&gt;2+&lt;/sup&gt;; any other "
        "markup prints as typed."
    )
    container_title = models.CharField(
        "journal, book or website",
        max_length=300,
        blank=True,
        help_text="Where the source appeared: the journal (“The Lancet”); for a chapter, the "
        "book's title; for a conference paper, the proceedings' title; for a web page, the "
        "website's name (“Centers for Disease Control and Prevention”).",
    )
    journal_abbreviation = models.CharField(
        max_length=200,
        blank=True,
        help_text="The journal's abbreviation in the NLM catalogue (e.g. “N Engl J Med”), "
        "which AMA style prints. Filled in for you on import, when a source is added "
        "without one, and when the journal's name is changed but this field is not: the "
        "abbreviation the library's other articles in the journal carry, else the one the "
        "ISO 4 rules give.",
    )
    year = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1600), MaxValueValidator(2200)]
    )
    month = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        choices=Month.choices,
        help_text="As far as the source gives it. A journal article in an issue prints the "
        "year only; a web page or an article published online ahead of print prints the "
        "full date (“May 17, 2023”).",
    )
    day = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    published_online = models.DateField(
        "published online",
        null=True,
        blank=True,
        help_text="For an article published online before it appeared in an issue: that "
        "date. Until the article has a volume or an issue, the reference prints "
        "“Published online May 17, 2023” (AMA 3.11.3).",
    )
    editors = models.TextField(
        blank=True,
        help_text="For a chapter or a book: the book's editors, written as the authors are "
        "(“Loscalzo J; Fauci AS; Kasper DL”).",
    )
    edition = models.CharField(
        max_length=40,
        blank=True,
        help_text="For a book: “21” for the 21st edition (printed “21st ed”), or words such as "
        "“Revised”. Leave empty for a first edition.",
    )
    publisher = models.CharField(
        max_length=300,
        blank=True,
        help_text="For a book, chapter, report or proceedings: the publisher (“McGraw Hill”); "
        "for a report, the organisation that issued it.",
    )
    publisher_place = models.CharField(
        "publisher's city",
        max_length=200,
        blank=True,
        help_text="Vancouver style prints it; AMA style (11th edition) does not.",
    )
    event = models.CharField(
        "conference",
        max_length=300,
        blank=True,
        help_text="For a conference paper or presentation: the conference's name "
        "(“American Academy of Neurology Annual Meeting”).",
    )
    event_place = models.CharField(
        "conference city",
        max_length=200,
        blank=True,
        help_text="For a conference presentation: where it was held (“Boston, MA”).",
    )
    number = models.CharField(
        "report number",
        max_length=60,
        blank=True,
        help_text="For a report or guideline document: its number, if it has one.",
    )
    volume = models.CharField(max_length=40, blank=True)
    issue = models.CharField(max_length=40, blank=True)
    pages = models.CharField(
        max_length=40, blank=True, help_text="A page range (2034-2044) or article number."
    )
    doi = models.CharField(
        "DOI",
        max_length=200,
        blank=True,
        help_text="Paste the DOI in any form (10.1016/…, doi:10.1016/… or https://doi.org/10.1016/…).",
    )
    pmid = models.CharField(
        "PubMed ID",
        max_length=12,
        blank=True,
        help_text="The PMID, digits only (e.g. 37748491).",
    )
    url = models.URLField(
        "URL",
        max_length=500,
        blank=True,
        help_text="Only needed when the source has no DOI, e.g. a publisher or guideline page.",
    )
    accessed = models.DateField(
        null=True,
        blank=True,
        help_text="For a source cited by its URL (a web page, say): the day you last read it "
        "there. The reference prints “Accessed May 17, 2023” before the URL (AMA 3.15.1).",
    )
    evidence_type = models.CharField(
        max_length=20,
        choices=EvidenceType.choices,
        default=EvidenceType.NOT_SET,
        blank=True,
        help_text="Shown to patients next to the reference, e.g. “Systematic review”. An "
        "answer citing a source without one cannot be submitted or approved.",
    )
    publication_types = models.JSONField(
        default=list,
        blank=True,
        help_text="As PubMed lists them (e.g. “Systematic Review”); filled in on import.",
    )

    class Retraction(models.TextChoices):
        NONE = "", "None known"
        CORRECTED = "corrected", "Corrected"
        CONCERN = "concern", "Expression of concern"
        RETRACTED = "retracted", "Retracted"

    # Statuses that make a source unsafe to rely on without a fresh medical review.
    FLAGGED = [Retraction.RETRACTED, Retraction.CONCERN]

    retraction_status = models.CharField(
        "retraction or correction",
        max_length=20,
        choices=Retraction.choices,
        default=Retraction.NONE,
        blank=True,
        help_text="Set by check_retractions from Crossref, or by hand. A retracted source "
        "cannot be cited in an answer that is submitted or approved.",
    )
    retraction_notice_url = models.URLField(
        "notice",
        max_length=500,
        blank=True,
        help_text="Link to the retraction, expression of concern or correction notice.",
    )
    retraction_checked_at = models.DateTimeField(null=True, blank=True, editable=False)
    notes = models.TextField(
        blank=True,
        help_text="Internal notes for editors (e.g. a trial registration number). "
        "Never shown to patients.",
    )
    imported_record = models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        help_text="The record as the import read it (format and fields), kept so that what "
        "a later version of qasite reads from it can be filled in without asking again.",
    )
    formatted = models.TextField(
        editable=False, default="", help_text="The reference as patients see it (derived)."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(
        excluded_fields=["formatted", "retraction_checked_at", "imported_record"]
    )
    objects = SourceQuerySet.as_manager()

    # What patients read of a source (its formatted reference, label and links): a change
    # to any of these changes every answer that cites it. Notes and retraction fields do not.
    PATIENT_FIELDS = [
        "kind", "authors", "title", "container_title", "journal_abbreviation", "year",
        "month", "day", "published_online", "editors", "edition", "publisher",
        "publisher_place", "event", "event_place", "number", "volume", "issue", "pages",
        "doi", "pmid", "url", "accessed", "evidence_type",
    ]  # fmt: skip

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(
                Lower("doi"),
                condition=~Q(doi=""),
                name="unique_source_doi",
                violation_error_message="The library already has a source with this DOI.",
            ),
            models.UniqueConstraint(
                fields=["pmid"],
                condition=~Q(pmid=""),
                name="unique_source_pmid",
                violation_error_message="The library already has a source with this PubMed ID.",
            ),
            models.CheckConstraint(
                condition=Q(pmid="") | Q(pmid__regex=r"^[0-9]+$"), name="source_pmid_digits"
            ),
        ]

    def __str__(self):
        first_author = next(iter(split_names(self.authors)[0]), "")
        parts = [first_author, str(self.year or ""), Truncator(plain_text(self.title)).chars(80)]
        return " · ".join(part for part in parts if part)

    def save(self, *args, **kwargs):
        self.doi = normalize_doi(self.doi)
        self.pmid = self.pmid.strip()
        if self.kind == self.Kind.ARTICLE and self._journal_renamed_alone():
            self.journal_abbreviation = Source.objects.exclude(pk=self.pk).abbreviation_for(
                self.container_title
            )
        self.formatted = format_reference(self)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("admin:citations_source_change", args=[self.pk])

    def _journal_renamed_alone(self):
        """Whether the journal's abbreviation is to be found again: the source is added
        without one, or its journal's name was changed and the abbreviation left as it was
        (the old name's). Otherwise it is read once: a reference answers were approved with
        never changes by itself (the library growing would send them back to draft)."""
        if self._state.adding:
            return not self.journal_abbreviation
        before = Source.objects.filter(pk=self.pk).values_list(
            "container_title", "journal_abbreviation"
        )
        old_name, old_abbreviation = before.first() or (self.container_title, "")
        return old_name != self.container_title and self.journal_abbreviation == old_abbreviation

    @property
    def doi_url(self):
        return f"https://doi.org/{self.doi}" if self.doi else ""

    @property
    def link_url(self):
        return web_link(self.url)

    @property
    def pubmed_url(self):
        return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/" if self.pmid else ""

    @property
    def is_retracted(self):
        return self.retraction_status == self.Retraction.RETRACTED

    @property
    def notice_url(self):
        return web_link(self.retraction_notice_url)

    def clean(self):
        self.doi = normalize_doi(self.doi)
        self.pmid = self.pmid.strip()
        errors = {}
        if self.doi and not DOI_SHAPE.match(self.doi):
            errors["doi"] = "This does not look like a DOI; a DOI starts with “10.” and has a “/”."
        if self.pmid and not self.pmid.isdigit():
            errors["pmid"] = "A PubMed ID is digits only, e.g. 37748491."
        errors.update(self._date_errors())
        if (
            self.kind in (self.Kind.CHAPTER, self.Kind.CONFERENCE_PAPER)
            and not self.container_title
        ):
            errors["container_title"] = (
                "Give the title of the book or proceedings it appeared in: the reference "
                "prints “In:” and that title. A conference paper that was not published is "
                "a “Conference presentation”."
            )
        others = Source.objects.exclude(pk=self.pk)
        for field, label in (("doi", "DOI"), ("pmid", "PubMed ID")):
            value = getattr(self, field)
            if value and field not in errors:
                existing = others.same_as(**{field: value})
                if existing:
                    errors[field] = format_html(
                        "The library already has a source with this {}: "
                        '<a href="{}">{}</a>. Cite that source instead of adding it twice.',
                        label,
                        existing.get_absolute_url(),
                        existing,
                    )
        if errors:
            raise ValidationError(errors)

    def _date_errors(self):
        if self.day and not self.month:
            return {"day": "Give the month too, or leave the day empty."}
        if (self.month or self.day) and not self.year:
            return {"year": "Give the year of this month and day."}
        if self.year and self.month and self.day:
            try:
                date(self.year, self.month, self.day)
            except ValueError:
                month = self.Month(self.month).label
                return {"day": f"{month} {self.year} has no day {self.day}."}
        return {}

    def validate_constraints(self, exclude=None):
        # clean() explains DOI/PMID duplicates in plain words, naming the existing source.
        exclude = set(exclude or ()) | {"doi", "pmid"}
        super().validate_constraints(exclude=exclude)


class Citation(models.Model):
    """A numbered use of a source in one answer: marker [9] points to citation 9."""

    answer = models.ForeignKey("answers.Answer", on_delete=models.CASCADE, related_name="citations")
    number = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(999)],
        help_text="The number used in the text: citation 9 is cited as [9].",
    )
    # Indexed with the answer included (Meta.indexes), in place of the plain index.
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="citations", db_index=False
    )
    locator = models.CharField(
        max_length=100,
        blank=True,
        help_text="Optional: the part of the source this supports, e.g. “p. 2036” or “Table 2”.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(
                fields=["answer", "number"],
                name="unique_citation_number_per_answer",
                violation_error_message="Two citations of this answer have the same number; "
                "each number can be used once.",
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="citation_number_positive"),
        ]
        # The answers citing a few sources (retracted ones, one being edited) from the
        # index alone: 750,000 citations at 100,000 answers were read whole otherwise.
        indexes = [
            models.Index(fields=["source"], include=["answer"], name="citation_source_answer")
        ]

    def __str__(self):
        return f"[{self.number}] {self.source}"
