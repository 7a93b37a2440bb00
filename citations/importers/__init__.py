"""
Bibliographic records in, Source fields out.

Each format is read by a well-kept parser, one module a format: rispy (`ris`), bibtexparser
with LaTeX accents decoded (`bibtex`), Biopython's Bio.Medline (`medline`), json for
CSL-JSON and Crossref (`csl_json`), defusedxml for PubMed E-utilities XML (`pubmed_xml`).
Every reader returns a list of records (`records`): dicts of Source field values, ready to
be shown to the editor for confirmation. `detection` tells a pasted export's format and
hands it to its reader.

The names below are the ones the admin, the lookups and the tests use, so callers keep
importing from `citations.importers` whichever module a name lives in.
"""

from citations.importers.bibtex import read_bibtex
from citations.importers.csl_json import crossref_retraction, from_csl, read_csl_json
from citations.importers.detection import detect_format, read_export
from citations.importers.medline import read_medline
from citations.importers.pubmed_xml import read_pubmed_xml
from citations.importers.records import ImportFailed, evidence_from_publication_types
from citations.importers.ris import read_ris

__all__ = [
    "ImportFailed",
    "crossref_retraction",
    "detect_format",
    "evidence_from_publication_types",
    "from_csl",
    "read_bibtex",
    "read_csl_json",
    "read_export",
    "read_medline",
    "read_pubmed_xml",
    "read_ris",
]
