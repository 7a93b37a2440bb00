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

from citations.importers.records import ImportFailed, author_name, record, year_of
from citations.models import Source


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
                journal_abbreviation=_unbrace(fields.get("shortjournal", "")),  # biblatex
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
