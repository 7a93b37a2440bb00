"""
PubMed MEDLINE exports (.nbib, "Send to: Citation manager"), read by Biopython's Bio.Medline.

Of the exports an editor pastes, MEDLINE alone carries PubMed's publication types (PT), so
it alone sets a source's evidence type and marks a retraction (see `records`).
"""

import io

from Bio import Medline

from citations.importers.records import ImportFailed, record, year_of


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
                journal_abbreviation=entry.get("TA", ""),
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
