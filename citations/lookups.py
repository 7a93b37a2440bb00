"""
Looking references up by identifier: DOIs at Crossref, PMIDs at NCBI E-utilities.

Every call has a timeout and turns failure into a LookupFailed with a message for the
editor. Nothing here saves anything: the records go to the editor for confirmation.
"""

import re
import threading
from urllib.parse import quote

import requests
from django.conf import settings

from citations.importers import ImportFailed, crossref_retraction, from_csl, read_pubmed_xml
from citations.models import normalize_doi

EFETCH = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/efetch.fcgi"
DOI = re.compile(r"^10\.\d{4,9}/\S+$")
PMID = re.compile(r"^\d{1,9}$")
MAX_IDENTIFIERS = 50
# One HTTP session per thread, so that check_retractions' thousands of requests reuse a
# connection instead of opening (and TLS-negotiating) one for each DOI.
_sessions = threading.local()


def _session():
    if not hasattr(_sessions, "session"):
        _sessions.session = requests.Session()
    return _sessions.session


class LookupFailed(Exception):
    """A lookup that did not give a record; the message says why, for the editor."""


def _get(url, service, **params):
    mailto = settings.CROSSREF_MAILTO
    headers = {"User-Agent": f"qasite/1.0{f' (mailto:{mailto})' if mailto else ''}"}
    timeout = settings.LOOKUP_TIMEOUT_SECONDS
    try:
        return _session().get(url, params=params, headers=headers, timeout=timeout)
    except requests.Timeout as error:
        raise LookupFailed(
            f"{service} did not answer within {timeout} seconds. Nothing was saved; "
            "try again later, or paste the reference as RIS or BibTeX."
        ) from error
    except requests.RequestException as error:
        raise LookupFailed(
            f"{service} could not be reached ({error.__class__.__name__}). Nothing was saved."
        ) from error


def crossref_message(doi):
    """Crossref's record of a DOI (the `message` of /works/{doi})."""
    works = f"{settings.CROSSREF_API_URL}/works/"
    response = _get(works + quote(doi, safe="/()<>;:"), "Crossref")
    if response.status_code == 404:
        raise LookupFailed(f"Crossref knows no DOI {doi}. Check it for typing mistakes.")
    if response.status_code != 200:
        raise LookupFailed(f"Crossref answered {response.status_code} for DOI {doi}.")
    try:
        return response.json()["message"]
    except (ValueError, KeyError) as error:
        raise LookupFailed(f"Crossref's answer for DOI {doi} could not be read.") from error


def lookup_doi(doi):
    return from_csl(crossref_message(doi), "crossref")


def retraction_of(doi):
    """{"retraction_status", "retraction_notice_url"} for a DOI, per Crossref ({} if none)."""
    return crossref_retraction(crossref_message(doi))


def lookup_pmids(pmids):
    """Records for the PubMed IDs that PubMed knows, in the order asked."""
    response = _get(EFETCH, "PubMed", db="pubmed", id=",".join(pmids), retmode="xml")
    if response.status_code != 200:
        raise LookupFailed(f"PubMed answered {response.status_code}.")
    try:
        records = {r["pmid"]: r for r in read_pubmed_xml(response.content)}
    except ImportFailed as error:
        raise LookupFailed(str(error)) from error
    return [records[pmid] for pmid in pmids if pmid in records]


def identifiers_in(text):
    """(DOIs, PMIDs) if every non-empty line of `text` is one, else None."""
    lines = [line.strip().rstrip(",;") for line in text.splitlines() if line.strip()]
    if not lines:
        return None
    dois, pmids = [], []
    for line in lines:
        cleaned = re.sub(r"^(?:pmid:?\s*)", "", line, flags=re.IGNORECASE)
        if PMID.match(cleaned):
            pmids.append(cleaned)
        elif DOI.match(normalize_doi(line)):
            dois.append(normalize_doi(line))
        else:
            return None
    if len(dois) + len(pmids) > MAX_IDENTIFIERS:
        raise LookupFailed(f"Look up at most {MAX_IDENTIFIERS} identifiers at a time.")
    return dois, pmids


def lookup_identifiers(dois, pmids):
    """(records, problems): what was found, and a message for each identifier that failed."""
    records, problems = [], []
    for doi in dois:
        try:
            records.append(lookup_doi(doi))
        except LookupFailed as error:
            problems.append(str(error))
    if pmids:
        try:
            found = lookup_pmids(pmids)
        except LookupFailed as error:
            problems.append(str(error))
        else:
            records.extend(found)
            known = {record["pmid"] for record in found}
            problems.extend(
                f"PubMed knows no article with PMID {pmid}." for pmid in pmids if pmid not in known
            )
    return records, problems
