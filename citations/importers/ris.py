"""
RIS exports (PubMed, PMC, Scopus, reference managers), read by rispy.

RIS is a family of dialects rather than one format: each exporter puts the journal name
and the PubMed ID under different tags, so the reader tries the tags in a fixed order of
preference instead of trusting any one of them.
"""

import re

import rispy

from citations.importers.records import ImportFailed, author_name, pages, record, year_of
from citations.models import Source

RIS_KINDS = {"JOUR": "article-journal", "BOOK": "book", "CHAP": "chapter", "RPRT": "report",
             "ELEC": "webpage", "WEB": "webpage"}  # fmt: skip


def read_ris(text):
    try:
        entries = rispy.loads(text.lstrip("\ufeff"))
    except Exception as error:  # rispy raises several kinds on malformed files
        raise ImportFailed(f"This does not read as RIS: {error}") from error
    records = []
    for entry in entries:
        pmid = ris_pmid(entry)
        records.append(
            record(
                kind=RIS_KINDS.get(entry.get("type_of_reference", ""), Source.Kind.ARTICLE),
                authors="; ".join(
                    author_name(*(name.split(",", 1) + [""])[:2])
                    for name in entry.get("authors", []) + entry.get("first_authors", [])
                ),
                title=entry.get("title")
                or entry.get("primary_title")
                or entry.get("short_title")
                or "",
                # Full journal name first (JO, JF, T2), abbreviations (JA, J2) last.
                container_title=entry.get("journal_name")
                or entry.get("alternate_title3")
                or entry.get("secondary_title")
                or entry.get("alternate_title2")
                or entry.get("alternate_title1")
                or "",
                journal_abbreviation=entry.get("alternate_title1")  # J2
                or entry.get("alternate_title2")  # JA
                or next(iter(entry.get("unknown_tag", {}).get("J1", [])), ""),  # PMC's
                year=year_of(entry.get("year") or entry.get("publication_year")),
                volume=entry.get("volume", ""),
                issue=entry.get("number", ""),
                pages=pages(entry.get("start_page", ""), entry.get("end_page", "")),
                doi=entry.get("doi", ""),
                pmid=pmid,
                url=next(iter(entry.get("urls", []) or []), ""),
            )
        )
    return records


def ris_pmid(entry):
    """PubMed's RIS puts the PMID in AN; PMC's only in a user field as "23690738[pmid]"."""
    accession = str(entry.get("accession_number", ""))
    if accession.isdigit():
        return accession
    user_fields = entry.get("unknown_tag", {})  # rispy keeps U1…U5 here
    for tag in ("U1", "U2", "U3", "U4", "U5"):
        for value in user_fields.get(tag, []):
            match = re.fullmatch(r"\s*(\d+)\s*\[pmid\]\s*", value, re.IGNORECASE)
            if match:
                return match.group(1)
    return ""
