"""Looking references up at Crossref and PubMed, with HTTP answered by `responses`.

The answers are real recorded responses from tests/fixtures (see its README.md); only the
empty and garbage bodies of the failure tests are made up. Any request not registered here
fails, so these tests never reach the network.
"""

from datetime import date
from pathlib import Path

import pytest
import requests
import responses
import yaml
from responses import matchers

from citations.lookups import (
    EFETCH,
    LookupFailed,
    identifiers_in,
    lookup_doi,
    lookup_identifiers,
    lookup_pmids,
    retraction_of,
)
from citations.models import Source
from citations.tests.test_importers import (
    PUBMED_AIDS_REVIEW,
    PUBMED_FLAVOCYTOCHROME,
    expected,
    fixture_text,
)

FIXTURES = Path(__file__).parent / "fixtures"
# A record's journal abbreviation may come from the library.
pytestmark = pytest.mark.django_db
# Crossref's real address: CROSSREF_API_URL is unset in the tests.
CROSSREF_WORKS = "https://api.crossref.org/works/"

PLOS_DOI = "10.1371/journal.pone.0033693"
LANCET_DOI = "10.1016/s0140-6736(20)31180-6"
LANCET_NOTICE_DOI = "10.1016/s0140-6736(20)31324-6"


def recorded(name):
    """The first request/response pair of a vcrpy cassette."""
    return yaml.safe_load(fixture_text(name))["interactions"][0]


PLOS_METHYLPHENIDATE = expected(
    authors="Sadasivan S; Pond BB; Pani AK; Qu C; Jiao Y; Smeyne RJ",
    title="Methylphenidate Exposure Induces Dopamine Neuron Loss and Activation of Microglia in "
    "the Basal Ganglia of Mice",
    container_title="PLoS ONE",
    # ISO 4 keeps the title's "ONE" (NLM writes "PLoS One"): Crossref's short title is the
    # title, and no other source of the journal is in the library.
    journal_abbreviation="PLoS ONE",
    year=2012,
    month=3,
    day=21,
    published_online=date(2012, 3, 21),
    volume="7",
    issue="3",
    pages="e33693",
    doi=PLOS_DOI,
    retraction_status="corrected",
    retraction_notice_url="https://doi.org/10.1371/annotation/c76da2c1-ccb8-4797-94c1-359d3ceceeda",
)


EFETCH_2RECORDS = "eutils/efetch_pubmed_2records.xml"


@pytest.fixture
def http():
    """Answers HTTP requests; an unregistered request raises ConnectionError."""
    with responses.RequestsMock() as mock:
        yield mock


@pytest.fixture
def timeout(settings):
    settings.LOOKUP_TIMEOUT_SECONDS = 7
    return 7


def serve_plos(http):
    interaction = recorded("crossref/works_10.1371_journal.pone.0033693.yaml")
    http.get(
        CROSSREF_WORKS + PLOS_DOI,
        body=interaction["response"]["content"],
        status=interaction["response"]["status_code"],
        content_type="application/json",
    )


def serve_not_found(http):
    interaction = recorded("crossref/works_404_not_found.yaml")
    http.get(
        interaction["request"]["uri"],
        body=interaction["response"]["content"],
        status=interaction["response"]["status_code"],
        content_type="text/plain",
    )


def serve_efetch(http, ids, name=EFETCH_2RECORDS):
    http.get(
        EFETCH,
        body=(FIXTURES / name).read_bytes(),
        content_type="text/xml",
        match=[matchers.query_param_matcher({"db": "pubmed", "id": ids, "retmode": "xml"})],
    )


# Crossref: lookup_doi


def test_lookup_doi_gives_crossref_record_with_its_correction_notice(http):
    serve_plos(http)
    assert lookup_doi(PLOS_DOI) == PLOS_METHYLPHENIDATE


def test_lookup_doi_asks_crossref_with_timeout_and_contact_address(http, settings, timeout):
    settings.CROSSREF_MAILTO = "editors@example.org"
    serve_plos(http)
    lookup_doi(PLOS_DOI)
    (call,) = http.calls
    assert call.request.url == "https://api.crossref.org/works/10.1371/journal.pone.0033693"
    assert call.request.req_kwargs["timeout"] == 7
    assert call.request.headers["User-Agent"] == "qasite/1.0 (mailto:editors@example.org)"


def test_lookup_doi_unknown_to_crossref_asks_editor_to_check_typing(http):
    serve_not_found(http)
    with pytest.raises(LookupFailed) as failure:
        lookup_doi("10.1371/notarealdoi")
    assert str(failure.value) == (
        "Crossref knows no DOI 10.1371/notarealdoi. Check it for typing mistakes."
    )


