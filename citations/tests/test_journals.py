"""Journal names in AMA's abbreviated form (the NLM catalogue's), whatever the import gave:
one journal reads the same on a page whether its source came from RIS, BibTeX, MEDLINE,
PubMed or Crossref."""

import csv
from pathlib import Path

import pytest

from citations import journals
from citations.formatting import format_reference
from citations.importers import read_bibtex, read_csl_json, read_medline, read_pubmed_xml, read_ris
from citations.models import Source

FIXTURES = Path(__file__).parent / "fixtures"

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
    "name",
    [
        "New England Journal of Medicine",
        "The New England journal of medicine",  # MEDLINE's JT
        "the new england journal of medicine.",
        "N. Engl. J. Med.",
        "N Engl J Med",
    ],
)
def test_every_spelling_of_a_known_journal_gives_the_nlm_abbreviation(name):
    assert journals.abbreviation(name) == "N Engl J Med"


def test_ampersand_and_and_read_alike():
    assert journals.abbreviation("The Lancet Diabetes and Endocrinology") == (
        "Lancet Diabetes Endocrinol"
    )
    assert journals.abbreviation("Lancet. Diabetes & endocrinology") == "Lancet Diabetes Endocrinol"


def test_nlm_catalogue_titles_with_places_are_known():
    assert journals.abbreviation("Lancet (London, England)") == "Lancet"
    assert journals.abbreviation("BMJ (Clinical research ed.)") == "BMJ"
    assert journals.abbreviation("Multiple sclerosis (Houndmills, Basingstoke, England)") == (
        "Mult Scler"
    )


def test_an_unknown_journal_keeps_the_records_abbreviation_without_periods():
    assert journals.abbreviation("Eurasian Geography and Economics", "Eurasian Geogr. Econ.") == (
        "Eurasian Geogr Econ"
    )


def test_an_unknown_journal_without_abbreviation_keeps_its_title():
    assert journals.abbreviation("Journal of the Mechanics and Physics of Solids") == ""
    source = Source(
        title="T", authors="Doe J", container_title="Journal of the Mechanics and Physics of "
        "Solids", year=2004, volume="52", pages="2309-2327",
    )  # fmt: skip
    assert "<i>Journal of the Mechanics and Physics of Solids</i>" in format_reference(source)


def test_the_table_prefers_the_nlm_form_to_a_publishers_short_title():
    # Crossref's short-container-title for The Lancet is "The Lancet".
    assert journals.abbreviation("The Lancet", "The Lancet") == "Lancet"
    assert journals.abbreviation("Frontiers in Medicine", "Front. Med.") == "Front Med (Lausanne)"


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
        # Crossref's short-container-title "The Lancet", read through the table.
        (read_csl_json, "crossref/works_retracted_10.1016_s0140-6736(20)31180-6.json",
         ["Lancet"]),
        # A CSL-JSON export's container-title-short, periods dropped.
        (read_csl_json, "csl-json/article_journal_issue_range.csl.json",
         ["Eurasian Geogr Econ"]),
        # BibTeX's own abbreviation, periods stripped by the style.
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


def test_the_table_gives_each_name_one_abbreviation_in_nlm_form():
    with journals.TABLE.open(encoding="utf-8", newline="") as table:
        rows = [row for row in csv.reader(table) if row and not row[0].startswith("#")]
    entries = rows[1:]  # after the header
    assert len(entries) > 100
    seen = {}
    for title, abbreviation in entries:
        assert "." not in abbreviation and abbreviation == abbreviation.strip(), abbreviation
        previous = seen.setdefault(journals.comparable(title), abbreviation)
        assert previous == abbreviation, f"{title}: {previous} or {abbreviation}?"
    for abbreviation in {abbreviation for _, abbreviation in entries}:
        assert journals.abbreviation(abbreviation) == abbreviation


@pytest.mark.django_db
def test_a_source_saved_by_hand_prints_the_known_abbreviation():
    source = Source.objects.create(
        title="T", authors="Doe J", container_title="Journal of the American Medical "
        "Association", year=2020, volume="1", pages="1-2",
    )  # fmt: skip
    assert "<i>JAMA</i>" in source.formatted
