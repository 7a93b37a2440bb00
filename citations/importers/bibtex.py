"""
BibTeX exports, read by bibtexparser.

Its middlewares decode LaTeX accents ({\\"u} → ü) and split names into parts, which a
regular expression over BibTeX would get wrong for "von" particles and braced groups.
"""

import re

import bibtexparser
from bibtexparser.middlewares import (
    LatexDecodingMiddleware,
    SeparateCoAuthors,
    SplitNameParts,
)

from citations.importers.records import (
    ImportFailed,
    author_name,
    calendar_date,
    date_of,
    month_of,
    own_abbreviation,
    record,
    year_of,
)
from citations.models import Source


def read_bibtex(text):
    library = bibtexparser.parse_string(
        text,
        append_middleware=[LatexDecodingMiddleware(), SeparateCoAuthors(), SplitNameParts()],
    )
    records = [bibtex_record(entry) for entry in library.entries]
    if not records and library.failed_blocks:
        raise ImportFailed("This does not read as BibTeX: no entry could be parsed.")
    return records


KINDS = {"book": "book", "inbook": "chapter", "incollection": "chapter",
         "inproceedings": "paper-conference", "conference": "paper-conference",
         "proceedings": "book", "techreport": "report", "report": "report",
         "online": "webpage", "misc": "webpage"}  # fmt: skip


def names(people):
    return "; ".join(
        author_name(" ".join([*name.von, *name.last]), " ".join(name.first))
        for name in people or []
        if hasattr(name, "last")
    )


def bibtex_record(entry):
    fields = {key.lower(): field.value for key, field in entry.fields_dict.items()}
    kind = KINDS.get(entry.entry_type.lower(), Source.Kind.ARTICLE)
    # biblatex's date ("2023-05-17") where given, else BibTeX's year, month and day.
    year, month, day = date_of(fields.get("date", ""))
    if not year:
        year, month = year_of(fields.get("year")), month_of(fields.get("month"))
        day = int(fields["day"]) if month and str(fields.get("day", "")).isdigit() else None
    report = kind == Source.Kind.REPORT
    return record(
        kind=kind,
        authors=names(fields.get("author")),
        title=_unbrace(fields.get("title", "")),
        container_title=_unbrace(
            fields.get("journal") or fields.get("journaltitle") or fields.get("booktitle") or ""
        ),  # fmt: skip
        journal_abbreviation=own_abbreviation(  # biblatex's shortjournal
            _unbrace(fields.get("shortjournal", "")),
            _unbrace(fields.get("journal") or fields.get("journaltitle") or ""),
        ),
        year=year,
        month=month,
        day=day,
        editors=names(fields.get("editor")),
        edition=_unbrace(fields.get("edition", "")),
        publisher=_unbrace(
            fields.get("publisher") or fields.get("institution") or fields.get("organization") or ""
        ),  # fmt: skip
        publisher_place=_unbrace(fields.get("address") or fields.get("location") or ""),
        event=_unbrace(fields.get("eventtitle", "")),
        event_place=_unbrace(fields.get("venue", "")),
        number=fields.get("number", "") if report else "",
        volume=fields.get("volume", ""),
        issue=fields.get("issue") or ("" if report else fields.get("number", "")),
        pages=fields.get("pages", ""),
        doi=fields.get("doi", ""),
        pmid=fields.get("pmid", ""),
        url=fields.get("url", ""),
        accessed=calendar_date(fields.get("urldate", "")),
        # The entry as written (without the file's @string macros: read again, a field
        # given by a macro reads as the macro's name).
        imported_record={"format": "bibtex", "record": entry.raw},
    )


def _unbrace(value):
    return re.sub(r"[{}]", "", value or "")
