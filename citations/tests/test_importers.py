"""Reading pasted exports (RIS, BibTeX, MEDLINE, CSL-JSON) and PubMed/Crossref records.

Every input is a real export or recorded API answer from tests/fixtures (see its README.md),
except the deliberately broken texts of the ImportFailed tests.
"""

import json
from datetime import date
from pathlib import Path

import pytest
import yaml

from citations.formatting import format_reference
from citations.importers import (
    ImportFailed,
    detect_format,
    evidence_from_publication_types,
    read_bibtex,
    read_csl_json,
    read_export,
    read_medline,
    read_pubmed_xml,
    read_ris,
)
from citations.models import Source

FIXTURES = Path(__file__).parent / "fixtures"
# A journal without an abbreviation in its record takes its other sources' from the library.
pytestmark = pytest.mark.django_db

LANCET_RETRACTED = "crossref/works_retracted_10.1016_s0140-6736(20)31180-6.json"
LANCET_NOTICE = "crossref/works_retraction_notice_10.1016_s0140-6736(20)31324-6.json"


def fixture_text(name):
    return (FIXTURES / name).read_text(encoding="utf-8")


def cassette_body(name):
    """The recorded response body of a vcrpy cassette."""
    return yaml.safe_load(fixture_text(name))["interactions"][0]["response"]["content"]


class Record(dict):
    """A record as expected: equal to a record read whose fields are these, whatever the
    reader kept of the import itself (tested by `test_every_reader_keeps_what_it_read`)."""

    def __eq__(self, other):
        if not isinstance(other, dict):
            return NotImplemented
        return dict(self) == {
            key: value for key, value in other.items() if key != "imported_record"
        }

    __hash__ = None


def expected(**fields):
    """A whole record as an editor would confirm it: the given fields, the rest empty."""
    return Record(
        {
            "kind": "article-journal",
            "authors": "",
            "title": "",
            "container_title": "",
            "journal_abbreviation": "",
            "year": None,
            "month": None,
            "day": None,
            "published_online": None,
            "editors": "",
            "edition": "",
            "publisher": "",
            "publisher_place": "",
            "event": "",
            "event_place": "",
            "number": "",
            "volume": "",
            "issue": "",
            "pages": "",
            "doi": "",
            "pmid": "",
            "url": "",
            "accessed": None,
            "publication_types": [],
            "evidence_type": "",  # not set: PubMed's publication types say none
            "retraction_status": "",
            "retraction_notice_url": "",
            **fields,
        }
    )


PMC_CHELATION = expected(
    authors="Sears ME",
    title="Chelation: Harnessing and Enhancing Heavy Metal Detoxification—A Review",
    container_title="The Scientific World Journal",
    journal_abbreviation="ScientificWorldJournal",
    year=2013,
    month=4,
    day=18,
    volume="2013",
    pages="219840",
    doi="10.1155/2013/219840",
    pmid="23690738",
    url="http://www.ncbi.nlm.nih.gov/pmc/articles/PMC3654245/",
)

CYRILLIC_ENDOMETRIUM = expected(
    authors="Dobrokhotova YE; Yusupova RO; Ozerova RI; Fayzullin LZ; Karnaukhov VN",
    title="Состояние рецепторного аппарата эндометрия и метаболизм эстрогенов при гиперплазиях "
    "эндометрия в позднем репродуктивном периоде",
    container_title="Gynecology, Obstetrics and Perinatology",
    journal_abbreviation="Gynecol Obstet Perinatol",  # ISO 4: the record has none
    year=2009,
    issue="3",
    pages="52-57",
)

PUBMED_SMARTPHONE = expected(
    authors="Jung SI; Lee NK; Kang KW; Kim K; Lee DY",
    title="The effect of smartphone usage time on posture and respiratory function",
    container_title="Journal of physical therapy science",
    journal_abbreviation="J Phys Ther Sci",
    year=2016,
    month=1,
    published_online=date(2016, 1, 30),  # PubMed's RIS: ET
    volume="28",
    issue="1",
    pages="186-189",
    doi="10.1589/jpts.28.186",
    pmid="26957754",
    url="https://pubmed.ncbi.nlm.nih.gov/26957754",
)

SCOPUS_COMPOSITE = expected(
    authors="Federico S; Grillo A; Herzog W",
    title="A transversely isotropic composite with a statistical distribution of spheroidal "
    "inclusions: A geometrical approach to overall properties",
    container_title="Journal of the Mechanics and Physics of Solids",
    journal_abbreviation="J Mech Phys Solids",  # ISO 4
    year=2004,
    volume="52",
    issue="10",
    pages="2309-2327",
    doi="10.1016/j.jmps.2004.03.010",
    url="http://www.scopus.com/inward/record.url?eid=2-s2.0-4544289390&partnerID=40"
    "&md5=ad1a4baab95650b103a3467b787b83aa",
)

