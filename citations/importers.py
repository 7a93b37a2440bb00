"""
Bibliographic records in, Source fields out.

Each format is read by a well-kept parser: rispy (RIS), bibtexparser (BibTeX, with LaTeX
accents decoded), Biopython's Bio.Medline (PubMed MEDLINE/.nbib), json (CSL-JSON and
Crossref), defusedxml (PubMed E-utilities XML). Every reader returns a list of records:
dicts of Source field values, ready to be shown to the editor for confirmation.
"""

import io
import json
import re

import bibtexparser
import rispy
from bibtexparser.middlewares import (
    LatexDecodingMiddleware,
    SeparateCoAuthors,
    SplitNameParts,
)
from Bio import Medline
from defusedxml import ElementTree

from citations.characters import strip_unprintable
from citations.models import Source, normalize_doi


class ImportFailed(Exception):
    """The text could not be read as references; the message says why, for the editor."""


# Each record is formatted for the editor to check: a few hundred at a time is plenty.
MAX_RECORDS = 200


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
    lowered = {kind.strip().lower() for kind in types}
    for names, evidence in EVIDENCE_BY_PUBLICATION_TYPE:
        if lowered & names:
            return evidence
    return Source.EvidenceType.OTHER


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


# RIS


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


# BibTeX


def read_bibtex(text):
    library = bibtexparser.parse_string(
        text,
        append_middleware=[LatexDecodingMiddleware(), SeparateCoAuthors(), SplitNameParts()],
    )
    records = []
    for entry in library.entries:
        fields = {key.lower(): field.value for key, field in entry.fields_dict.items()}
        people = fields.get("author", [])
        authors = "; ".join(
            author_name(" ".join([*name.von, *name.last]), " ".join(name.first))
            for name in people
            if hasattr(name, "last")
        )
        kind = {"book": "book", "inbook": "chapter", "incollection": "chapter",
                "techreport": "report", "online": "webpage", "misc": "webpage"}.get(
            entry.entry_type.lower(), Source.Kind.ARTICLE
        )  # fmt: skip
        records.append(
            record(
                kind=kind,
                authors=authors,
                title=_unbrace(fields.get("title", "")),
                container_title=_unbrace(fields.get("journal") or fields.get("booktitle") or ""),
                year=year_of(fields.get("year")),
                volume=fields.get("volume", ""),
                issue=fields.get("number", ""),
                pages=fields.get("pages", ""),
                doi=fields.get("doi", ""),
                pmid=fields.get("pmid", ""),
                url=fields.get("url", ""),
            )
        )
    if not records and library.failed_blocks:
        raise ImportFailed("This does not read as BibTeX: no entry could be parsed.")
    return records


def _unbrace(value):
    return re.sub(r"[{}]", "", value or "")


# PubMed MEDLINE (.nbib)


def read_medline(text):
    records = []
    for entry in Medline.parse(io.StringIO(text.strip() + "\n")):
        if not entry.get("PMID") and not entry.get("TI"):
            continue
        ids = [*entry.get("LID", "").split(" ; "), *entry.get("AID", [])]
        doi = next((i.replace("[doi]", "").strip() for i in ids if i.endswith("[doi]")), "")
        records.append(
            record(
                authors="; ".join(entry.get("AU", [])),
                title=entry.get("TI", ""),
                container_title=entry.get("JT", "") or entry.get("TA", ""),
                year=year_of(entry.get("DP")),
                volume=entry.get("VI", ""),
                issue=entry.get("IP", ""),
                pages=entry.get("PG", ""),
                doi=doi,
                pmid=entry.get("PMID", ""),
                publication_types=entry.get("PT", []),
            )
        )
    if not records:
        raise ImportFailed("This does not read as PubMed MEDLINE: no PMID or TI lines found.")
    return records


# CSL-JSON and Crossref


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


# PubMed E-utilities XML (efetch)


