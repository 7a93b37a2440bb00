"""
Three places where citeproc-py 0.11 departs from the CSL 1.0.2 specification, set right
for the styles qasite uses, so that a reference reads as citeproc-js (the processor Zotero
uses) and the AMA Manual print it. citations/tests/test_conformance.py fails on each of
them when its fix is taken out.

1. Substitution (spec, "Substitute"): a variable a <cs:substitute> rendered in place of a
   missing name "is suppressed in the rest of the output". citeproc-py suppresses only a
   later <cs:text variable> of the very element it rendered, so a book without authors
   printed its editors twice and a web page without authors its title twice.
2. Localized dates (spec, "Localized Date Formats"): the locale's <cs:date> delimiter
   joins the date parts; citeproc-py used the calling element's, none, and Vancouver
   printed "2023May17".
3. Title case (spec, "Title case conversion"): each part of a hyphenated compound is a
   word ("Human-Computer"); citeproc-py capitalised the first part only.

`apply()` is called once, when citations.formatting is imported.
"""

import re

from citeproc import model

CSL = model.CitationStylesElement.nsmap["cs"]
STOP_WORDS = set(model.TextCased._stop_words)


def rendered_variables(element):
    """The variables `element` renders, through the macros it calls."""
    found = set()
    for node in element.iter():
        if not isinstance(node.tag, str):
            continue  # a comment
        found.update((node.get("variable") or "").split())
        if node.get("macro"):
            found |= rendered_variables(node.get_macro(node.get("macro")))
    return found


def _repress_everything_rendered(self, child, context):
    repressed = context.get_layout().repressed
    for variable in rendered_variables(child):
        for tag in ("text", "names"):
            repressed.setdefault(f"{{{CSL}}}{tag}", []).append(variable)


def _names_unless_substituted(process):
    def names_process(self, item, names_context=None, context=None, **kwargs):
        try:
            layout = (context if context is not None else self).get_layout()
            repressed = layout.repressed.get(self.tag, [])
        except IndexError:  # rendered outside a layout: nothing to suppress
            repressed = []
        variables = set((self.get("variable") or "").split())
        if variables and variables <= set(repressed):
            return None
        return process(self, item, names_context=names_context, context=context, **kwargs)

    return names_process


def _title_case_hyphenated(case):
    def cased(self, text, language=None):
        text = case(self, text, language)
        if self.get("text-case") != "title" or not isinstance(text, str):
            return text

        def capitalised(match):
            word = match.group(1)
            return "-" + (word if word in STOP_WORDS else word[:1].upper() + word[1:])

        return type(text)(re.sub(r"(?<=\w)-([a-z]\w*)", capitalised, text))

    return cased


def locale_dates_with_their_delimiter(style):
    """`style` (a CitationStylesStyle) with its localized dates, in the style's own locale
    sections and the locale files it reads, joined by their delimiter: written as a prefix
    of each part after the first, which citeproc-py applies."""
    for locale in style.root.locales:
        for date in locale.iter(f"{{{CSL}}}date"):
            delimiter = date.attrib.pop("delimiter", None)
            if delimiter:
                for part in list(date)[1:]:
                    part.set("prefix", delimiter + part.get("prefix", ""))
    return style


_applied = False


def apply():
    global _applied
    if _applied:
        return
    model.Substitute.add_to_repressed_list = _repress_everything_rendered
    model.Names.process = _names_unless_substituted(model.Names.process)
    model.TextCased.case = _title_case_hyphenated(model.TextCased.case)
    _applied = True
