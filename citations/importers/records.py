"""
The record every reader returns, and the clean-up all of them share.

A record is a dict of Source field values, complete and tidied, so the editor's
confirmation screen and the save that follows never need to know which format it came
from. Normalising here, once, keeps the readers to mapping their parser's fields: a DOI,
a page range, a journal's abbreviation or an evidence type is cleaned the same way whether
it came from RIS or XML.
"""

import html
import re
from datetime import date

from citations import journals
from citations.characters import strip_unprintable
from citations.formatting import full_page_range
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


MONTHS = {
    name: number
    for number, name in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}


def month_of(text):
    """1–12 from "5", "05", "May", "may" or "May-Jun" (its first month), else None."""
    text = str(text or "").strip().lower()
    if text.isdigit():
        return int(text) if 1 <= int(text) <= 12 else None
    return MONTHS.get(text[:3])


def date_of(text):
    """(year, month, day) as far as `text` gives them: "2023 May 17", "2023/05/17/",
    "2023-05", "20230517", "May 17, 2023", "2023 Spring" (the year only)."""
    text = str(text or "").strip()
    words = re.match(r"^(\d{4})\s+([A-Za-z]{3,})\.?(?:\s+(\d{1,2}))?", text)
    if words:
        month = month_of(words.group(2))
        day = int(words.group(3)) if month and words.group(3) else None
        return checked(int(words.group(1)), month, day)
    numeric = re.match(r"^(\d{4})(?:[-/ ]?(\d{1,2})(?:[-/ ]?(\d{1,2}))?)?(?:\D|$)", text)
    if numeric and year_of(numeric.group(1)):
        year = int(numeric.group(1))
        month = month_of(numeric.group(2)) if numeric.group(2) else None
        day = int(numeric.group(3)) if month and numeric.group(3) else None
        return checked(year, month, day)
    spelled = re.match(r"^([A-Za-z]{3,})\.?\s+(\d{1,2}),?\s+(\d{4})$", text)
    if spelled and month_of(spelled.group(1)):
        return checked(int(spelled.group(3)), month_of(spelled.group(1)), int(spelled.group(2)))
    return checked(year_of(text), None, None)


def checked(year, month, day):
    """The parts, or fewer of them where they name no real day (a record's "2023 Feb 30")."""
    if not year or not 1600 <= year <= 2200:
        return None, None, None
    if month and not 1 <= month <= 12:
        month = day = None  # CSL's seasons are 13–16 and 21–24
    if month and day:
        try:
            date(year, month, day)
        except ValueError:
            day = None
    return year, month, day


def calendar_date(text):
    """A whole date (for "published online" and "accessed") or None if `text` gives less."""
    year, month, day = date_of(text)
    return date(year, month, day) if day else None


def csl_parts(value):
    """(year, month, day) of a CSL-JSON date: {"date-parts": [[2023, 5, 17]]} or {"raw": …}."""
    if not isinstance(value, dict):
        return None, None, None
    parts = (value.get("date-parts") or [[None]])[0] or [None]
    if parts[0] in (None, ""):
        return date_of(value.get("raw") or value.get("literal") or "")
    numbers = []
    for part in parts[:3]:
        try:
            numbers.append(int(part))
        except (TypeError, ValueError):
            break
    numbers += [None] * (3 - len(numbers))
    return checked(*numbers)


def csl_date(value):
    year, month, day = csl_parts(value)
    return date(year, month, day) if day else None


# Title markup as publishers send it (HTML, JATS, MathML, PubMed's XML) → the three tags a
# reference keeps (citations.formatting.rich_text). Only tags of those vocabularies are
# markup: any other "<" is text (NLM writes ≤ as "<or=" in a title).
MARKUP_TAG = re.compile(
    r"<(/?)((?:jats|mml):[\w.-]+|i|em|italic|b|bold|strong|u|underline|sup|superscript"
    r"|sub|subscript|sc|scp|small-caps|span|math|mi|mo|mn|msub|msup|mrow)"
    # Attributes only as name="value": "a<b and c>d" is no tag.
    r"((?:\s+[\w:.-]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*(/?)>"
)
MARKUP_KEPT = {"i": "i", "em": "i", "italic": "i", "sup": "sup", "superscript": "sup",
               "sub": "sub", "subscript": "sub"}  # fmt: skip


