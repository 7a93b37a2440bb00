"""
A source's kept import (`Source.imported_record`: the format and what its reader read),
read again by the same reader: what a later version of qasite reads from a record is
filled in without asking Crossref, PubMed or the editor again (`complete_sources`).
"""

from citations.importers.bibtex import read_bibtex
from citations.importers.csl_json import from_csl
from citations.importers.medline import medline_record
from citations.importers.pubmed_xml import read_pubmed_xml
from citations.importers.records import ImportFailed
from citations.importers.ris import ris_record

READERS = {
    "crossref": lambda data: from_csl(data, "crossref"),
    "csl-json": lambda data: from_csl(data, "csl-json"),
    "ris": ris_record,
    "medline": medline_record,
    "bibtex": lambda text: read_bibtex(text)[0],
    "pubmed-xml": lambda xml: read_pubmed_xml(xml)[0],
}


def reread(kept):
    """The record a kept import gives today, or None if nothing readable was kept."""
    reader = READERS.get((kept or {}).get("format"))
    if reader is None or not kept.get("record"):
        return None
    try:
        return reader(kept["record"])
    except (ImportFailed, IndexError, KeyError, TypeError, AttributeError, ValueError):
        return None


# What a record may add to a source that lacks it. The rest (title, authors, identifiers,
# evidence type…) is the editor's and stays as they left it.
FILLABLE = [
    "journal_abbreviation", "year", "month", "day", "published_online", "editors",
    "edition", "publisher", "publisher_place", "event", "event_place", "number", "volume",
    "issue", "pages", "accessed",
]  # fmt: skip


def fill_missing(source, found):
    """Set the FILLABLE fields `source` lacks from the record `found`; the names set."""
    if found.get("kind") != source.kind:
        return []  # a record of another kind of work: its fields do not fit this one
    filled = []
    for field in FILLABLE:
        if getattr(source, field) in (None, "") and found.get(field) not in (None, ""):
            if field == "month" and found.get("year") != source.year:
                continue  # the month of another year's date
            if field == "day" and found.get("month") != source.month:
                continue  # the day of another month
            setattr(source, field, found[field])
            filled.append(field)
    if not source.imported_record and found.get("imported_record"):
        source.imported_record = found["imported_record"]
    return filled
