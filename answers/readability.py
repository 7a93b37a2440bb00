"""
Readability: how hard each section of an answer is to read, by the formula that fits the
answer's language, against that language's target (settings.READABILITY_TARGETS).

- English: textstat's Flesch-Kincaid grade, a US school grade (syllables from the CMU
  Pronouncing Dictionary, pyphen for words it lacks). Plain-language guidance for patients
  aims at about grade 8 or below.
- Spanish: textstat's Szigriszt-Pazos perspicuity, a reading ease from 0 (hardest) to
  100 (easiest), syllables from pyphen's Spanish hyphenation. Its INFLESZ scale, validated
  on texts written for patients, calls 55-65 "normal"; the target is 55 or more. (textstat
  also offers Fernández Huerta, a Flesch adaptation without that validation.)
- Arabic: not graded. textstat's one Arabic formula (Osman) counts syllables from the
  short-vowel marks (tashkeel) that text for patients leaves out; without them it counts
  letters, and its number would say nothing. The check says so rather than grading
  Arabic with a formula made for another language.

Each is computed over the words patients read: the Markdown's text, without citation
markers, code or the editor's "[no citation needed]". The formulas are textstat's own,
called with the language each time (`textstat.backend.metrics`): textstat.set_lang is
one setting for the whole process, and a Spanish grading must not change a concurrent
English one.

The editor sees each section's grade in its live preview as they type, with the hardest
sentences that miss the target marked in the preview text; the reviewer sees the grades
on the approve page. Advisory only: nothing here blocks a save, a submission or an
approval.

Sentences are found in the same markdown-it tokens the renderer writes, so the preview
can mark a sentence exactly where it is, even across emphasis or a link.
"""

import re
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.html import format_html, format_html_join
from markdown_it.token import Token

from answers import languages, rendering
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


def _metrics():
    # Imported when first needed: loading the pronouncing dictionary takes about 0.4 s
    # and 60 MB, which the public site's workers never need.
    from textstat.backend import metrics

    return metrics


@dataclass(frozen=True)
class Formula:
    """A readability formula of textstat's for one language."""

    name: str  # as the notice names it: "Reading grade", "Reading ease (Szigriszt-Pazos)"
    unit: str  # before a sentence's number: "grade", "ease"
    metric: str  # the function of textstat.backend.metrics
    textstat_language: str  # the language textstat is given (its syllable counting)
    easier_is_higher: bool
    about: str  # what the number is and what it aims at, with the target as {target}
    lowest: float = 0.0
    highest: float | None = None
    advice: str = ""

    def score(self, text):
        return getattr(_metrics(), self.metric)(text, self.textstat_language)

    def misses(self, score, target):
        return score < target if self.easier_is_higher else score > target

    def shown(self, score):
        """`score` as the editor reads it: one decimal, within the formula's scale."""
        score = max(self.lowest, round(score, 1))
        return score if self.highest is None else min(self.highest, score)

    @property
    def missed(self):
        """How a score that misses the target stands to it."""
        return "below" if self.easier_is_higher else "above"

    def target_text(self, target):
        return f"{target} or more" if self.easier_is_higher else f"grade {target}"


# By language subtag ("en" for en-gb). A language not here is not graded.
FORMULAS = {
    "en": Formula(
        name="Reading grade",
        unit="grade",
        metric="flesch_kincaid_grade",
        textstat_language="en_US",
        easier_is_higher=False,
        about="US school grade (Flesch-Kincaid); plain-language guidance aims at grade "
        "{target} or below",
        advice="shorter sentences and shorter words bring the grade down",
    ),
    "es": Formula(
        name="Reading ease (Szigriszt-Pazos)",
        unit="ease",
        metric="szigriszt_pazos",
        textstat_language="es",
        easier_is_higher=True,
        about="Szigriszt-Pazos reading ease, from 0 (hardest) to 100 (easiest); the target is "
        "{target} or more (the INFLESZ scale for patient texts calls 55 to 65 normal)",
        highest=100.0,
        advice="shorter sentences and shorter words raise the score",
    ),
}


def language_of(language):
    """The language subtag the formulas and targets are kept by ("en" for "en-gb")."""
    return (language or languages.default()).partition("-")[0].lower()


def formula_for(language):
    """The formula for `language` (a code; None: the default language), or None."""
    return FORMULAS.get(language_of(language))


def grade_of(text, language=None):
    """`text`'s score by `language`'s formula (None: the default language's); the language
    must have one (`formula_for`)."""
    return formula_for(language).score(text)


