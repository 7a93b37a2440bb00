"""
PubMed MEDLINE exports (.nbib, "Send to: Citation manager"), read by Biopython's Bio.Medline.

Of the exports an editor pastes, MEDLINE alone carries PubMed's publication types (PT), so
it alone sets a source's evidence type and marks a retraction (see `records`).
"""

import io

from Bio import Medline

from citations.importers.records import ImportFailed, calendar_date, date_of, record

# MEDLINE's book records (PubMed Bookshelf) carry these; a journal article has none.
BOOK_TAGS = {"BTI", "CTI", "ED", "FED", "PB"}


def read_medline(text):
    entries = Medline.parse(io.StringIO(text.strip() + "\n"))
    records = [medline_record(entry) for entry in entries if entry.get("PMID") or entry.get("TI")]
    if not records:
        raise ImportFailed("This does not read as PubMed MEDLINE: no PMID or TI lines found.")
    return records


def medline_record(entry):
    """One MEDLINE record (Bio.Medline's dict of tags) as a record."""
    ids = [*entry.get("LID", "").split(" ; "), *entry.get("AID", [])]
    doi = next((i.replace("[doi]", "").strip() for i in ids if i.endswith("[doi]")), "")
    year, month, day = date_of(entry.get("DP"))
    book = bool(BOOK_TAGS & set(entry))
    kind = ("chapter" if entry.get("BTI") and entry.get("TI") else "book") if book else ""
    return record(
        kind=kind,
        authors="; ".join(entry.get("AU", [])),
        title=entry.get("TI", "") or entry.get("BTI", ""),
        container_title=entry.get("JT", "")
        or entry.get("TA", "")
        or (entry.get("BTI", "") if kind == "chapter" else ""),
        journal_abbreviation=entry.get("TA", ""),
        year=year,
        month=month,
        day=day,
        # DEP: the electronic publication date, "20230517".
        published_online=calendar_date(entry.get("DEP")),
        editors="; ".join(entry.get("ED", [])),
        edition=entry.get("EN", ""),
        publisher=entry.get("PB", ""),
        # PL is where a journal is published too: a reference prints it for books.
        publisher_place=entry.get("PL", "") if book else "",
        volume=entry.get("VI", ""),
        issue=entry.get("IP", ""),
        # Ahead of print, PG holds the publisher's manuscript id, not pages.
        pages="" if entry.get("PST") == "aheadofprint" else entry.get("PG", ""),
        doi=doi,
        pmid=entry.get("PMID", ""),
        publication_types=entry.get("PT", []),
        imported_record={"format": "medline", "record": dict(entry)},
    )