@pytest.mark.parametrize("error", [requests.exceptions.ConnectTimeout, requests.ReadTimeout])
def test_lookup_doi_timeout_says_nothing_was_saved(http, timeout, error):
    http.get(CROSSREF_WORKS + PLOS_DOI, body=error())
    with pytest.raises(LookupFailed) as failure:
        lookup_doi(PLOS_DOI)
    message = str(failure.value)
    assert "did not answer within 7 seconds" in message
    assert "Nothing was saved" in message
    assert message == (
        "Crossref did not answer within 7 seconds. Nothing was saved; try again later, or "
        "paste the reference as RIS or BibTeX."
    )


def test_lookup_doi_connection_error_says_crossref_could_not_be_reached(http):
    http.get(CROSSREF_WORKS + PLOS_DOI, body=requests.ConnectionError("Name or service unknown"))
    with pytest.raises(LookupFailed) as failure:
        lookup_doi(PLOS_DOI)
    assert str(failure.value) == (
        "Crossref could not be reached (ConnectionError). Nothing was saved."
    )


def test_lookup_doi_server_error_gives_crossrefs_status(http):
    http.get(CROSSREF_WORKS + PLOS_DOI, body="", status=503)
    with pytest.raises(LookupFailed) as failure:
        lookup_doi(PLOS_DOI)
    assert str(failure.value) == "Crossref answered 503 for DOI 10.1371/journal.pone.0033693."


def test_lookup_doi_answer_that_is_not_json_cannot_be_read(http):
    http.get(CROSSREF_WORKS + PLOS_DOI, body="<html>Service Unavailable</html>", status=200)
    with pytest.raises(LookupFailed) as failure:
        lookup_doi(PLOS_DOI)
    assert str(failure.value) == (
        "Crossref's answer for DOI 10.1371/journal.pone.0033693 could not be read."
    )


# Crossref: retraction_of


def test_retraction_of_retracted_lancet_paper_links_its_retraction_notice(http):
    http.get(
        CROSSREF_WORKS + LANCET_DOI,
        body=fixture_text(f"crossref/works_retracted_{LANCET_DOI.replace('/', '_')}.json"),
        content_type="application/json",
    )
    assert retraction_of(LANCET_DOI) == {
        "retraction_status": "retracted",
        "retraction_notice_url": "https://doi.org/10.1016/s0140-6736(20)31324-6",
    }
    assert http.calls[0].request.url == (
        "https://api.crossref.org/works/10.1016/s0140-6736(20)31180-6"
    )


def test_retraction_of_the_retraction_notice_itself_finds_nothing(http):
    name = f"crossref/works_retraction_notice_{LANCET_NOTICE_DOI.replace('/', '_')}.json"
    http.get(CROSSREF_WORKS + LANCET_NOTICE_DOI, body=fixture_text(name))
    assert retraction_of(LANCET_NOTICE_DOI) == {}


def test_retraction_of_corrected_plos_paper_is_corrected(http):
    serve_plos(http)
    assert retraction_of(PLOS_DOI) == {
        "retraction_status": "corrected",
        "retraction_notice_url": "https://doi.org/10.1371/annotation/"
        "c76da2c1-ccb8-4797-94c1-359d3ceceeda",
    }


def test_retraction_of_unknown_doi_fails_like_lookup(http):
    serve_not_found(http)
    with pytest.raises(LookupFailed, match=r"^Crossref knows no DOI 10\.1371/notarealdoi\."):
        retraction_of("10.1371/notarealdoi")


# PubMed: lookup_pmids


def test_lookup_pmids_gives_records_in_the_order_asked(http):
    serve_efetch(http, "9997,12091962")
    assert lookup_pmids(["9997", "12091962"]) == [PUBMED_FLAVOCYTOCHROME, PUBMED_AIDS_REVIEW]


def test_lookup_pmids_asks_efetch_for_pubmed_xml_with_timeout(http, timeout):
    serve_efetch(http, "12091962,9997")
    lookup_pmids(["12091962", "9997"])
    (call,) = http.calls
    assert call.request.url == (
        "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/efetch.fcgi"
        "?db=pubmed&id=12091962%2C9997&retmode=xml"
    )
    assert call.request.req_kwargs["timeout"] == 7


def test_lookup_pmids_leaves_out_pmids_pubmed_did_not_return(http):
    serve_efetch(http, "12091962,123")
    assert lookup_pmids(["12091962", "123"]) == [PUBMED_AIDS_REVIEW]


def test_lookup_pmids_server_error_gives_pubmeds_status(http):
    http.get(EFETCH, body="", status=500)
    with pytest.raises(LookupFailed) as failure:
        lookup_pmids(["9997"])
    assert str(failure.value) == "PubMed answered 500."


