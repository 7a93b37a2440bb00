"""
Citation markers in editor Markdown: `[9]`, `[9, 10]`, `[9-11]` (and mixes like `[1, 3-5]`).

Markers are recognised by a markdown-it inline rule, so a `[9]` inside a code span or a
link's text is left alone, exactly as the renderer sees it. The checks here take text and
citation numbers, never answers: this app does not depend on `answers`.
"""

import re
from dataclasses import dataclass

from markdown_it import MarkdownIt

# Bounded repetition keeps matching linear even on pathological input.
MARKER = re.compile(r"\[(\d{1,3}(?:[ \t]{0,3}[,\-–][ \t]{0,3}\d{1,3}){0,30})\]")
RANGE_LIMIT = 50


def parse_marker_body(body):
    """The numbers of a marker body like "9, 10" or "9-11", or None if it is not a marker."""
    numbers = []
    for part in body.split(","):
        bounds = [b.strip() for b in re.split(r"[-–]", part)]
        if len(bounds) == 1:
            first = last = int(bounds[0])
        elif len(bounds) == 2:
            first, last = int(bounds[0]), int(bounds[1])
        else:
            return None
        if first < 1 or last < first or last - first > RANGE_LIMIT:
            return None
        numbers.extend(range(first, last + 1))
    return numbers


def _citation_rule(state, silent):
    if state.src[state.pos] != "[":
        return False
    match = MARKER.match(state.src, state.pos)
    if not match:
        return False
    after = state.src[match.end() : match.end() + 1]
    if after in ("(", "["):  # a link: [9](https://…) or [9][label]
        return False
    numbers = parse_marker_body(match.group(1))
    if numbers is None:
        return False
    if not silent:
        # A superscript sits right after the word it supports: "MS [9]" reads "MS⁹".
        state.pending = state.pending.rstrip(" \t")
        token = state.push("citation", "sup", 0)
        token.meta = {"numbers": numbers}
        token.content = match.group(0)
    state.pos = match.end()
    return True


def _render_citation(self, tokens, idx, options, env):
    seen = env.setdefault("citation_uses", {})
    links = []
    for number in tokens[idx].meta["numbers"]:
        seen[number] = seen.get(number, 0) + 1
        links.append(
            f'<a href="#ref-{number}" id="cite-{number}-{seen[number]}" '
            f'aria-label="Reference {number}">{number}</a>'
        )
    return '<sup class="citation">' + ",".join(links) + "</sup>"


def citation_plugin(md):
    """markdown-it plugin: markers become superscript links to the reference list."""
    md.inline.ruler.before("link", "citation", _citation_rule)
    md.add_render_rule("citation", _render_citation)


_parser = MarkdownIt("commonmark", {"html": False}).use(citation_plugin)


def cited_numbers(text):
    """Every cited number in order of first use, as the renderer would link them."""
    return list(marker_uses(text))


def marker_uses(text):
    """{number: how many times it is cited}, in order of first use; the renderer's anchors
    are cite-N-1 … cite-N-k."""
    uses = {}
    for block in _parser.parse(text or ""):
        for child in block.children or ():
            if child.type == "citation":
                for number in child.meta["numbers"]:
                    uses[number] = uses.get(number, 0) + 1
    return uses


def contains_markers(text):
    return bool(cited_numbers(text))


@dataclass(frozen=True)
class Problem:
    """One citation problem in an answer. Errors block submission and approval (and, for
    the structural ones in BLOCKS_SAVING, saving); warnings inform."""

    ERROR = "error"
    WARNING = "warning"

    level: str
    message: str
    code: str = ""

    @property
    def is_error(self):
        return self.level == self.ERROR

    @property
    def blocks_saving(self):
        return self.code in BLOCKS_SAVING


# A text whose markers point nowhere, or one source under two numbers, is never stored.
BLOCKS_SAVING = {"unknown-marker", "duplicate-source"}


