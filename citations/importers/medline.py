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
    records = [medline_record(e) for e in entries if tag_text(e, "PMID") or tag_text(e, "TI")]
    if not records:
        raise ImportFailed("This does not read as PubMed MEDLINE: no PMID or TI lines found.")
    return records


def tag_text(entry, tag):
    """A tag's text: Bio.Medline gives a tag it does not know (BTI, PB, EN…) as a list."""
    value = entry.get(tag, "")
    return " ".join(value) if isinstance(value, list) else value


def medline_record(entry):
    """One MEDLINE record (Bio.Medline's dict of tags) as a record."""
    ids = [*entry.get("LID", "").split(" ; "), *entry.get("AID", [])]
    doi = next((i.replace("[doi]", "").strip() for i in ids if i.endswith("[doi]")), "")
    year, month, day = date_of(tag_text(entry, "DP"))
    book = bool(BOOK_TAGS & set(entry))
    chapter = tag_text(entry, "BTI") and tag_text(entry, "TI")
    kind = ("chapter" if chapter else "book") if book else ""
    return record(
        kind=kind,
        authors="; ".join(entry.get("AU", [])),
        title=tag_text(entry, "TI") or tag_text(entry, "BTI"),
        container_title=tag_text(entry, "JT")
        or tag_text(entry, "TA")
        or (tag_text(entry, "BTI") if kind == "chapter" else ""),
        journal_abbreviation=tag_text(entry, "TA"),
        year=year,
        month=month,
        day=day,
        # DEP: the electronic publication date, "20230517".
        published_online=calendar_date(tag_text(entry, "DEP")),
        editors="; ".join(entry.get("ED", [])),
        edition=tag_text(entry, "EN"),
        publisher=tag_text(entry, "PB"),
        # PL is where a journal is published too: a reference prints it for books.
        publisher_place=(tag_text(entry, "CY") or tag_text(entry, "PL")) if book else "",
        volume=tag_text(entry, "VI"),
        issue=tag_text(entry, "IP"),
        # Ahead of print, PG holds the publisher's manuscript id, not pages.
        pages="" if tag_text(entry, "PST") == "aheadofprint" else tag_text(entry, "PG"),
        doi=doi,
        pmid=tag_text(entry, "PMID"),
        publication_types=entry.get("PT", []),
        imported_record={"format": "medline", "record": dict(entry)},
    )
