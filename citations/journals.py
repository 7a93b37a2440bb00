"""
Journal names as AMA style prints them: the NLM catalogue's ISO abbreviations ("N Engl J
Med"), whichever form an import gave ("New England Journal of Medicine" from BibTeX, "The
New England journal of medicine" from MEDLINE's JT, "N. Engl. J. Med." from a publisher).

The table, `citations/data/journal_abbreviations.csv`, is partial: the most-cited clinical
journals and those of our demo content and test fixtures. MEDLINE (TA), PubMed XML
(MedlineTA), Crossref (short-container-title), CSL-JSON and RIS (J2, JA, J1) carry an
abbreviation of their own, which serves for a journal the table lacks. A journal neither
knows keeps its name as given. README.md ("Journal abbreviations") says how to add one.
"""

import csv
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

TABLE = Path(__file__).resolve().parent / "data" / "journal_abbreviations.csv"


def comparable(name):
    """A journal name as the table compares it: without case, accents, a leading "The",
    punctuation or spacing, and with "&" read as "and"."""
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    words = re.sub(r"[^\w\s]|_", " ", text.replace("&", " and ")).split()
    if words[:1] == ["the"]:
        words = words[1:]
    return " ".join(words)


@lru_cache(maxsize=1)
def table():
    """{comparable name: abbreviation}, for each title in the table and each abbreviation
    (so that "N. Engl. J. Med." is known as "N Engl J Med")."""
    known = {}
    with TABLE.open(encoding="utf-8", newline="") as rows:
        for row in csv.reader(rows):
            if not row or row[0].startswith("#") or row == ["title", "abbreviation"]:
                continue
            title, abbreviation = (cell.strip() for cell in row)
            known.setdefault(comparable(abbreviation), abbreviation)
            known[comparable(title)] = abbreviation
    return known


def known_abbreviation(name):
    """The table's abbreviation for the journal `name` (a title or an abbreviation), or ""."""
    return table().get(comparable(name), "") if name else ""


def abbreviation(title, given=""):
    """The abbreviation AMA prints for the journal `title`: the table's, else the one the
    record `given` (periods dropped, as NLM writes them), else "" (print the title)."""
    found = known_abbreviation(title) or known_abbreviation(given)
    if found:
        return found
    return " ".join(given.replace(".", " ").split())
