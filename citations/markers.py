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
    found = {}
    for block in _parser.parse(text or ""):
        for child in block.children or ():
            if child.type == "citation":
                for number in child.meta["numbers"]:
                    found.setdefault(number, None)
    return list(found)


def contains_markers(text):
    return bool(cited_numbers(text))


@dataclass(frozen=True)
class Problem:
    """One citation problem in an answer. Errors block saving/submission; warnings inform."""

    ERROR = "error"
    WARNING = "warning"

    level: str
    message: str

    @property
    def is_error(self):
        return self.level == self.ERROR


def check_citations(text, citations):
    """
    Problems between the markers in `text` and `citations`, a list of
    (number, source_id, source_label) for the answer's citations.
    """
    problems = []
    cited = cited_numbers(text)
    numbers = {number for number, _, _ in citations}
    for number in cited:
        if number not in numbers:
            problems.append(
                Problem(
                    Problem.ERROR,
                    f"Marker [{number}] points to no citation of this answer. "
                    f"Add citation {number} or correct the marker.",
                )
            )
    by_source = {}
    for number, source_id, label in sorted(citations):
        by_source.setdefault(source_id, []).append((number, label))
    for uses in by_source.values():
        if len(uses) > 1:
            listed = " and ".join(str(number) for number, _ in uses)
            problems.append(
                Problem(
                    Problem.ERROR,
                    f"Citations {listed} are the same source (“{uses[0][1]}”). "
                    "Keep one citation and use its number everywhere.",
                )
            )
    for number, _, label in sorted(citations):
        if number not in cited:
            problems.append(
                Problem(
                    Problem.WARNING,
                    f"Citation {number} (“{label}”) is never cited in the text.",
                )
            )
    return problems