@dataclass(frozen=True)
class CitedSource:
    """What the checks need to know of one citation of an answer."""

    number: int
    source_id: int
    label: str
    retraction: str = ""  # a Source.Retraction value

    @classmethod
    def of(cls, citation):
        source = citation.source
        return cls(citation.number, source.pk, str(source), source.retraction_status)


def check_citations(text, citations):
    """Problems between the markers in `text` and `citations` (CitedSource records)."""
    problems = []
    cited = cited_numbers(text)
    numbers = {c.number for c in citations}
    for number in cited:
        if number not in numbers:
            problems.append(
                Problem(
                    Problem.ERROR,
                    f"Marker [{number}] points to no citation of this answer. "
                    f"Add citation {number} or correct the marker.",
                    "unknown-marker",
                )
            )
    by_source = {}
    for citation in sorted(citations, key=lambda c: c.number):
        by_source.setdefault(citation.source_id, []).append(citation)
    for uses in by_source.values():
        if len(uses) > 1:
            listed = " and ".join(str(c.number) for c in uses)
            problems.append(
                Problem(
                    Problem.ERROR,
                    f"Citations {listed} are the same source (“{uses[0].label}”). "
                    "Keep one citation and use its number everywhere.",
                    "duplicate-source",
                )
            )
    for citation in sorted(citations, key=lambda c: c.number):
        if citation.retraction == "retracted":
            problems.append(
                Problem(
                    Problem.ERROR,
                    f"Citation {citation.number} (“{citation.label}”) has been retracted. "
                    "Remove it or cite another source.",
                    "retracted",
                )
            )
        elif citation.retraction == "concern":
            problems.append(
                Problem(
                    Problem.WARNING,
                    f"Citation {citation.number} (“{citation.label}”) has an expression of "
                    "concern from its publisher. Check it still supports the claim.",
                    "concern",
                )
            )
        if citation.number not in cited:
            problems.append(
                Problem(
                    Problem.WARNING,
                    f"Citation {citation.number} (“{citation.label}”) is never cited in the text.",
                    "uncited",
                )
            )
    in_use = [number for number in cited if number in numbers]
    if in_use != list(range(1, len(in_use) + 1)):
        problems.append(
            Problem(
                Problem.WARNING,
                "Citations are not numbered in order of first use, as AMA style asks: the text "
                f"cites {', '.join(map(str, in_use))}. Use “Renumber by order of first use”.",
                "order",
            )
        )
    return problems


def first_use_numbering(text, numbers):
    """{old: new} numbering citations by first use in `text`; uncited ones go last."""
    order = [n for n in cited_numbers(text) if n in numbers]
    order += sorted(set(numbers) - set(order))
    return {old: new for new, old in enumerate(order, start=1)}


def _marker_body(numbers):
    """Numbers as a marker body: runs of three or more become ranges ("1-3, 5")."""
    numbers, parts, start = sorted(set(numbers)), [], None
    for index, number in enumerate(numbers):
        if start is None:
            start = number
        if index + 1 < len(numbers) and numbers[index + 1] == number + 1:
            continue
        if number - start >= 2:
            parts.append(f"{start}-{number}")
        else:
            parts.extend(str(n) for n in range(start, number + 1))
        start = None
    return ", ".join(parts)


CODE = re.compile(r"(```.*?```|~~~.*?~~~|`[^`\n]*`)", re.DOTALL)


def renumber_markers(text, mapping):
    """`text` with every marker's numbers replaced through `mapping` (code left alone)."""

    def replace(match):
        numbers = parse_marker_body(match.group(1))
        following = match.string[match.end() : match.end() + 1]
        if numbers is None or following in ("(", "["):  # not a marker but a link
            return match.group(0)
        return "[" + _marker_body(mapping.get(n, n) for n in numbers) + "]"

    pieces = CODE.split(text)
    for index in range(0, len(pieces), 2):  # even pieces are outside code
        pieces[index] = MARKER.sub(replace, pieces[index])
    return "".join(pieces)
