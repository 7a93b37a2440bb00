"""
Readability: how hard each section of an answer is to read, as a US school grade.

The grade is textstat's Flesch-Kincaid grade (syllables from the CMU Pronouncing
Dictionary, pyphen for words it lacks), computed over the words patients read: the
Markdown's text, without citation markers, code or the editor's "[no citation needed]".
Plain-language guidance for patients aims at about grade 8 (`READING_GRADE_TARGET`).

The editor sees each section's grade in its live preview as they type, with the hardest
sentences above the target marked in the preview text; the reviewer sees the grades on
the approve page. Advisory only: nothing here blocks a save, a submission or an approval.

Sentences are found in the same markdown-it tokens the renderer writes, so the preview
can mark a sentence exactly where it is, even across emphasis or a link.
"""

import re
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.html import format_html, format_html_join
from markdown_it.token import Token

from answers import rendering
from answers.attribution import without_marks

SECTIONS = {
    "short_answer": "The short answer",
    "research": "What the research says",
    "doctor_questions": "What to ask your doctor",
}
# Fewer words than this get no grade: the formula means nothing on a line or two.
MIN_WORDS = 12
HARDEST_SHOWN = 3

# Where a sentence ends: ".", "!" or "?" (and any closing quote or bracket), then space.
# Not after an abbreviation common in medical prose, nor inside a number like 2.5.
SENTENCE_END = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+|$)")
# Titles are matched with their case: "in MS." ends a sentence, "Ms. Jones" does not.
ABBREVIATIONS = re.compile(r"\b(?:(?i:e\.g|i\.e|et al|vs|approx|cf|fig)|Dr|Mr|Mrs|Ms|Prof|St)\.$")
LONGEST_ABBREVIATION = len("approx.")
WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


def _textstat():
    # Imported when first needed: loading the pronouncing dictionary takes about 0.4 s
    # and 60 MB, which the public site's workers never need.
    import textstat

    return textstat


def grade_of(text):
    return _textstat().flesch_kincaid_grade(text)


@dataclass(frozen=True)
class Sentence:
    text: str
    grade: float
    start: int  # in its block's plain text
    end: int
    block: int


@dataclass
class SectionGrade:
    field: str
    words: int = 0
    grade: float | None = None  # None: too short to grade
    sentences: list = field(default_factory=list)

    @property
    def label(self):
        return SECTIONS[self.field]

    @property
    def target(self):
        return settings.READING_GRADE_TARGET

    @property
    def above_target(self):
        return self.grade is not None and self.grade > self.target

    @property
    def shown_grade(self):
        return None if self.grade is None else max(0.0, round(self.grade, 1))

    @property
    def hardest(self):
        """The hardest sentences above the target, hardest first."""
        above = [s for s in self.sentences if s.grade > self.target]
        return sorted(above, key=lambda s: s.grade, reverse=True)[:HARDEST_SHOWN]

    @property
    def verdict(self):
        if self.grade is None:
            return f"too short to grade (fewer than {MIN_WORDS} words)"
        if self.above_target:
            return f"above the target of grade {self.target}"
        return f"within the target of grade {self.target}"


def sentence_spans(text):
    """(start, end) of each sentence of a block of plain text."""
    spans, start = [], 0
    for end_mark in SENTENCE_END.finditer(text):
        # Only the few characters before the full stop can hold an abbreviation: looking
        # no further keeps a text of 10,000 "Dr." linear, not quadratic.
        stop = end_mark.start() + 1
        if ABBREVIATIONS.search(text, max(start, stop - LONGEST_ABBREVIATION - 1), stop):
            continue
        spans.append((start, end_mark.end()))
        start = end_mark.end()
    spans.append((start, len(text)))
    return [(a + _leading_space(text[a:b]), b) for a, b in spans if text[a:b].strip()]


def _leading_space(text):
    return len(text) - len(text.lstrip())


def _pieces(inline):
    """(child index or None, text) for each child of an inline token that patients read."""
    for i, child in enumerate(inline.children or []):
        if child.type == "text":
            yield i, child.content
        elif child.type == "code_inline":
            yield None, child.content
        elif child.type in ("softbreak", "hardbreak"):
            yield None, " "


