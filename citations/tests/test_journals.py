"""Journal names in AMA's abbreviated form (the NLM catalogue's), whatever the import gave:
the record's own abbreviation, else the library's for the same journal, else the ISO 4
rules (citations/journals.py)."""

from pathlib import Path

import pytest

from citations import journals
from citations.formatting import format_reference
from citations.importers import read_bibtex, read_csl_json, read_medline, read_pubmed_xml, read_ris
from citations.models import Source

FIXTURES = Path(__file__).parent / "fixtures"
# The library is asked for a journal's abbreviation.
pytestmark = pytest.mark.django_db

# The same NEJM paper as two reference managers export it: RIS with the abbreviation, BibTeX
# with the full name.
NEJM_RIS = """TY  - JOUR
AU  - Ridker, Paul M
TI  - Rosuvastatin to prevent vascular events in men and women with elevated C-reactive protein
JO  - N Engl J Med
PY  - 2008
VL  - 359
IS  - 21
SP  - 2195
EP  - 2207
DO  - 10.1056/NEJMoa0807646
ER  -
"""
NEJM_BIBTEX = """@article{ridker2008,
  author = {Ridker, Paul M.},
  title = {Rosuvastatin to Prevent Vascular Events in Men and Women with Elevated
           C-Reactive Protein},
  journal = {New England Journal of Medicine},
  year = {2008}, volume = {359}, number = {21}, pages = {2195--2207},
  doi = {10.1056/NEJMoa0807646}
}
"""


def fixture_text(name):
    return (FIXTURES / name).read_text(encoding="utf-8")


def journal_as_printed(record):
    """The journal as the formatted reference shows it (the style italicises it)."""
    html = format_reference(Source(**record))
    return html.split("<i>")[1].split("</i>")[0]


@pytest.mark.parametrize(
    ("title", "abbreviation"),
    [
        # NLM's abbreviations of these journals, which ISO 4 gives too.
        ("Nature medicine", "Nat Med"),
        ("The New England journal of medicine", "N Engl J Med"),  # MEDLINE's JT
        ("Journal of Neurology", "J Neurol"),
        ("The Lancet. Neurology", "Lancet Neurol"),
        ("Lancet (London, England)", "Lancet"),  # NLM's place qualifier is left out
        ("BMJ (Clinical research ed.)", "BMJ"),
        ("Bioinformatics (Oxford, England)", "Bioinformatics"),  # one word: not abbreviated
        ("Proceedings of the National Academy of Sciences of the United States of America",
         "Proc Natl Acad Sci U S A"),
        ("Journal of Neurology, Neurosurgery, and Psychiatry", "J Neurol Neurosurg Psychiatry"),
        ("Multiple Sclerosis and Related Disorders", "Mult Scler Relat Disord"),
        ("JAMA", "JAMA"),
        ("Cell", "Cell"),
        ("N. Engl. J. Med.", "N Engl J Med"),  # an abbreviation already
    ],
)  # fmt: skip
def test_a_journal_without_an_abbreviation_gets_the_iso_4_one(title, abbreviation):
    assert journals.iso4(title) == abbreviation
    assert Source.objects.abbreviation_for(title) == abbreviation


def test_the_records_own_abbreviation_comes_first_written_as_nlm_writes_it():
    assert Source.objects.abbreviation_for("Frontiers in Medicine", "Front Med (Lausanne)") == (
        "Front Med (Lausanne)"
    )
    assert Source.objects.abbreviation_for("Applied Mathematics", "Appl. Math. Comput.") == (
        "Appl Math Comput"
    )
    # An abbreviation is written without a leading "The".
    assert Source.objects.abbreviation_for("The Lancet", "The Lancet") == "Lancet"


def test_a_publishers_short_title_that_is_the_title_abbreviates_nothing():
    ris = NEJM_RIS.replace(
        "JO  - N Engl J Med", "JO  - Journal of Neurology\nJ2  - Journal of Neurology"
    )
    [record] = read_ris(ris)
    assert record["journal_abbreviation"] == "J Neurol"  # ISO 4's, not the title again
    # MEDLINE's TA is NLM's own, even where it is the title ("BMC Bioinformatics").
    [first, *_] = read_medline(fixture_text("medline/pubmed_medline_4records.txt"))
    assert first["journal_abbreviation"] == "BMC Bioinformatics"