BIBTEX_DASSLER = expected(
    authors="Däßler K",
    title="The physical: violent volcanology of the 1600 eruption of Huaynaputina, southern Peru",
    container_title="Title, with comma",
    journal_abbreviation="Title Comma",  # ISO 4 drops "with"
    year=2001,
    volume="62",
    doi="10.1175/1520-0493(1987)115<1606:GARSPP>2.0.CO;2",
)

BIBTEX_PROCOPIO = expected(
    authors="Procopio LM; Moqanaki A; Araújo M; Costa F; Calafell IA; Dowd EG; Hamel DR; "
    "Rozema LA; Brukner Č; Walther P",
    title="Experimental Superposition of Orders of Quantum Gates",
    container_title="arXiv:1412.4006 [quant-ph]",
    journal_abbreviation="arXiv:1412.4006 [quant-ph]",
    year=2014,
    month=12,
    url="http://arxiv.org/abs/1412.4006",
)

BIBTEX_HAMMOND = expected(
    authors="Hammond JF; Bortz DM",
    title="Analytical Solutions to Fisher's Equation with Time-Variable Coefficients",
    container_title="Appl. Math. Comput.",
    journal_abbreviation="Appl Math Comput",
    year=2011,
    month=11,
    volume="218",
    issue="6",
    pages="2497-2508",
    doi="10.1016/j.amc.2011.03.163",
    url="http://linkinghub.elsevier.com/retrieve/pii/S0096300311010137",
    accessed=date(2014, 7, 2),  # urldate
)

MEDLINE_AHEAD_OF_PRINT = expected(
    authors="Oh M; Batty S; Banerjee N; Kim TH",
    title="High extracellular glucose promotes cell motility by modulating cell deformability "
    "and contractility via cAMP-RhoA-ROCK axis in human breast cancer cells",
    container_title="Molecular biology of the cell",
    journal_abbreviation="Mol Biol Cell",
    year=2023,
    month=5,
    day=17,
    published_online=date(2023, 5, 17),  # DEP
    # PG "mbcE22120560" is the manuscript id of an article not yet in an issue.
    doi="10.1091/mbc.E22-12-0560",
    pmid="37195739",
    publication_types=["Journal Article"],
)

MEDLINE_HIFU = expected(
    authors="Qiao S; Shen G; Bai J; Chen Y",
    title="Effects of different parameters in the fast scanning method for HIFU treatment",
    container_title="Medical physics",
    journal_abbreviation="Med Phys",
    year=2012,
    month=10,
    volume="39",
    issue="10",
    pages="5795-5813",  # PubMed abbreviates; AMA writes ranges out
    doi="10.1118/1.4748329",
    pmid="23039619",
    publication_types=["Journal Article", "Research Support, Non-U.S. Gov't"],
)

CSL_WIKIDATA = expected(
    authors="Zhao F",
    title="A systematic review of Wikidata in Digital Humanities projects",
    container_title="Digital Scholarship in the Humanities",
    journal_abbreviation="Digit Scholarsh Humanit",
    year=2022,
    month=12,
    day=28,
    pages="fqac083",
    doi="10.1093/llc/fqac083",
    accessed=date(2022, 12, 31),
)

CSL_EURASIA = expected(
    authors="Alff H; Spies M",
    title="Coexistence or competition for resources? Transboundary transformations of natural "
    "resource use in China’s neighborhood",
    container_title="Eurasian Geography and Economics",
    journal_abbreviation="Eurasian Geogr Econ",
    year=2023,
    month=11,
    day=17,
    volume="64",
    issue="7-8",
    pages="797-810",
    doi="10.1080/15387216.2023.2258150",
)

PUBMED_AIDS_REVIEW = expected(
    authors="Olivero JM",
    title="The treatment of AIDS behind the walls of correctional facilities",
    container_title="Social justice (San Francisco, Calif.)",
    journal_abbreviation="Soc Justice",
    year=1990,
    volume="17",
    issue="1",
    pages="113-125",
    pmid="12091962",
    publication_types=["Journal Article", "Review"],
    evidence_type="narrative-review",
)

PUBMED_FLAVOCYTOCHROME = expected(
    authors="Strekas TC",
    title="Magnetic studies of Chromatium flavocytochrome C552. A mechanism for heme-flavin "
    "interaction",
    container_title="Biochimica et biophysica acta",
    journal_abbreviation="Biochim Biophys Acta",
    year=1976,
    month=9,
    day=28,
    volume="446",
    issue="1",
    pages="179-191",
    doi="10.1016/0005-2795(76)90109-4",
    pmid="9997",
    publication_types=["Journal Article"],
)


# Format detection


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("ris/pmc_export_jour.ris", "ris"),
        ("ris/utf8_cyrillic_article.ris", "ris"),
        ("bibtex/article_doi_latex_umlaut.bib", "bibtex"),
        ("bibtex/acm_exports_mixed_library.bib", "bibtex"),  # starts with @Preamble
        ("medline/pubmed_medline_4records.txt", "medline"),  # starts with an empty line
        ("medline/pubmed_medline_aheadofprint.txt", "medline"),
        ("csl-json/article_journal_issue_range.csl.json", "csl-json"),
        (LANCET_RETRACTED, "csl-json"),
    ],
)
def test_detect_format_recognises_real_exports(name, kind):
    assert detect_format(fixture_text(name)) == kind


