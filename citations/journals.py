"""
Journal names as AMA style prints them: abbreviated as in the NLM catalogue ("N Engl J
Med", "Lancet Neurol"), without periods.

Where an abbreviation comes from, best first (`SourceQuerySet.abbreviation_for`):

1. the record's own. MEDLINE's TA and PubMed's MedlineTA are NLM's; RIS (J2, JA, J1),
   CSL-JSON (container-title-short) and Crossref (short-container-title) carry the
   publisher's, usually ISO 4 with periods, which `nlm_form` writes as NLM does;
2. the library: the abbreviation the journal's other sources already carry, so that one
   journal prints one way whoever typed it in;
3. the ISO 4 rules, which NLM's abbreviations follow, applied by pyiso4 with the ISSN
   Centre's List of Title Word Abbreviations (`iso4`). A package, not a table of our own:
   a table knows the journals someone typed into it, the rules know every title.
"""

import re
import unicodedata
from functools import lru_cache

from pyiso4.ltwa import Abbreviate

# "Bioinformatics (Oxford, England)", "BMJ (Clinical research ed.)": NLM's titles name a
# place or edition to tell journals apart; the abbreviation leaves it out.
QUALIFIER = re.compile(r"\s*\([^()]*\)\s*$")


def comparable(name):
    """A journal name as the library compares it: without case, accents, a leading "The",
    punctuation, spacing or a qualifier in brackets, and with "&" read as "and"."""
    text = unicodedata.normalize("NFKD", QUALIFIER.sub("", name or ""))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    words = re.sub(r"[^\w\s]|_", " ", text.replace("&", " and ")).split()
    if words[:1] == ["the"]:
        words = words[1:]
    return " ".join(words)


def abbreviations_by_journal(pairs):
    """{comparable journal: the abbreviation most of its sources carry} of (journal,
    abbreviation) pairs, a journal known by its name and by its abbreviation ("The Lancet",
    "Lancet (London, England)" and "LANCET" are one journal)."""
    votes = {}
    for journal, abbreviation in pairs:
        for name in {comparable(journal), comparable(abbreviation)}:
            counts = votes.setdefault(name, {})
            counts[abbreviation] = counts.get(abbreviation, 0) + 1
    return {name: max(sorted(counts), key=counts.get) for name, counts in votes.items()}


def nlm_form(abbreviation):
    """ "Appl. Math. Comput." → "Appl Math Comput", "The Lancet" → "Lancet": NLM writes
    abbreviations without periods or commas after words, and without a leading article."""
    words = re.sub(r"(?<=[^\W\d_])[.,]", " ", abbreviation or "").split()
    words = [word for word in words if word.strip(".,;:")]
    if words[:1] and words[0].casefold() == "the" and len(words) > 1:
        words = words[1:]
    return " ".join(words)


@lru_cache(maxsize=1)
def _abbreviate():
    return Abbreviate.create()


def is_abbreviated(title):
    """ "Appl. Math. Comput.": two or more short words ending in a period (where "The
    Lancet. Neurology" has one)."""
    dotted = re.findall(r"([^\W\d_]+)\.(?=\s|$)", title)
    return len(dotted) >= 2 and all(len(word) <= 7 for word in dotted)


@lru_cache(maxsize=2048)
def iso4(title):
    """The ISO 4 abbreviation of a journal's title, as NLM writes it: "Nature medicine" →
    "Nat Med", "The Lancet. Neurology" → "Lancet Neurol", "Cell" → "Cell"; a title that is
    an abbreviation already ("Appl. Math. Comput.") is only written as NLM writes it."""
    title = QUALIFIER.sub("", " ".join((title or "").split()))
    if not title or is_abbreviated(title):
        return nlm_form(title)
    words = nlm_form(_abbreviate()(title, remove_part=True)).split()
    # Words are capitalised in NLM's abbreviations whatever the record's case was ("Nature
    # medicine" → "Nat Med"); a word in mixed case ("arXiv") is a name and stays.
    return " ".join(word[:1].upper() + word[1:] if word.islower() else word for word in words)
