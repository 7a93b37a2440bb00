"""
The record every reader returns, and the clean-up all of them share.

A record is a dict of Source field values, complete and tidied, so the editor's
confirmation screen and the save that follows never need to know which format it came
from. Normalising here, once, keeps the readers to mapping their parser's fields: a DOI,
a page range, a journal's abbreviation or an evidence type is cleaned the same way whether
it came from RIS or XML.
"""

import re

from citations import journals
from citations.characters import strip_unprintable
from citations.models import Source, normalize_doi


class ImportFailed(Exception):
    """The text could not be read as references; the message says why, for the editor."""


# PubMed publication types → evidence type, strongest evidence first.
EVIDENCE_BY_PUBLICATION_TYPE = [
    ({"systematic review", "meta-analysis"}, Source.EvidenceType.SYSTEMATIC_REVIEW),
    ({"practice guideline", "guideline", "consensus development conference"},
     Source.EvidenceType.GUIDELINE),
    ({"randomized controlled trial"}, Source.EvidenceType.RCT),
    ({"clinical trial, phase iii"}, Source.EvidenceType.PHASE_3),
    ({"clinical trial, phase ii"}, Source.EvidenceType.PHASE_2),
    ({"clinical trial, phase i"}, Source.EvidenceType.PHASE_1),
    ({"observational study"}, Source.EvidenceType.OBSERVATIONAL),
    ({"case reports"}, Source.EvidenceType.CASE_REPORT),
    ({"review"}, Source.EvidenceType.NARRATIVE_REVIEW),
]  # fmt: skip


def evidence_from_publication_types(types):
    """The evidence type PubMed's publication types say; not set if they say none (a
    reviewer sets it from the paper: a guess would be what patients read)."""
    lowered = {kind.strip().lower() for kind in types}
    for names, evidence in EVIDENCE_BY_PUBLICATION_TYPE:
        if lowered & names:
            return evidence
    return Source.EvidenceType.NOT_SET


def retraction_from_publication_types(types):
    lowered = {kind.strip().lower() for kind in types}
    if "retracted publication" in lowered:
        return Source.Retraction.RETRACTED
    if "expression of concern" in lowered:
        return Source.Retraction.CONCERN
    return Source.Retraction.NONE


def initials(given):
    """ "J Michael" → "JM", "Anna-Maria" → "AM", "K." → "K"."""
    return "".join(part[0] for part in re.split(r"[\s.\-]+", given or "") if part).upper()


def author_name(family, given=""):
    """An author as AMA lists them: "Family Initials"."""
    family = " ".join((family or "").split())
    return f"{family} {initials(given)}".strip()


def year_of(text):
    match = re.search(r"\b(1[6-9]\d\d|2[01]\d\d)\b", str(text or ""))
    return int(match.group(1)) if match else None


def record(**fields):
    """A complete record: every Source field the importers fill, with defaults."""
    types = fields.get("publication_types") or []
    base = {
        "kind": Source.Kind.ARTICLE,
        "authors": "",
        "title": "",
        "container_title": "",
        # The journal's abbreviation as the record gives it (MEDLINE's TA, say), if any.
        "journal_abbreviation": "",
        "year": None,
        "volume": "",
        "issue": "",
        "pages": "",
        "doi": "",
        "pmid": "",
        "url": "",
        "publication_types": types,
        "evidence_type": evidence_from_publication_types(types),
        "retraction_status": retraction_from_publication_types(types),
        "retraction_notice_url": "",
    }
    base.update({key: value for key, value in fields.items() if value not in (None, "")})
    for key, value in base.items():
        if isinstance(value, str):
            base[key] = tidy(value)
    base["publication_types"] = [kind for kind in map(tidy, types) if kind]
    base["doi"] = normalize_doi(base["doi"])
    base["title"] = base["title"].rstrip(".")
    base["journal_abbreviation"] = (
        journals.abbreviation(base["container_title"], base["journal_abbreviation"])
        if base["kind"] == Source.Kind.ARTICLE
        else ""
    )
    base["issue"] = base["issue"].replace("–", "-")
    base["pages"] = full_page_range(base["pages"].replace("–", "-").replace("--", "-"))
    return base


def tidy(text):
    """Imported text on one line, without characters no page can show: exports wrap lines
    and indent with tabs, and a data file is not typed by a person who could fix it."""
    spaced = " ".join(text.split())  # str.split() takes \x1c-\x1f and \x85 for spaces too
    return " ".join(strip_unprintable(spaced).split())


def full_page_range(pages):
    """ "616-7" → "616-617": PubMed abbreviates page ranges, AMA writes them out."""
    match = re.fullmatch(r"(\d+)-(\d+)", pages)
    if match and len(match.group(2)) < len(match.group(1)):
        start, end = match.groups()
        return f"{start}-{start[: len(start) - len(end)]}{end}"
    return pages


def pages(start, end=""):
    return f"{start}-{end}" if start and end else (start or "")