def test_detect_format_gives_none_for_plain_text():
    assert detect_format("Smith J. Aspirin for headache. BMJ. 2020;1:2.") is None


def test_read_export_picks_the_reader_for_each_format():
    assert read_export(fixture_text("ris/pubmed_export_jour.ris")) == [PUBMED_SMARTPHONE]
    assert read_export(fixture_text("bibtex/article_doi_journal_abbrev.bib")) == [BIBTEX_HAMMOND]
    assert read_export(fixture_text("medline/pubmed_medline_lid_doi.txt")) == [MEDLINE_HIFU]
    assert read_export(fixture_text("csl-json/article_journal_from_doi_org.csl.json")) == [
        CSL_WIKIDATA
    ]


def test_read_export_refuses_text_in_no_known_format_with_a_hint():
    with pytest.raises(ImportFailed) as failure:
        read_export("Smith J. Aspirin for headache. BMJ. 2020;1:2.")
    assert str(failure.value) == (
        "This is not a format qasite reads. Paste DOIs or PubMed IDs (one per line), or an "
        "export in RIS (TY  - …), BibTeX (@article{…}), PubMed MEDLINE (PMID- …) or CSL-JSON."
    )


def test_read_export_reports_invalid_json_as_not_csl_json():
    broken = fixture_text("csl-json/article_journal_issue_range.csl.json")[:200]
    with pytest.raises(ImportFailed, match=r"^This does not read as CSL-JSON: "):
        read_export(broken)


def test_read_export_says_when_bibtex_text_holds_no_entry():
    with pytest.raises(ImportFailed) as failure:
        read_export("@comment{jabref-meta: groupsversion:3;}\n")
    assert str(failure.value) == "No references found in this BibTeX text."


def test_read_export_reads_ris_that_starts_with_a_byte_order_mark():
    assert read_export("\ufeff" + fixture_text("ris/pmc_export_jour.ris")) == [PMC_CHELATION]


# RIS


def test_ris_two_pasted_exports_give_both_records_with_unicode_titles():
    text = fixture_text("ris/pmc_export_jour.ris") + fixture_text("ris/utf8_cyrillic_article.ris")
    assert read_ris(text) == [PMC_CHELATION, CYRILLIC_ENDOMETRIUM]


def test_ris_pubmed_export_gives_pmid_from_accession_number_and_full_journal_name():
    assert read_ris(fixture_text("ris/pubmed_export_jour.ris")) == [PUBMED_SMARTPHONE]


def test_ris_pmc_export_takes_the_pmid_from_its_user_field_not_the_pmc_accession():
    (chelation,) = read_ris(fixture_text("ris/pmc_export_jour.ris"))
    assert chelation["pmid"] == "23690738"  # from "U1  - 23690738[pmid]"; AN is PMC3654245


def test_ris_scopus_export_joins_start_and_end_page_with_hyphen():
    assert read_ris(fixture_text("ris/scopus_export_jour.ris")) == [SCOPUS_COMPOSITE]


def test_read_export_reads_three_joined_ris_exports_in_order():
    text = "\n".join(
        fixture_text(f"ris/{name}")
        for name in ("scopus_export_jour.ris", "pubmed_export_jour.ris", "pmc_export_jour.ris")
    )
    assert read_export(text) == [SCOPUS_COMPOSITE, PUBMED_SMARTPHONE, PMC_CHELATION]


# BibTeX


def test_bibtex_latex_accents_become_unicode_author_names():
    text = "\n".join(
        fixture_text(f"bibtex/{name}")
        for name in (
            "article_doi_latex_umlaut.bib",
            "article_latex_accents_acute_caron.bib",
            "article_doi_journal_abbrev.bib",
        )
    )
    assert read_bibtex(text) == [BIBTEX_DASSLER, BIBTEX_PROCOPIO, BIBTEX_HAMMOND]


def test_bibtex_acm_library_gives_all_19_entries_with_bare_dois():
    records = read_bibtex(fixture_text("bibtex/acm_exports_mixed_library.bib"))
    assert [record["doi"] for record in records] == [
        "10.1007/s00779-005-0347-6",
        "10.1145/1137627.1137631",
        "10.1145/1132736.1132768",
        "10.1145/1137627.1137628",
        "10.1109/MIC.2008.67",
        "10.1145/820127.820136",
        "",
        "10.1145/1143120.1143122",
        "10.1145/1233341.1233448",
        "10.1109/MSP.2004.81",
        "10.1145/1314276.1314293",
        "10.1145/1358628.1358810",
        "10.1145/1137627.1137636",
        "10.1145/1182475.1182529",
        "10.1145/1073001.1073004",
        "",
        "",
        "10.1145/1137627.1137633",
        "10.1109/MSP.2004.81",
    ]


