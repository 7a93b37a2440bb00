"""
Pasted text of unknown format: which export it is, and the reader that takes it.

Editors paste whatever their reference manager gave them and should not have to say what
it is. Each format has an unmistakable mark (`{` or `[`, `@article{`, `TY  - `, `PMID- `),
so detection looks only for those and leaves the reading, and the reading's errors, to
the format's own parser.
"""

import re

from citations.importers.bibtex import read_bibtex
from citations.importers.csl_json import read_csl_json
from citations.importers.medline import read_medline
from citations.importers.records import ImportFailed
from citations.importers.ris import read_ris

# Each record is formatted for the editor to check: a few hundred at a time is plenty.
MAX_RECORDS = 200


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