def _text(element, path):
    found = element.find(path)
    return "".join(found.itertext()).strip() if found is not None else ""


def read_pubmed_xml(xml):
    try:
        root = ElementTree.fromstring(xml.encode() if isinstance(xml, str) else xml)
    except ElementTree.ParseError as error:
        raise ImportFailed(f"PubMed's answer could not be read: {error}") from error
    articles = [root] if root.tag == "PubmedArticle" else root.findall("PubmedArticle")
    records = []
    for article in articles:
        citation = article.find("MedlineCitation")
        info = citation.find("Article")
        authors = []
        for person in info.findall("AuthorList/Author"):
            if person.find("CollectiveName") is not None:
                authors.append(_text(person, "CollectiveName"))
            else:
                authors.append(f"{_text(person, 'LastName')} {_text(person, 'Initials')}".strip())
        types = [_text(t, ".") for t in info.findall("PublicationTypeList/PublicationType")]
        doi = next(
            (_text(e, ".") for e in info.findall("ELocationID") if e.get("EIdType") == "doi"),
            "",
        ) or next(
            (_text(e, ".") for e in article.findall("PubmedData/ArticleIdList/ArticleId")
             if e.get("IdType") == "doi"), "",
        )  # fmt: skip
        retracted_in = [
            _text(c, "PMID")
            for c in citation.findall("CommentsCorrectionsList/CommentsCorrections")
            if c.get("RefType") == "RetractionIn"
        ]
        pub_date = info.find("Journal/JournalIssue/PubDate")
        records.append(
            record(
                authors="; ".join(a for a in authors if a),
                title=_text(info, "ArticleTitle"),
                container_title=_text(info, "Journal/Title"),
                year=year_of(_text(pub_date, "Year") or _text(pub_date, "MedlineDate"))
                if pub_date is not None
                else None,
                volume=_text(info, "Journal/JournalIssue/Volume"),
                issue=_text(info, "Journal/JournalIssue/Issue"),
                pages=_text(info, "Pagination/MedlinePgn"),
                doi=doi,
                pmid=_text(citation, "PMID"),
                publication_types=types,
                retraction_notice_url=f"https://pubmed.ncbi.nlm.nih.gov/{retracted_in[0]}/"
                if retracted_in
                else "",
            )
        )
    return records


# Pasted text of unknown format


READERS = {
    "ris": ("RIS", read_ris),
    "bibtex": ("BibTeX", read_bibtex),
    "medline": ("PubMed MEDLINE", read_medline),
    "csl-json": ("CSL-JSON", read_csl_json),
}


def detect_format(text):
    """The format of a pasted export, or None."""
    text = text.lstrip("\ufeff")  # a byte-order mark, as some exports start with
    stripped = text.lstrip(" \n\r\t")
    if stripped.startswith(("{", "[")):
        return "csl-json"
    if re.search(r"^\s*@\w+\s*[{(]", text, re.MULTILINE):
        return "bibtex"
    if re.search(r"^TY  - ", text, re.MULTILINE):
        return "ris"
    if re.search(r"^PMID- ", text, re.MULTILINE):
        return "medline"
    return None


def read_export(text):
    """Records from a pasted RIS, BibTeX, MEDLINE or CSL-JSON export."""
    kind = detect_format(text)
    if kind is None:
        raise ImportFailed(
            "This is not a format qasite reads. Paste DOIs or PubMed IDs (one per line), or "
            "an export in RIS (TY  - …), BibTeX (@article{…}), PubMed MEDLINE (PMID- …) "
            "or CSL-JSON."
        )
    records = READERS[kind][1](text.lstrip("\ufeff"))
    if not records:
        raise ImportFailed(f"No references found in this {READERS[kind][0]} text.")
    if len(records) > MAX_RECORDS:
        raise ImportFailed(
            f"This export holds {len(records)} references; import at most {MAX_RECORDS} at a time."
        )
    return records