def test_bibtex_acm_entry_with_unbraced_accent_commands_and_wrapped_booktitle():
    records = read_bibtex(fixture_text("bibtex/acm_exports_mixed_library.bib"))
    assert records[1] == expected(
        kind="paper-conference",
        authors="Boström G; Wäyrynen J; Bodén M; Beznosov K; Kruchten P",
        title="Extending XP practices to support security requirements engineering",
        container_title="SESS '06: Proceedings of the 2006 international workshop on Software "
        "engineering for secure systems",
        year=2006,
        publisher="ACM",
        publisher_place="New York, NY, USA",
        pages="11-18",
        doi="10.1145/1137627.1137631",
    )
    assert records[14]["authors"] == (
        "de Paula R; Ding X; Dourish P; Nies K; Pillet B; Redmiles D; Ren J; Rode J; Filho RS"
    )


def test_bibtex_book_kind_and_von_particles_stay_with_family_name():
    records = read_bibtex(fixture_text("bibtex/acm_exports_mixed_library.bib"))
    assert records[6] == expected(
        kind="book",
        authors="Cranor L; Garfinkel S",
        title="Security and Usability",
        year=2005,
        publisher="O'Reilly Media, Inc.",
    )
    assert records[9] == expected(
        # "Sherry, John F., Jr." reads, by BibTeX's "Last, Jr, First" rule, as first name "Jr."
        authors="von Hippel E; Reagle JM; Sherry J; van den Huevel JA",
        title="Article with complex Authornames",
        container_title="IEEE Security and Privacy",
        journal_abbreviation="IEEE Secur Priv",  # ISO 4
        year=2004,
        # An article's publisher (ACM's address) is not in its reference.
        volume="2",
        issue="5",
        pages="25-31",
        doi="10.1109/MSP.2004.81",
    )


# PubMed MEDLINE


def test_medline_four_records_take_doi_from_aid_lines():
    records = read_medline(fixture_text("medline/pubmed_medline_4records.txt"))
    assert [(r["pmid"], r["doi"]) for r in records] == [
        ("16403221", "10.1186/1471-2105-7-10"),
        ("16377612", "10.1093/bioinformatics/btk021"),
        ("14871861", "10.1093/bioinformatics/bth078"),
        ("14630660", ""),
    ]
    assert records[1] == expected(
        authors="Pritchard L; White JA; Birch PR; Toth IK",
        title="GenomeDiagram: a python package for the visualization of large-scale genomic data",
        container_title="Bioinformatics (Oxford, England)",
        journal_abbreviation="Bioinformatics",
        year=2006,
        month=3,
        day=1,
        published_online=date(2005, 12, 23),  # DEP
        volume="22",
        issue="5",
        pages="616-617",
        doi="10.1093/bioinformatics/btk021",
        pmid="16377612",
        publication_types=["Journal Article", "Research Support, Non-U.S. Gov't"],
    )
    assert records[3] == expected(
        authors="Hamelryck T; Manderick B",
        title="PDB file parser and structure class implemented in Python",
        container_title="Bioinformatics (Oxford, England)",
        journal_abbreviation="Bioinformatics",
        year=2003,
        month=11,
        day=22,
        volume="19",
        issue="17",
        pages="2308-2310",
        pmid="14630660",
        publication_types=[
            "Comparative Study",
            "Evaluation Studies",
            "Journal Article",
            "Research Support, Non-U.S. Gov't",
            "Validation Studies",
        ],
        # "Comparative Study" says nothing about the design patients should read: not set.
    )


def test_medline_ahead_of_print_record_has_no_volume_and_unwrapped_title():
    assert read_medline(fixture_text("medline/pubmed_medline_aheadofprint.txt")) == [
        MEDLINE_AHEAD_OF_PRINT
    ]


def test_medline_doi_comes_from_lid_line():
    assert read_medline(fixture_text("medline/pubmed_medline_lid_doi.txt")) == [MEDLINE_HIFU]


def test_read_export_reads_two_joined_medline_exports():
    text = (
        fixture_text("medline/pubmed_medline_aheadofprint.txt")
        + "\n\n"
        + fixture_text("medline/pubmed_medline_lid_doi.txt")
    )
    assert read_export(text) == [MEDLINE_AHEAD_OF_PRINT, MEDLINE_HIFU]


def test_medline_text_without_pmid_or_title_fails_with_message():
    with pytest.raises(ImportFailed) as failure:
        read_medline("AB  - Only an abstract line.\n")
    assert str(failure.value) == (
        "This does not read as PubMed MEDLINE: no PMID or TI lines found."
    )


# CSL-JSON


def test_csl_json_two_zotero_exports_merged_into_one_list():
    merged = [
        *json.loads(fixture_text("csl-json/article_journal_from_doi_org.csl.json")),
        *json.loads(fixture_text("csl-json/article_journal_issue_range.csl.json")),
    ]
    assert read_csl_json(json.dumps(merged)) == [CSL_WIKIDATA, CSL_EURASIA]


