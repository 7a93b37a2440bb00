"""
RIS exports (PubMed, PMC, Scopus, reference managers), read by rispy.

RIS is a family of dialects rather than one format: each exporter puts the journal name
and the PubMed ID under different tags, so the reader tries the tags in a fixed order of
preference instead of trusting any one of them.
"""

import re

import rispy

from citations.importers.records import (
    ImportFailed,
    author_name,
    calendar_date,
    date_of,
    own_abbreviation,
    pages,
    record,
)
from citations.models import Source

RIS_KINDS = {"JOUR": "article-journal", "EJOUR": "article-journal", "BOOK": "book",
             "EBOOK": "book", "EDBOOK": "book", "CHAP": "chapter", "ECHAP": "chapter",
             "CONF": "paper-conference", "CPAPER": "paper-conference", "SLIDE": "speech",
             "RPRT": "report", "GOVDOC": "report", "ELEC": "webpage", "WEB": "webpage",
             "BLOG": "webpage"}  # fmt: skip


def read_ris(text):
    try:
        entries = rispy.loads(text.lstrip("\ufeff"))
    except Exception as error:  # rispy raises several kinds on malformed files
        raise ImportFailed(f"This does not read as RIS: {error}") from error
    return [ris_record(entry) for entry in entries]


def names(values):
    return "; ".join(author_name(*(name.split(",", 1) + [""])[:2]) for name in values or [])


def ris_record(entry):
    kind = RIS_KINDS.get(entry.get("type_of_reference", ""), Source.Kind.ARTICLE)
    unknown = entry.get("unknown_tag", {})  # rispy keeps the tags it has no name for here
    article = kind == Source.Kind.ARTICLE
    # DA is the full date ("2023/05/17/"); PY, Y1 often the year only ("2023///").
    year, month, day = max(
        (date_of(entry.get(key)) for key in ("date", "year", "publication_year")),
        key=lambda parts: sum(part is not None for part in parts),
    )
    # A chapter's or conference paper's book is its T2 (or BT, which rispy does not name).
    book = "" if article else entry.get("secondary_title") or next(iter(unknown.get("BT", [])), "")
    return record(
        kind=kind,
        authors=names(entry.get("authors", []) + entry.get("first_authors", [])),
        title=entry.get("title") or entry.get("primary_title") or entry.get("short_title") or "",
        # Full journal name first (JO, JF, T2), abbreviations (JA, J2) last.
        container_title=book
        or entry.get("journal_name")
        or entry.get("alternate_title3")
        or entry.get("secondary_title")
        or entry.get("alternate_title2")
        or entry.get("alternate_title1")
        or "",
        journal_abbreviation=own_abbreviation(
            entry.get("alternate_title1")  # J2
            or entry.get("alternate_title2")  # JA
            or next(iter(unknown.get("J1", [])), ""),  # PMC's
            entry.get("journal_name") or entry.get("alternate_title3") or "",
        ),
        year=year,
        month=month,
        day=day,
        # Editors: ED (rispy leaves it unnamed), or A2 for a chapter or conference paper.
        editors=names(unknown.get("ED") or ([] if article else entry.get("secondary_authors"))),
        edition=entry.get("edition", ""),
        publisher=entry.get("publisher", ""),
        publisher_place=entry.get("place_published", ""),
        event=entry.get("secondary_title", "") if kind == Source.Kind.PRESENTATION else "",
        number=entry.get("number", "") if kind == Source.Kind.REPORT else "",
        volume=entry.get("volume", ""),
        issue=entry.get("number", "") if kind != Source.Kind.REPORT else "",
        pages=pages(entry.get("start_page", ""), entry.get("end_page", "")),
        doi=entry.get("doi", ""),
        pmid=ris_pmid(entry),
        url=next(iter(entry.get("urls", []) or []), ""),
        # PubMed's RIS gives an article's electronic publication date in ET.
        published_online=calendar_date(entry.get("edition")) if article else None,
        accessed=calendar_date(entry.get("access_date")),
        imported_record={"format": "ris", "record": entry},
    )


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
