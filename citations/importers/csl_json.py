"""
CSL-JSON exports and Crossref records, read with json.

Crossref's /works message is CSL-JSON with extras, so one mapping serves both a pasted
export and a DOI lookup (`citations.lookups`); the extras that matter are the update
links that say a paper was retracted or corrected.
"""

import json

from citations.importers.records import (
    ImportFailed,
    author_name,
    csl_date,
    csl_parts,
    own_abbreviation,
    record,
    tidy,
)
from citations.models import Source


def _first(value):
    return (value[0] if value else "") if isinstance(value, list) else (value or "")


# CSL and Crossref types → Source kinds; a type not listed is read as a journal article.
KINDS = {
    "journal-article": "article-journal", "posted-content": "article-journal",
    "book-chapter": "chapter", "book-section": "chapter", "book-part": "chapter",
    "proceedings-article": "paper-conference", "monograph": "book", "edited-book": "book",
    "reference-book": "book", "post": "webpage", "post-weblog": "webpage",
}  # fmt: skip
# What a kept record leaves out: long, and nothing a reference prints.
UNKEPT = {"reference", "abstract", "assertion", "link", "license", "relation", "indexed",
          "content-domain", "deposited", "funder", "references-count", "is-referenced-by-count",
          "score", "resource", "_comment"}  # fmt: skip


def short_title(item, journal):
    """The journal's abbreviation the item gives: CSL's own variable, Zotero's name for it,
    Crossref's."""
    short = _first(
        item.get("container-title-short")
        or item.get("journalAbbreviation")
        or item.get("short-container-title")
    )
    return own_abbreviation(short, journal)


def people(names):
    """ "Family Initials; …" of a CSL name list (an organisation as its literal name)."""
    return "; ".join(
        author_name(person.get("family", ""), person.get("given", ""))
        if person.get("family")
        else person.get("literal", person.get("name", ""))
        for person in names or []
        if isinstance(person, dict)
    )


def from_csl(item, source_format="csl-json"):
    """A CSL-JSON item (as exported, or as Crossref's /works message) as a record."""
    kind = KINDS.get(item.get("type", ""), item.get("type", ""))
    if kind not in Source.Kind.values:
        kind = Source.Kind.ARTICLE
    # Crossref dates an article by its print issue where it has one; "issued" is the
    # earliest of print and online. Its online date is "published-online"; CSL's own is
    # "available-date".
    printed = item.get("published-print") or item.get("issued") or item.get("published")
    year, month, day = csl_parts(printed)
    online = csl_date(item.get("published-online") or item.get("available-date"))
    event = item.get("event")
    event_name = event.get("name", "") if isinstance(event, dict) else (event or "")
    event_place = event.get("location", "") if isinstance(event, dict) else ""
    containers = item.get("container-title")
    if kind != Source.Kind.ARTICLE and isinstance(containers, list) and containers:
        # Crossref lists a chapter's book series before the book itself.
        containers = containers[-1]
    return record(
        kind=kind,
        authors=people(item.get("author")),
        title=_first(item.get("title")),
        container_title=_first(containers),
        journal_abbreviation=short_title(item, _first(containers)),
        year=year,
        month=month,
        day=day,
        published_online=online,
        editors=people(item.get("editor")),
        edition=str(item.get("edition", "")),
        publisher=_first(item.get("publisher")),
        publisher_place=_first(item.get("publisher-place") or item.get("publisher-location")),
        event=item.get("event-title") or event_name,
        event_place=item.get("event-place") or event_place,
        number=str(item.get("number", "")) if kind == Source.Kind.REPORT else "",
        volume=str(item.get("volume", "")),
        issue=str(item.get("issue", "")),
        pages=str(item.get("page", "")),
        doi=item.get("DOI", ""),
        pmid=str(item.get("PMID", "")),
        url=item.get("URL", "") if not item.get("DOI") else "",
        accessed=csl_date(item.get("accessed")),
        imported_record={
            "format": source_format,
            "record": {key: value for key, value in item.items() if key not in UNKEPT},
        },
        **crossref_retraction(item),
    )


def read_csl_json(text):
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as error:  # RecursionError: absurdly deep nesting
        raise ImportFailed(f"This does not read as CSL-JSON: {error}") from error
    source_format = "csl-json"
    if isinstance(data, dict) and "message" in data:  # a Crossref /works response
        data, source_format = data["message"], "crossref"
    items = data if isinstance(data, list) else [data]
    if not all(isinstance(item, dict) and item.get("title") for item in items):
        raise ImportFailed("This JSON is not CSL-JSON: every item needs at least a title.")
    return [from_csl(item, source_format) for item in items]


# Crossref update types → what they mean for a source, most serious first.
UPDATE_SEVERITY = [
    ({"retraction", "withdrawal", "removal", "partial_retraction"}, Source.Retraction.RETRACTED),
    ({"expression_of_concern"}, Source.Retraction.CONCERN),
    ({"correction", "erratum", "corrigendum", "addendum", "clarification"},
     Source.Retraction.CORRECTED),
]  # fmt: skip


def crossref_retraction(message):
    """Retraction status and notice link from Crossref's update metadata.

    Publishers sometimes register the link both ways: a retracted paper lists its notice
    under `update-to` as well as `updated-by`, and the notice lists the paper under both.
    Retraction Watch's curated entries (source "retraction-watch") get the direction right,
    so where there are any they decide; otherwise `updated-by` entries mirrored in
    `update-to` are ignored."""
    updated_by = message.get("updated-by") or []
    update_to = message.get("update-to") or []
    curated = [u for u in updated_by if u.get("source") == "retraction-watch"]
    if curated or any(u.get("source") == "retraction-watch" for u in update_to):
        updates = curated
    else:
        mirrored = {u.get("DOI", "").lower() for u in update_to}
        updates = [u for u in updated_by if u.get("DOI", "").lower() not in mirrored]
    for types, status in UPDATE_SEVERITY:
        notices = [u for u in updates if u.get("type", "").lower() in types]
        if notices:
            notice_doi = tidy(notices[0].get("DOI", ""))
            return {
                "retraction_status": status,
                "retraction_notice_url": f"https://doi.org/{notice_doi}" if notice_doi else "",
            }
    return {}