def _parse(section, text):
    """(block tokens, their inline tokens in reading order), parsed as the renderer parses
    the section; a list field has no block tokens, one inline token per item."""
    if section == "doctor_questions":
        return None, [rendering.parse_list_item(item) for item in rendering.list_items(text)]
    blocks = rendering.parse_markdown(text, citations=section == "research")
    return blocks, [token for token in blocks if token.type == "inline"]


def _plain(inline):
    return "".join(text for _, text in _pieces(inline))


def grade_section(section, text, inlines=None):
    """The grade of one section's Markdown and of each of its sentences."""
    if section == "research":
        text = without_marks(text)
    if inlines is None:
        _, inlines = _parse(section, text)
    result = SectionGrade(section)
    whole = []
    for number, inline in enumerate(inlines):
        plain = _plain(inline)
        for start, end in sentence_spans(plain):
            sentence = " ".join(plain[start:end].split())
            words = len(WORD.findall(sentence))
            if not words:
                continue
            result.words += words
            # A list item or heading without a full stop is still a sentence of its own.
            whole.append(sentence if sentence[-1] in ".!?" else sentence + ".")
            result.sentences.append(Sentence(sentence, grade_of(sentence), start, end, number))
    if result.words >= MIN_WORDS:
        result.grade = grade_of(" ".join(whole))
    return result


def grade_answer(answer):
    return [grade_section(name, getattr(answer, name)) for name in SECTIONS]


def _mark_hardest(inlines, hardest):
    """Wrap the text of the hardest sentences in <mark>, piece by piece, so the marks nest
    inside whatever emphasis or link the sentence runs through."""
    for number, inline in enumerate(inlines):
        spans = [(s.start, s.end) for s in hardest if s.block == number]
        if not spans:
            continue
        children, offset = [], 0
        for child in inline.children or []:
            length = _piece_length(child)
            if child.type != "text":
                children.append(child)
                offset += length
                continue
            children.extend(_split_marked(child.content, offset, spans))
            offset += length
        inline.children = children


def _piece_length(child):
    if child.type in ("text", "code_inline"):
        return len(child.content)
    if child.type in ("softbreak", "hardbreak"):
        return 1
    return 0


def _split_marked(content, offset, spans):
    cuts = {0, len(content)}
    for start, end in spans:
        for cut in (start - offset, end - offset):
            if 0 < cut < len(content):
                cuts.add(cut)
    tokens = []
    bounds = sorted(cuts)
    for a, b in zip(bounds, bounds[1:], strict=False):
        inside = any(start <= offset + a and offset + b <= end for start, end in spans)
        text = Token("text", "", 0, content=content[a:b])
        if inside:
            tokens += [_html('<mark class="hard-sentence">'), text, _html("</mark>")]
        else:
            tokens.append(text)
    return tokens


def _html(content):
    return Token("html_inline", "", 0, content=content)


def preview(section, text):
    """The live preview of one section: its grade, then the text as patients will read it
    with the hardest sentences marked."""
    if section == "research":
        text = without_marks(text)
    blocks, inlines = _parse(section, text)
    grade = grade_section(section, text, inlines)
    _mark_hardest(inlines, grade.hardest)
    if blocks is None:
        html = rendering.render_list_items(inlines)
    else:
        html = rendering.render_tokens(blocks, citations=section == "research")
    return notice(grade) + html


def notice(grade):
    """What the editor reads above the preview: the grade against the target and the
    hardest sentences."""
    if grade.grade is None:
        lead = format_html("<strong>Reading grade:</strong> {}.", grade.verdict)
    else:
        lead = format_html(
            "<strong>Reading grade {}</strong>: {}.", grade.shown_grade, grade.verdict
        )
    items = format_html_join(
        "",
        "<li><mark>{}</mark> (grade {})</li>",
        ((s.text, max(0.0, round(s.grade, 1))) for s in grade.hardest),
    )
    hardest = (
        format_html(
            "<p>Hardest sentences, marked in the preview: shorter sentences and "
            "shorter words bring the grade down.</p><ol>{}</ol>",
            items,
        )
        if grade.hardest
        else ""
    )
    state = "above" if grade.above_target else "within"
    return format_html(
        '<div class="readability-check {}" role="status" data-grade="{}"><p>{}</p>{}</div>',
        state,
        "" if grade.grade is None else grade.shown_grade,
        lead,
        hardest,
    )