def test_a_journal_renamed_by_hand_is_abbreviated_again():
    source = Source.objects.create(title="T", container_title="Lancte", year=2023, volume="1")
    assert source.journal_abbreviation == "Lancte"
    source.container_title = "The Lancet"  # the typing mistake corrected
    source.save()
    assert source.journal_abbreviation == "Lancet" and "<i>Lancet</i>" in source.formatted
    source.container_title, source.journal_abbreviation = "The Lancet Neurology", "Lancet Neurol"
    source.save()  # both changed: the editor's abbreviation stays
    assert source.journal_abbreviation == "Lancet Neurol"
    source.title = "T2"
    source.save()  # the journal unchanged: the abbreviation too
    assert source.journal_abbreviation == "Lancet Neurol"


def test_the_librarys_abbreviation_of_the_same_journal_comes_before_iso_4():
    assert journals.iso4("Frontiers in Medicine") == "Front Med"
    for pmid in ("1", "2"):
        Source.objects.create(
            title=f"Paper {pmid}", container_title="Frontiers in medicine", pmid=pmid,
            journal_abbreviation="Front Med (Lausanne)", year=2024, volume="11",
        )  # fmt: skip
    Source.objects.create(
        title="Odd one", container_title="Frontiers in Medicine", journal_abbreviation="Front Med"
    )
    # The same journal however written: the abbreviation most of its sources carry.
    assert Source.objects.abbreviation_for("FRONTIERS IN MEDICINE") == "Front Med (Lausanne)"
    added = Source.objects.create(
        title="By hand", container_title="Frontiers in Medicine", year=2025, volume="12"
    )
    assert added.journal_abbreviation == "Front Med (Lausanne)"
    assert "<i>Front Med (Lausanne)</i>" in added.formatted


def test_an_abbreviation_is_read_once_when_the_source_is_added():
    source = Source.objects.create(title="T", container_title="Nature medicine", year=2020)
    assert source.journal_abbreviation == "Nat Med"
    source.journal_abbreviation = "Nature Med"  # an editor's correction stays
    source.save()
    source.refresh_from_db()
    assert source.journal_abbreviation == "Nature Med"


def test_one_journal_reads_the_same_from_ris_and_bibtex():
    [from_ris], [from_bibtex] = read_ris(NEJM_RIS), read_bibtex(NEJM_BIBTEX)
    assert from_ris["container_title"] == "N Engl J Med"
    assert from_bibtex["container_title"] == "New England Journal of Medicine"
    assert journal_as_printed(from_ris) == journal_as_printed(from_bibtex) == "N Engl J Med"


@pytest.mark.parametrize(
    ("read", "name", "printed"),
    [
        # RIS: PubMed's J2, PMC's J1 (with the full name in JF).
        (read_ris, "ris/pubmed_export_jour.ris", ["J Phys Ther Sci"]),
        (read_ris, "ris/pmc_export_jour.ris", ["ScientificWorldJournal"]),
        # MEDLINE's TA, not its JT ("Bioinformatics (Oxford, England)").
        (read_medline, "medline/pubmed_medline_4records.txt", ["BMC Bioinformatics"] +
         ["Bioinformatics"] * 3),
        # PubMed XML's MedlineTA, not its ISOAbbreviation "J. Biol. Chem."
        (read_pubmed_xml, "eutils/efetch_pubmed_retracted_publication.xml", ["J Biol Chem"]),
        # Crossref's short-container-title "The Lancet" is its title: ISO 4's.
        (read_csl_json, "crossref/works_retracted_10.1016_s0140-6736(20)31180-6.json",
         ["Lancet"]),
        # A CSL-JSON export's container-title-short, periods dropped.
        (read_csl_json, "csl-json/article_journal_issue_range.csl.json",
         ["Eurasian Geogr Econ"]),
        # BibTeX's journal written as an abbreviation, periods dropped.
        (read_bibtex, "bibtex/article_doi_journal_abbrev.bib", ["Appl Math Comput"]),
    ],
)  # fmt: skip
def test_real_exports_print_the_journal_abbreviated(read, name, printed):
    assert [journal_as_printed(record) for record in read(fixture_text(name))] == printed


def test_a_book_chapter_keeps_its_book_title_whole():
    source = Source(
        kind=Source.Kind.CHAPTER, title="Aspirin", authors="Doe J", year=2020,
        container_title="The New England Journal of Medicine",  # a book named like a journal
    )  # fmt: skip
    assert "N Engl J Med" not in format_reference(source)