def title_markup(title):
    """ "<jats:italic>M. tuberculosis</jats:italic> &amp; CO<sub>2</sub>" →
    "<i>M. tuberculosis</i> & CO<sub>2</sub>"; "aged <or=65 years" stays as it is."""
    if "<" not in title and "&" not in title:
        return title

    def kept(tag):
        closing, name, _attributes, empty = tag.groups()
        name = MARKUP_KEPT.get(name.lower().split(":")[-1])
        return f"<{closing}{name}>" if name and not empty else ""

    return html.unescape(MARKUP_TAG.sub(kept, title))


def own_abbreviation(given, journal):
    """The journal abbreviation a record gives, unless it is the journal's name itself (a
    publisher's "short title" often is): that abbreviates nothing. MEDLINE's and PubMed's,
    NLM's own, are taken as they are ("BMC Bioinformatics" is its own abbreviation)."""
    same = journals.comparable(given) == journals.comparable(journal)
    return "" if same else given


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
        "month": None,
        "day": None,
        "published_online": None,
        "editors": "",
        "edition": "",
        "publisher": "",
        "publisher_place": "",
        "event": "",
        "event_place": "",
        "number": "",
        "volume": "",
        "issue": "",
        "pages": "",
        "doi": "",
        "pmid": "",
        "url": "",
        "accessed": None,
        "publication_types": types,
        "evidence_type": evidence_from_publication_types(types),
        "retraction_status": retraction_from_publication_types(types),
        "retraction_notice_url": "",
        # What the import read, kept for later versions of qasite to read more from.
        "imported_record": {},
    }
    base.update({key: value for key, value in fields.items() if value not in (None, "")})
    for key, value in base.items():
        if isinstance(value, str):
            base[key] = tidy(value)
    base["publication_types"] = [kind for kind in map(tidy, types) if kind]
    base["imported_record"] = printable(base["imported_record"])
    base["doi"] = normalize_doi(base["doi"])
    base["title"] = tidy(title_markup(base["title"])).rstrip(".")
    base["container_title"] = tidy(title_markup(base["container_title"]))
    base["journal_abbreviation"] = (
        Source.objects.abbreviation_for(base["container_title"], base["journal_abbreviation"])
        if base["kind"] == Source.Kind.ARTICLE
        else ""
    )
    base["issue"] = base["issue"].replace("–", "-")
    base["pages"] = full_page_range(base["pages"])
    if not base["year"]:
        base["month"] = base["day"] = None
    if base["kind"] == Source.Kind.CONFERENCE_PAPER and not base["container_title"]:
        # Not in proceedings: a reference to it would print "In:" and nothing after it.
        base["kind"] = Source.Kind.PRESENTATION
    if base["kind"] == Source.Kind.ARTICLE:
        # Not in a journal article's reference: its handling editor (Crossref names one)
        # and its journal's publisher.
        base["editors"] = base["publisher"] = base["publisher_place"] = base["edition"] = ""
    return base


def printable(kept):
    """The kept record with every string stripped of what no page (nor PostgreSQL's jsonb,
    which refuses NUL) can hold, keys too: it is stored as it was read, but for those."""
    if isinstance(kept, str):
        return strip_unprintable(kept)
    if isinstance(kept, dict):
        return {printable(key): printable(value) for key, value in kept.items()}
    if isinstance(kept, list):
        return [printable(value) for value in kept]
    return kept


def tidy(text):
    """Imported text on one line, without characters no page can show: exports wrap lines
    and indent with tabs, and a data file is not typed by a person who could fix it."""
    spaced = " ".join(text.split())  # str.split() takes \x1c-\x1f and \x85 for spaces too
    return " ".join(strip_unprintable(spaced).split())


def pages(start, end=""):
    return f"{start}-{end}" if start and end else (start or "")