def test_csl_json_characters_no_page_can_show_are_dropped_not_refused():
    item = json.loads(fixture_text("csl-json/article_journal_issue_range.csl.json"))[0]
    item["title"] = "Coexistence\u0000 or competition\u0085\ud800 for\u001f resources"
    item["container-title"] = "Eurasian\u0001 Geography\ufffe and Economics"
    [found] = read_csl_json(json.dumps(item))  # JSON escapes: \u0000 and so on
    assert found["title"] == "Coexistence or competition for resources"
    assert found["container_title"] == "Eurasian Geography and Economics"
    assert found["authors"] == CSL_EURASIA["authors"]


def test_read_export_reads_csl_json_issue_range_export():
    assert read_export(fixture_text("csl-json/article_journal_issue_range.csl.json")) == [
        CSL_EURASIA
    ]


def test_csl_json_from_crossref_content_negotiation():
    body = cassette_body("crossref/content_negotiation_csl_json_10.1126_science.169.3946.635.yaml")
    assert read_csl_json(body) == [
        expected(
            authors="Frank HS",
            title="The Structure of Ordinary Water",
            container_title="Science",
            journal_abbreviation="Science",
            year=1970,
            month=8,
            day=14,
            volume="169",
            issue="3946",
            pages="635-641",
            doi="10.1126/science.169.3946.635",
        )
    ]


def test_csl_json_without_title_is_refused():
    with pytest.raises(ImportFailed) as failure:
        read_csl_json(json.dumps([{"DOI": "10.1093/llc/fqac083"}]))
    assert str(failure.value) == "This JSON is not CSL-JSON: every item needs at least a title."


def test_csl_json_refuses_crossrefs_plain_text_not_found_answer():
    body = cassette_body("crossref/works_404_not_found.yaml")
    with pytest.raises(ImportFailed) as failure:
        read_csl_json(body)
    assert str(failure.value) == (
        "This does not read as CSL-JSON: Expecting value: line 1 column 1 (char 0)"
    )


# Crossref /works answers


def test_crossref_works_answer_with_plos_correction_is_marked_corrected():
    body = cassette_body("crossref/works_10.1371_journal.pone.0033693.yaml")
    assert read_csl_json(body) == [
        expected(
            authors="Sadasivan S; Pond BB; Pani AK; Qu C; Jiao Y; Smeyne RJ",
            title="Methylphenidate Exposure Induces Dopamine Neuron Loss and Activation of "
            "Microglia in the Basal Ganglia of Mice",
            container_title="PLoS ONE",
            journal_abbreviation="PLoS ONE",  # Crossref's short title is the title
            year=2012,
            month=3,
            day=21,
            published_online=date(2012, 3, 21),
            volume="7",
            issue="3",
            pages="e33693",
            doi="10.1371/journal.pone.0033693",
            retraction_status="corrected",
            retraction_notice_url="https://doi.org/10.1371/annotation/"
            "c76da2c1-ccb8-4797-94c1-359d3ceceeda",
        )
    ]


def test_crossref_retraction_notice_itself_is_not_marked_retracted():
    assert read_csl_json(fixture_text(LANCET_NOTICE)) == [
        expected(
            authors="Mehra MR; Ruschitzka F; Patel AN",
            title="Retraction—Hydroxychloroquine or chloroquine with or without a macrolide for "
            "treatment of COVID-19: a multinational registry analysis",
            container_title="The Lancet",
            journal_abbreviation="Lancet",
            year=2020,
            month=6,
            volume="395",
            issue="10240",
            pages="1820",
            doi="10.1016/s0140-6736(20)31324-6",
        )
    ]


def test_crossref_retracted_lancet_paper_is_marked_retracted_with_notice():
    assert read_csl_json(fixture_text(LANCET_RETRACTED)) == [
        expected(
            authors="Mehra MR; Desai SS; Ruschitzka F; Patel AN",
            title="RETRACTED: Hydroxychloroquine or chloroquine with or without a macrolide for "
            "treatment of COVID-19: a multinational registry analysis",
            container_title="The Lancet",
            journal_abbreviation="Lancet",
            year=2020,
            month=5,  # online only: never in an issue
            doi="10.1016/s0140-6736(20)31180-6",
            retraction_status="retracted",
            retraction_notice_url="https://doi.org/10.1016/s0140-6736(20)31324-6",
        )
    ]


# PubMed E-utilities XML


def test_pubmed_xml_review_and_doi_from_article_id_list():
    assert read_pubmed_xml(fixture_text("eutils/efetch_pubmed_2records.xml")) == [
        PUBMED_AIDS_REVIEW,
        PUBMED_FLAVOCYTOCHROME,
    ]


def test_pubmed_xml_accepts_bytes():
    xml = (FIXTURES / "eutils/efetch_pubmed_2records.xml").read_bytes()
    assert [record["pmid"] for record in read_pubmed_xml(xml)] == ["12091962", "9997"]


