"""
CSL-JSON exports and Crossref records, read with json.

Crossref's /works message is CSL-JSON with extras, so one mapping serves both a pasted
export and a DOI lookup (`citations.lookups`); the extras that matter are the update
links that say a paper was retracted or corrected.
"""

import json

from citations.importers.records import ImportFailed, author_name, record, tidy, year_of
from citations.models import Source


def _first(value):
    return (value[0] if value else "") if isinstance(value, list) else (value or "")


def from_csl(item):
    """A CSL-JSON item (as exported, or as Crossref's /works message) as a record."""
    issued = item.get("issued") or item.get("published-print") or item.get("published") or {}
    parts = (issued.get("date-parts") or [[None]])[0]
    kind = item.get("type", "")
    kind = {"journal-article": "article-journal", "book-chapter": "chapter",
            "posted-content": "article-journal"}.get(kind, kind)  # fmt: skip
    if kind not in Source.Kind.values:
        kind = Source.Kind.ARTICLE
    authors = "; ".join(
        author_name(person.get("family", ""), person.get("given", ""))
        if person.get("family")
        else person.get("literal", person.get("name", ""))
        for person in item.get("author", [])
    )
    return record(
        kind=kind,
        authors=authors,
        title=_first(item.get("title")),
        container_title=_first(item.get("container-title")),
        # CSL's own variable, Zotero's name for it, Crossref's.
        journal_abbreviation=_first(
            item.get("container-title-short")
            or item.get("journalAbbreviation")
            or item.get("short-container-title")
        ),
        year=year_of(parts[0] if parts else None),
        volume=str(item.get("volume", "")),
        issue=str(item.get("issue", "")),
        pages=str(item.get("page", "")),
        doi=item.get("DOI", ""),
        pmid=str(item.get("PMID", "")),
        url=item.get("URL", "") if not item.get("DOI") else "",
        **crossref_retraction(item),
    )


def read_csl_json(text):
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as error:  # RecursionError: absurdly deep nesting
        raise ImportFailed(f"This does not read as CSL-JSON: {error}") from error
    if isinstance(data, dict) and "message" in data:  # a Crossref /works response
        data = data["message"]
    items = data if isinstance(data, list) else [data]
    if not all(isinstance(item, dict) and item.get("title") for item in items):
        raise ImportFailed("This JSON is not CSL-JSON: every item needs at least a title.")
    return [from_csl(item) for item in items]


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
