"""
The one Markdown renderer: editor Markdown in, safe HTML out.

Used by the admin live preview (django-markdownx) and by every public page, so the
preview is exactly what patients will see. markdown-it-py is a linear-time CommonMark
parser (raw HTML off); its output then passes nh3 with a tight allowlist, so even a
parser bug cannot put a script, a style or a javascript: link on a page.
"""

import re
from html import unescape

import nh3
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.html import escape, strip_tags
from django.utils.safestring import mark_safe
from markdown_it import MarkdownIt

from citations.characters import normalize_newlines
from citations.markers import CITATION_ANCHOR, CITATION_LABEL, citation_plugin

ALLOWED_TAGS = {
    "p", "br", "em", "strong", "code", "pre", "blockquote", "hr",
    "ul", "ol", "li", "h2", "h3", "h4", "a", "sup", "mark",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "id", "aria-label"}, "ol": {"start"}}
# <mark class="hard-sentence">: the readability preview's marks (answers/readability.py).
# Editors cannot write either: raw HTML is off, so only the renderer puts them there.
ALLOWED_CLASSES = {"sup": {"citation"}, "mark": {"hard-sentence"}}
URL_SCHEMES = {"http", "https", "mailto"}

# Only the renderer's own marker links carry these attributes.
SAFE_ATTRIBUTE_VALUES = {"id": CITATION_ANCHOR, "aria-label": CITATION_LABEL}


# markdown-it-py is linear, but each bracket, emphasis mark, backtick, line or list item
# costs it tens of microseconds: 40,000 "[" take a second, and so do 2,800 lines of eight
# nested list items ("- - - - - - - - a"). List and quote markers that open a line are
# counted too, since "-", "+" and digits are too common in prose to count everywhere.
# 4,000 let such lists take over a second (bench/markdown_limits.py measures every shape;
# bench/README.md has the figures); within 3,000, the worst field checks and renders in
# about 0.2 s on the project machine.
MARKUP_CHARACTERS = "[]*_`<!\n"
LINE_OPENING_MARKERS = re.compile(r"^[ \t]*(?:(?:[-+*>]|\d{1,9}[.)])(?:[ \t]+|$))+", re.MULTILINE)
MARKUP_BUDGET = 3_000


def markup_count(text):
    """The line breaks, formatting characters and list or quote markers of `text`: what
    costs markdown-it-py the most."""
    characters = sum(text.count(character) for character in MARKUP_CHARACTERS)
    markers = sum(len(match.group().split()) for match in LINE_OPENING_MARKERS.finditer(text))
    return characters + markers


def validate_markdown(text, max_chars=None):
    """Refuse, with a message, Markdown that is too long (past MARKDOWN_MAX_CHARS, or a
    field's own `max_chars` below it) or too dense to render quickly.

    Cheap whatever the size: the length is checked first, so a megabyte costs no more than
    counting its line breaks. Forms run it as they clean the field, before anything parses
    the text (answers/forms.py `MarkdownForm`). Line breaks count as stored: a browser sends
    each as CR LF."""
    text = text or ""
    limit = min(max_chars or settings.MARKDOWN_MAX_CHARS, settings.MARKDOWN_MAX_CHARS)
    length = len(text) - text.count("\r\n")
    if length > limit:
        raise ValidationError(
            f"This text is {length:,} characters long; the limit is {limit:,}. "
            "Shorten it or split the answer.",
            code="markdown_too_long",
        )
    markup = markup_count(normalize_newlines(text))
    if markup > MARKUP_BUDGET:
        raise ValidationError(
            f"This text has {markup:,} line breaks, list markers and formatting characters "
            f"([ ] * _ ` < !); the limit is {MARKUP_BUDGET:,}. Remove some formatting or "
            "split the text.",
            code="markdown_too_dense",
        )


def _filter_attribute(element, attribute, value):
    pattern = SAFE_ATTRIBUTE_VALUES.get(attribute)
    if pattern and not pattern.match(value):
        return None
    return value


def _demote_heading(self, tokens, idx, options, env):
    # The page's own sections are <h2>; an editor's "#" heading nests below them.
    token = tokens[idx]
    token.tag = f"h{min(int(token.tag[1]) + 2, 4)}"
    return self.renderToken(tokens, idx, options, env)


def _parser(with_citations):
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.add_render_rule("heading_open", _demote_heading)
    md.add_render_rule("heading_close", _demote_heading)
    if with_citations:
        md.use(citation_plugin)
    return md


_WITH_CITATIONS = _parser(with_citations=True)
_PLAIN = _parser(with_citations=False)


def sanitize(html):
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        attribute_filter=_filter_attribute,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def render_markdown(text, citations=True):
    """Editor Markdown as safe HTML; citation markers become superscript links."""
    return render_tokens(parse_markdown(text, citations), citations)


def parse_markdown(text, citations=True):
    """The renderer's tokens for `text`: a fresh list, which a caller may change before
    passing it to render_tokens()."""
    md = _WITH_CITATIONS if citations else _PLAIN
    return md.parse(text or "")


def render_tokens(tokens, citations=True):
    md = _WITH_CITATIONS if citations else _PLAIN
    return mark_safe(sanitize(md.renderer.render(tokens, md.options, {})))


def render_plain_markdown(text):
    """Markdown without citation markers: short answers, disclaimers, descriptions."""
    return render_markdown(text, citations=False)


def list_items(text):
    """One item per non-empty line; a leading "-", "*" or "•" is the editor's bullet."""
    items = []
    for line in (text or "").splitlines():
        line = re.sub(r"^\s*[-*•]\s+", "", line).strip()
        if line:
            items.append(line)
    return items


def render_list(text):
    """A one-item-per-line field as a safe <ul>, each item with inline Markdown."""
    return render_list_items([parse_list_item(item) for item in list_items(text)])


def parse_list_item(item):
    """The inline token of one list item, as render_list_items() renders it."""
    return _PLAIN.parseInline(item)[0]


def render_list_items(inlines):
    if not inlines:
        return mark_safe("")
    items = [_PLAIN.renderer.renderInline(i.children, _PLAIN.options, {}) for i in inlines]
    html = "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"
    return mark_safe(sanitize(html))


def fill_topic(html, topic_name):
    """A rendered disclaimer with `{topic}` replaced by the (escaped) topic name."""
    return mark_safe(str(html).replace("{topic}", escape(topic_name)))


def plain_text(html):
    """Rendered HTML as plain words, without the citation markers' numbers."""
    without_markers = re.sub(r'<sup class="citation">.*?</sup>', "", str(html))
    return " ".join(unescape(strip_tags(without_markers)).split())