def test_pubmed_xml_retracted_publication_links_the_retraction_notice():
    assert read_pubmed_xml(fixture_text("eutils/efetch_pubmed_retracted_publication.xml")) == [
        expected(
            authors="Last Name Initial",  # the fixture's authors anonymised the author list
            title="CREB-binding [corrected] protein interacts with the homeodomain protein Cdx2 "
            "and enhances transcriptional activity",
            container_title="The Journal of biological chemistry",
            journal_abbreviation="J Biol Chem",
            year=1999,
            month=3,
            day=12,
            volume="274",
            issue="11",
            pages="7196-7199",
            pmid="10066780",
            publication_types=[
                "Journal Article",
                "Research Support, Non-U.S. Gov't",
                "Research Support, U.S. Gov't, P.H.S.",
                "Retracted Publication",
            ],
            retraction_status="retracted",
            retraction_notice_url="https://pubmed.ncbi.nlm.nih.gov/11905463/",
        )
    ]


def test_pubmed_xml_retraction_notice_is_not_itself_retracted():
    (notice,) = read_pubmed_xml(fixture_text("eutils/efetch_pubmed_retraction_notice.xml"))
    assert notice == expected(
        title="Retraction Notice",
        container_title="Journal of international oral health : JIOH",
        journal_abbreviation="J Int Oral Health",
        year=2016,
        month=5,
        volume="8",
        issue="5",
        pages="650",
        pmid="27508352",
        publication_types=["RETRACTION OF PUBLICATION"],
    )


def test_pubmed_xml_that_does_not_parse_fails_with_message():
    truncated = fixture_text("eutils/efetch_pubmed_2records.xml")[:300]
    with pytest.raises(ImportFailed, match=r"^PubMed's answer could not be read: "):
        read_pubmed_xml(truncated)


# Evidence type from PubMed publication types


@pytest.mark.parametrize(
    ("types", "evidence"),
    [
        (["Journal Article", "Meta-Analysis"], Source.EvidenceType.SYSTEMATIC_REVIEW),
        (["Systematic Review", "Review"], Source.EvidenceType.SYSTEMATIC_REVIEW),
        (["Practice Guideline"], Source.EvidenceType.GUIDELINE),
        (["Randomized Controlled Trial", "Comparative Study"], Source.EvidenceType.RCT),
        (["Clinical Trial, Phase III"], Source.EvidenceType.PHASE_3),
        (["Clinical Trial, Phase II"], Source.EvidenceType.PHASE_2),
        (["Clinical Trial, Phase I"], Source.EvidenceType.PHASE_1),
        ([" observational study "], Source.EvidenceType.OBSERVATIONAL),
        (["Case Reports"], Source.EvidenceType.CASE_REPORT),
        (["Journal Article", "Review"], Source.EvidenceType.NARRATIVE_REVIEW),
        # Nothing PubMed says names a design: left for a reviewer to set, never "Other".
        (["Journal Article", "Editorial"], Source.EvidenceType.NOT_SET),
        ([], Source.EvidenceType.NOT_SET),
    ],
)
def test_evidence_from_publication_types_takes_strongest_known_type(types, evidence):
    assert evidence_from_publication_types(types) == evidence


def test_evidence_values_are_the_model_choices():
    assert evidence_from_publication_types(["Clinical Trial, Phase I"]) == "phase-1"
    assert evidence_from_publication_types(["Meta-Analysis"]) == "systematic-review"
    assert evidence_from_publication_types(["Letter"]) == ""


# What each reader keeps for AMA's reference types (issue 25)


@pytest.mark.parametrize(
    ("read", "name", "kept_as"),
    [
        (read_export, "ris/pubmed_export_jour.ris", "ris"),
        (read_export, "bibtex/acm_exports_mixed_library.bib", "bibtex"),
        (read_export, "medline/pubmed_medline_4records.txt", "medline"),
        (read_export, "csl-json/article_journal_from_doi_org.csl.json", "csl-json"),
        (read_csl_json, LANCET_RETRACTED, "crossref"),
        (read_pubmed_xml, "eutils/efetch_pubmed_2records.xml", "pubmed-xml"),
    ],
)
def test_every_reader_keeps_what_it_read_and_reads_it_again_the_same(read, name, kept_as):
    from citations.importers.kept import reread

    records = read(fixture_text(name))
    for record in records:
        assert record["imported_record"]["format"] == kept_as
        kept = json.loads(json.dumps(record["imported_record"], default=str))  # as stored
        again = reread(kept)
        assert again == Record({k: v for k, v in record.items() if k != "imported_record"})