def test_lookup_pmids_unreadable_xml_fails_with_message(http):
    truncated = (FIXTURES / EFETCH_2RECORDS).read_bytes()[:300]
    http.get(EFETCH, body=truncated, content_type="text/xml")
    with pytest.raises(LookupFailed, match=r"^PubMed's answer could not be read: "):
        lookup_pmids(["9997"])


def test_lookup_pmids_timeout_says_nothing_was_saved(http, timeout):
    http.get(EFETCH, body=requests.ReadTimeout())
    with pytest.raises(LookupFailed) as failure:
        lookup_pmids(["9997"])
    assert str(failure.value) == (
        "PubMed did not answer within 7 seconds. Nothing was saved; try again later, or "
        "paste the reference as RIS or BibTeX."
    )


# lookup_identifiers


def test_lookup_identifiers_reports_pmid_pubmed_does_not_know(http):
    serve_plos(http)
    serve_efetch(http, "12091962,123")
    records, problems = lookup_identifiers([PLOS_DOI], ["12091962", "123"])
    assert records == [PLOS_METHYLPHENIDATE, PUBMED_AIDS_REVIEW]
    assert problems == ["PubMed knows no article with PMID 123."]


def test_lookup_identifiers_keeps_going_after_unknown_doi(http):
    serve_not_found(http)
    serve_plos(http)
    records, problems = lookup_identifiers(["10.1371/notarealdoi", PLOS_DOI], [])
    assert records == [PLOS_METHYLPHENIDATE]
    assert problems == ["Crossref knows no DOI 10.1371/notarealdoi. Check it for typing mistakes."]
    assert len(http.calls) == 2  # no PubMed request without PMIDs


def test_lookup_identifiers_pubmed_timeout_is_one_problem_for_all_pmids(http, timeout):
    serve_plos(http)
    http.get(EFETCH, body=requests.ConnectTimeout())
    records, problems = lookup_identifiers([PLOS_DOI], ["12091962", "9997"])
    assert records == [PLOS_METHYLPHENIDATE]
    assert problems == [
        "PubMed did not answer within 7 seconds. Nothing was saved; try again later, or "
        "paste the reference as RIS or BibTeX."
    ]


# identifiers_in


def test_identifiers_in_reads_mixed_dois_and_pmids_ignoring_blank_lines():
    text = (
        "https://doi.org/10.1371/journal.pone.0033693\n"
        "\n"
        "PMID: 12091962\n"
        "   \n"
        "doi:10.1016/S0140-6736(20)31180-6;\n"
        "pmid 9997,\n"
        "10.1126/science.169.3946.635\n"
    )
    assert identifiers_in(text) == (
        [PLOS_DOI, "10.1016/S0140-6736(20)31180-6", "10.1126/science.169.3946.635"],
        ["12091962", "9997"],
    )


@pytest.mark.parametrize(
    "text",
    [
        "10.1371/journal.pone.0033693\nSadasivan S. Methylphenidate exposure. PLoS One. 2012",
        fixture_text("ris/pubmed_export_jour.ris"),
        "",
        "\n  \n",
    ],
)
def test_identifiers_in_gives_none_unless_every_line_is_an_identifier(text):
    assert identifiers_in(text) is None


def test_identifiers_in_accepts_fifty_identifiers():
    dois, pmids = identifiers_in("\n".join(str(10000 + n) for n in range(50)))
    assert (dois, len(pmids)) == ([], 50)


def test_identifiers_in_refuses_more_than_fifty():
    text = "\n".join([PLOS_DOI] * 26 + [str(10000 + n) for n in range(25)])
    with pytest.raises(LookupFailed) as failure:
        identifiers_in(text)
    assert str(failure.value) == "Look up at most 50 identifiers at a time."


def test_lookups_reuse_one_connection_and_follow_the_configured_address(settings):
    """check_retractions asks about thousands of DOIs: one kept-alive connection, not a
    new one (and a TLS handshake) for each; the address is a setting."""
    from citations.tests import recorded_crossref

    record = yaml.safe_load(fixture_text("crossref/works_10.1371_journal.pone.0033693.yaml"))
    body = record["interactions"][0]["response"]["content"].encode()
    server, seen = recorded_crossref.serve(body)
    settings.CROSSREF_API_URL = f"http://127.0.0.1:{server.server_port}"
    try:
        for _ in range(3):  # the recorded record carries a correction notice
            assert retraction_of(PLOS_DOI)["retraction_status"] == Source.Retraction.CORRECTED
    finally:
        server.shutdown()
    assert [path for _, path in seen] == [f"/works/{PLOS_DOI}"] * 3
    assert len({client for client, _ in seen}) == 1