@dataclass(frozen=True)
class Sentence:
    text: str
    grade: float  # the formula's score: a grade, or an ease
    start: int  # in its block's plain text
    end: int
    block: int


@dataclass
class SectionGrade:
    """One section's score by its language's formula. `grade` is the formula's number (a
    school grade in English, a reading ease in Spanish); None when the section is too
    short, or its language has no formula (`formula` None)."""

    field: str
    language: str = ""
    formula: Formula | None = None
    words: int = 0
    grade: float | None = None
    sentences: list = field(default_factory=list)

    @property
    def label(self):
        return SECTIONS[self.field]

    @property
    def target(self):
        if self.formula is None:
            return None
        return settings.READABILITY_TARGETS[language_of(self.language)]

    @property
    def about(self):
        """One sentence on the scale, for a page that lists the sections' scores."""
        if self.formula is None:
            name = languages.english_name(self.language)
            return f"No readability formula is applied to {name} text."
        return self.formula.about.format(target=self.target) + "."

    @property
    def misses_target(self):
        return self.grade is not None and self.formula.misses(self.grade, self.target)

    # The name the approve page's template reads (its rows are "above" or "within").
    above_target = misses_target

    @property
    def shown_grade(self):
        return None if self.grade is None else self.formula.shown(self.grade)

    @property
    def hardest(self):
        """The hardest sentences that miss the target, hardest first."""
        if self.formula is None:
            return []
        missing = [s for s in self.sentences if self.formula.misses(s.grade, self.target)]
        # Hardest first: the lowest ease, or the highest grade.
        hardest = sorted(missing, key=lambda s: s.grade, reverse=not self.formula.easier_is_higher)
        return hardest[:HARDEST_SHOWN]

    @property
    def verdict(self):
        if self.formula is None:
            name = languages.english_name(self.language)
            return f"not graded: no readability formula is applied to {name} text"
        if self.grade is None:
            return f"too short to grade (fewer than {MIN_WORDS} words)"
        target = self.formula.target_text(self.target)
        if not self.misses_target:
            return f"within the target of {target}"
        return f"{self.formula.missed} the target of {target}"


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


def grade_section(section, text, inlines=None, language=None):
    """The score of one section's Markdown and of each of its sentences, by `language`'s
    formula (None: the default language's)."""
    language = language or languages.default()
    result = SectionGrade(section, language, formula_for(language))
    if result.formula is None:
        return result
    if section == "research":
        text = without_marks(text)
    if inlines is None:
        _, inlines = _parse(section, text)
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
            score = result.formula.score(sentence)
            result.sentences.append(Sentence(sentence, score, start, end, number))
    if result.words >= MIN_WORDS:
        result.grade = result.formula.score(" ".join(whole))
    return result


def grade_answer(answer):
    """Each section of `answer`'s working copy, in its question's language."""
    language = answer.question.language
    return [grade_section(name, getattr(answer, name), language=language) for name in SECTIONS]


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


def preview(section, text, language=None):
    """The live preview of one section: its score by `language`'s formula (None: the
    default language's), then the text as patients will read it with the hardest
    sentences marked."""
    if section == "research":
        text = without_marks(text)
    blocks, inlines = _parse(section, text)
    grade = grade_section(section, text, inlines, language=language)
    _mark_hardest(inlines, grade.hardest)
    if blocks is None:
        html = rendering.render_list_items(inlines)
    else:
        html = rendering.render_tokens(blocks, citations=section == "research")
    return notice(grade) + html


def notice(grade):
    """What the editor reads above the preview: the score against the target and the
    hardest sentences."""
    formula = grade.formula
    name = formula.name if formula else "Reading grade"
    if grade.grade is None:
        lead = format_html("<strong>{}:</strong> {}.", name, grade.verdict)
    else:
        lead = format_html("<strong>{} {}</strong>: {}.", name, grade.shown_grade, grade.verdict)
    items = format_html_join(
        "",
        "<li><mark>{}</mark> ({} {})</li>",
        ((s.text, formula.unit, formula.shown(s.grade)) for s in grade.hardest),
    )
    hardest = (
        format_html(
            "<p>Hardest sentences, marked in the preview: {}.</p><ol>{}</ol>",
            formula.advice,
            items,
        )
        if grade.hardest
        else ""
    )
    state = "above" if grade.misses_target else "within"
    return format_html(
        '<div class="readability-check {}" role="status" data-grade="{}"><p>{}</p>{}</div>',
        state,
        "" if grade.grade is None else grade.shown_grade,
        lead,
        hardest,
    )