def test_a_crossref_title_keeps_its_italic_and_subscript_and_drops_other_markup():
    item = json.loads(fixture_text(LANCET_NOTICE))["message"]
    item["title"] = [
        "<jats:italic>Mycobacterium tuberculosis</jats:italic> and CO<jats:sub>2</jats:sub> "
        "in <scp>COVID</scp>-19 &amp; <i>in vitro</i>"
    ]
    [record] = read_csl_json(json.dumps(item))
    assert record["title"] == (
        "<i>Mycobacterium tuberculosis</i> and CO<sub>2</sub> in COVID-19 & <i>in vitro</i>"
    )


def test_a_pubmed_title_keeps_its_italic():
    xml = fixture_text("eutils/efetch_pubmed_2records.xml").replace(
        "Magnetic studies of Chromatium flavocytochrome C552.",
        "Magnetic studies of <i>Chromatium</i> flavocytochrome C<sub>552</sub>.",
    )
    titles = [record["title"] for record in read_pubmed_xml(xml)]
    assert titles[1].startswith("Magnetic studies of <i>Chromatium</i> flavocytochrome C<sub>552")


CHAPTER_RIS = """TY  - CHAP
AU  - Higgins, Julian P. T.
AU  - Li, Tianjing
AU  - Deeks, Jonathan J.
TI  - Choosing effect measures and computing estimates of effect
T2  - Cochrane Handbook for Systematic Reviews of Interventions
A2  - Higgins, Julian P. T.
A2  - Thomas, James
ET  - 2
PB  - John Wiley & Sons
CY  - Chichester, UK
PY  - 2019
SP  - 143
EP  - 176
DO  - 10.1002/9781119536604.ch6
ER  -
"""

CONFERENCE_BIBTEX = """@inproceedings{ronneberger2015,
  author = {Ronneberger, Olaf and Fischer, Philipp and Brox, Thomas},
  title = {U-Net: Convolutional Networks for Biomedical Image Segmentation},
  booktitle = {Medical Image Computing and Computer-Assisted Intervention -- MICCAI 2015},
  editor = {Navab, Nassir and Hornegger, Joachim and Wells, William M. and Frangi, Alejandro F.},
  eventtitle = {18th International Conference on Medical Image Computing},
  venue = {Munich, Germany},
  publisher = {Springer}, address = {Cham},
  year = {2015}, month = oct, pages = {234--241},
  doi = {10.1007/978-3-319-24574-4_28},
  urldate = {2026-12-07}
}
"""


def test_a_ris_chapter_keeps_its_book_editors_edition_and_publisher():
    [record] = read_ris(CHAPTER_RIS)
    assert record == expected(
        kind="chapter",
        authors="Higgins JPT; Li T; Deeks JJ",
        title="Choosing effect measures and computing estimates of effect",
        container_title="Cochrane Handbook for Systematic Reviews of Interventions",
        editors="Higgins JPT; Thomas J",
        edition="2",
        publisher="John Wiley & Sons",
        publisher_place="Chichester, UK",
        year=2019,
        pages="143-176",
        doi="10.1002/9781119536604.ch6",
    )


def test_a_bibtex_conference_paper_keeps_its_proceedings_and_conference():
    [record] = read_bibtex(CONFERENCE_BIBTEX)
    assert record == expected(
        kind="paper-conference",
        authors="Ronneberger O; Fischer P; Brox T",
        title="U-Net: Convolutional Networks for Biomedical Image Segmentation",
        container_title="Medical Image Computing and Computer-Assisted Intervention – MICCAI 2015",
        editors="Navab N; Hornegger J; Wells WM; Frangi AF",
        publisher="Springer",
        publisher_place="Cham",
        event="18th International Conference on Medical Image Computing",
        event_place="Munich, Germany",
        year=2015,
        month=10,
        pages="234-241",
        doi="10.1007/978-3-319-24574-4_28",
        accessed=date(2026, 12, 7),
    )


def test_a_conference_paper_without_proceedings_is_a_presentation():
    records = read_bibtex(fixture_text("bibtex/acm_exports_mixed_library.bib"))
    rozinov = next(r for r in records if r["authors"] == "Rozinov K")
    assert rozinov["kind"] == "speech" and rozinov["container_title"] == ""


# Made after a real PubMed Bookshelf record (GeneReviews, "Send to: Citation manager"):
# Bio.Medline gives the book tags it does not know (BTI, PB, CY) as lists.
BOOKSHELF_MEDLINE = """PMID- 20301620
STAT- Publisher
DP  - 1993
TI  - Spinal Muscular Atrophy
BTI - GeneReviews(R)
AB  - The spectrum of spinal muscular atrophy ranges from prenatal onset to adult onset.
CP  - Copyright (c) 1993-2024, University of Washington, Seattle.
FAU - Prior, Thomas W
AU  - Prior TW
FED - Adam, Margaret P
ED  - Adam MP
FED - Feldman, Jerry
ED  - Feldman J
LA  - eng
PT  - Review
PT  - Book Chapter
PL  - Seattle (WA)
PB  - University of Washington, Seattle
CY  - Seattle (WA)
EDAT- 2010/03/20 06:00
CRDT- 2010/03/20 06:00
AID - NBK1352 [bookaccession]
"""


def test_a_pubmed_bookshelf_chapter_keeps_its_book_as_text():
    [record] = read_medline(BOOKSHELF_MEDLINE)
    assert record == expected(
        kind="chapter",
        authors="Prior TW",
        title="Spinal Muscular Atrophy",
        container_title="GeneReviews(R)",
        editors="Adam MP; Feldman J",
        publisher="University of Washington, Seattle",
        publisher_place="Seattle (WA)",
        year=1993,
        pmid="20301620",
        publication_types=["Review", "Book Chapter"],
        evidence_type="narrative-review",
    )


@pytest.mark.parametrize(
    "title",
    [
        "Mortality in adults aged <or=65 years and >or=80 years",  # NLM's ≤ and ≥
        "Ratio of A<B and C>D in cohorts",
    ],
)
def test_a_title_keeps_text_that_only_looks_like_a_tag(title):
    item = json.loads(fixture_text(LANCET_NOTICE))["message"]
    item["title"] = [title]
    [record] = read_csl_json(json.dumps(item))
    assert record["title"] == title


def test_a_pubmed_title_keeps_its_escaped_text_and_drops_mathml_tags():
    xml = fixture_text("eutils/efetch_pubmed_2records.xml").replace(
        "Magnetic studies of Chromatium flavocytochrome C552.",
        "Magnetic studies in &lt;or=65 years of "
        '<math xmlns="http://www.w3.org/1998/Math/MathML"><mi>R</mi></math> values.',
    )
    titles = [record["title"] for record in read_pubmed_xml(xml)]
    assert titles[1].startswith("Magnetic studies in <or=65 years of R values")


def test_a_csl_season_is_no_month():
    item = json.loads(fixture_text("csl-json/article_journal_issue_range.csl.json"))[0]
    item["issued"] = {"date-parts": [[2024, 13]]}  # CSL's spring
    [record] = read_csl_json(json.dumps([item]))
    assert (record["year"], record["month"], record["day"]) == (2024, None, None)


# Made after a real efetch answer for a PubMed Bookshelf PMID (the pubmed_250101 DTD's
# PubmedBookArticle), as a PMID lookup of a GeneReviews chapter gets it.
BOOKSHELF_XML = """<?xml version="1.0" ?>
<PubmedArticleSet>
<PubmedBookArticle>
  <BookDocument>
    <PMID Version="1">20301526</PMID>
    <ArticleIdList><ArticleId IdType="bookaccession">NBK1526</ArticleId></ArticleIdList>
    <Book>
      <Publisher>
        <PublisherName>University of Washington, Seattle</PublisherName>
        <PublisherLocation>Seattle (WA)</PublisherLocation>
      </Publisher>
      <BookTitle book="gene">GeneReviews<sup>®</sup></BookTitle>
      <PubDate><Year>1993</Year></PubDate>
      <BeginningDate><Year>1993</Year></BeginningDate>
      <AuthorList Type="editors">
        <Author ValidYN="Y"><LastName>Adam</LastName><ForeName>Margaret P</ForeName>
          <Initials>MP</Initials></Author>
        <Author ValidYN="Y"><LastName>Feldman</LastName><ForeName>Jerry</ForeName>
          <Initials>J</Initials></Author>
      </AuthorList>
      <Medium>Internet</Medium>
    </Book>
    <LocationLabel Type="chapter">Huntington Disease</LocationLabel>
    <ArticleTitle book="gene" part="hd">Huntington Disease</ArticleTitle>
    <Language>eng</Language>
    <AuthorList Type="authors">
      <Author ValidYN="Y"><LastName>Caron</LastName><ForeName>Nicholas S</ForeName>
        <Initials>NS</Initials></Author>
      <Author ValidYN="Y"><LastName>Wright</LastName><ForeName>Galen EB</ForeName>
        <Initials>GEB</Initials></Author>
    </AuthorList>
    <PublicationType UI="D016454">Review</PublicationType>
  </BookDocument>
  <PubmedBookData><History/><PublicationStatus>ppublish</PublicationStatus></PubmedBookData>
</PubmedBookArticle>
</PubmedArticleSet>"""


def test_a_pubmed_lookup_of_a_bookshelf_chapter_keeps_its_book():
    [record] = read_pubmed_xml(BOOKSHELF_XML)
    assert record == expected(
        kind="chapter",
        authors="Caron NS; Wright GEB",
        title="Huntington Disease",
        container_title="GeneReviews<sup>®</sup>",
        editors="Adam MP; Feldman J",
        publisher="University of Washington, Seattle",
        publisher_place="Seattle (WA)",
        year=1993,
        pmid="20301526",
        publication_types=["Review"],
        evidence_type="narrative-review",
    )
    assert format_reference(Source(**record)).startswith(
        "Caron NS, Wright GEB. Huntington Disease. In: Adam MP, Feldman J, eds. "
        "<i>GeneReviews<sup>®</sup></i>. University of Washington, Seattle; 1993."
    )
