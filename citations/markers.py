"""
Citation markers in editor Markdown: `[9]`, `[9, 10]`, `[9-11]` (and mixes like `[1, 3-5]`).

Markers are recognised by a markdown-it inline rule, the one the renderer uses, so a `[9]`
inside a code span, a code block or a link's text is not a marker, here or on the page.
Each marker found keeps its place in the editor's text, so renumbering rewrites exactly
the markers the page links and nothing else. The checks here take text and citation
numbers, never answers: this app does not depend on `answers`.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

from markdown_it import MarkdownIt

from citations.formatting import plain_text

# Bounded repetition keeps matching linear even on pathological input.
MARKER = re.compile(r"\[(\d{1,3}(?:[ \t]{0,3}[,\-–][ \t]{0,3}\d{1,3}){0,30})\]")
RANGE_LIMIT = 50


def reference_anchor(number):
    """The id of reference `number` in the reference list: markers link to it."""
    return f"ref-{number}"


def citation_anchor(number, use):
    """The id of the `use`-th marker citing `number`: the reference links back to it."""
    return f"cite-{number}-{use}"


def reference_entry(citation, uses):
    """One entry of an answer's reference list, as its published version freezes it (the
    HTML already safe): the source's formatted record, labels and links, and a link back to
    each of the `uses` places the text cites it ("↑" for one, "↑ a b c" for several)."""
    source = citation.source
    letters = "abcdefghijklmnopqrstuvwxyz"
    return {
        "number": citation.number,
        "source_id": source.pk,
        "html": source.formatted,
        "locator": citation.locator,
        # Never a label for a type not set: such a source is never approved.
        "evidence": source.get_evidence_type_display() if source.evidence_type else "",
        "doi_url": source.doi_url,
        "pubmed_url": source.pubmed_url,
        "link_url": "" if source.doi else source.link_url,
        "backlinks": [
            {
                "anchor": citation_anchor(citation.number, k),
                "label": letters[k - 1] if uses > 1 else "",
            }
            for k in range(1, min(uses, len(letters)) + 1)
        ],
    }


# What the sanitizer lets through: only the anchors above, as the renderer writes them.
CITATION_ANCHOR = re.compile(r"^cite-\d{1,3}-\d{1,4}$")
CITATION_LABEL = re.compile(r"^Reference \d{1,3}$")


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
    # Not while markdown-it scans a link's label (silent) or renders its text: a "[2]"
    # there is part of the link, as CommonMark reads it.
    if silent or state.linkLevel > 0 or state.src[state.pos] != "[":
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
    # A superscript sits right after the word it supports: "MS [9]" reads "MS⁹".
    state.pending = state.pending.rstrip(" \t")
    token = state.push("citation", "sup", 0)
    token.meta = {"numbers": numbers, "start": state.pos, "end": match.end()}
    token.content = match.group(0)
    state.pos = match.end()
    return True


def _render_citation(self, tokens, idx, options, env):
    seen = env.setdefault("citation_uses", {})
    links = []
    for number in tokens[idx].meta["numbers"]:
        seen[number] = seen.get(number, 0) + 1
        links.append(
            f'<a href="#{reference_anchor(number)}" id="{citation_anchor(number, seen[number])}" '
            f'aria-label="Reference {number}">{number}</a>'
        )
    return '<sup class="citation">' + ",".join(links) + "</sup>"


def citation_plugin(md):
    """markdown-it plugin: markers become superscript links to the reference list."""
    md.inline.ruler.before("link", "citation", _citation_rule)
    md.add_render_rule("citation", _render_citation)


_parser = MarkdownIt("commonmark", {"html": False}).use(citation_plugin)


@dataclass(frozen=True)
class Marker:
    """One marker as the renderer links it: its numbers and its place in the text
    (`start` is None if it could not be placed exactly; renumbering then refuses)."""

    numbers: tuple
    text: str
    start: int | None

    @property
    def end(self):
        return None if self.start is None else self.start + len(self.text)


def _place(line, content_line, column):
    """Where `column` of an inline token's line lies in the source `line` it came from.
    markdown-it strips a prefix (indent, "> ", "- ") and, on the last line, trailing
    spaces or an ATX heading's closing #s; the rest is the source, character for character."""
    if line.endswith(content_line):
        return len(line) - len(content_line) + column
    found = line.find(content_line)
    if found >= 0:
        return found + column
    # A tab in the indent, partly consumed, comes back as spaces: match past the indent.
    body = content_line.lstrip(" \t")
    indent = len(content_line) - len(body)
    if body and column >= indent and line.endswith(body):
        return len(line) - len(body) + column - indent
    return None


@lru_cache(maxsize=16)
def parse(text):
    """The block tokens of `text`, as the renderer parses it (markers included). Cached:
    one request checks, renders and renumbers the same text; callers only read them."""
    return _parser.parse(text or "")


def find_markers(text):
    """Every marker in `text`, in reading order, exactly as the renderer would link them."""
    lines = (text or "").split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    markers = []
    for block in parse(text):
        if block.type != "inline" or not block.children:
            continue
        content_starts = [0]
        for content_line in block.content.split("\n"):
            content_starts.append(content_starts[-1] + len(content_line) + 1)
        content_lines = block.content.split("\n")
        for child in block.children:
            if child.type != "citation":
                continue
            start = None
            if block.map and "\r" not in text and "\0" not in text:
                k = next(
                    i
                    for i in range(len(content_lines))
                    if content_starts[i + 1] > child.meta["start"]
                )
                line_number = block.map[0] + k
                if line_number < len(lines):
                    column = _place(
                        lines[line_number],
                        content_lines[k],
                        child.meta["start"] - content_starts[k],
                    )
                    if column is not None:
                        start = starts[line_number] + column
                        if text[start : start + len(child.content)] != child.content:
                            start = None
            markers.append(Marker(tuple(child.meta["numbers"]), child.content, start))
    return tuple(markers)


def cited_numbers(text):
    """Every cited number in order of first use, as the renderer would link them."""
    return list(marker_uses(text))


def marker_uses(text):
    """{number: how many times it is cited}, in order of first use; the renderer's anchors
    are cite-N-1 … cite-N-k."""
    uses = {}
    for marker in find_markers(text):
        for number in marker.numbers:
            uses[number] = uses.get(number, 0) + 1
    return uses


def contains_markers(text):
    return bool(find_markers(text))


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
    title: str = ""
    # The source has no evidence type yet (imported sources start without one).
    no_evidence_type: bool = False

    @classmethod
    def of(cls, citation):
        return cls.citing(citation.number, citation.source)

    @classmethod
    def citing(cls, number, source):
        """Citation `number` of `source` (a Source), as the checks see it."""
        return cls(
            number,
            source.pk,
            str(source),
            source.retraction_status,
            title=plain_text(source.title),
            no_evidence_type=not source.evidence_type,
        )


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
            # An error, not left off the page: the reviewer approves exactly what patients
            # read, and a numbered reference nothing points to misleads them.
            problems.append(
                Problem(
                    Problem.ERROR,
                    f"Citation {citation.number} (“{citation.label}”) is not cited in the text: "
                    "cite it where it supports a sentence, or delete it.",
                    "uncited",
                )
            )
        if citation.no_evidence_type:
            problems.append(
                Problem(
                    Problem.ERROR,
                    f"Set the evidence type of source “{citation.title or citation.label}” "
                    f"(cited as [{citation.number}]) before approval.",
                    "no-evidence-type",
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


class RenumberFailed(ValueError):
    """The markers could not be rewritten exactly; nothing was. The message says why."""


def renumber_markers(text, mapping):
    """`text` with every marker's numbers replaced through `mapping`. Only what the renderer
    links is touched: code, code blocks and link text stay as written."""
    markers = find_markers(text)
    if any(marker.start is None for marker in markers):
        raise RenumberFailed(
            "Some markers sit on lines the checker cannot map back to your text (a tab in "
            "an indent, say). Nothing was changed; renumber those markers by hand."
        )
    unknown = sorted({n for marker in markers for n in marker.numbers} - set(mapping))
    if unknown:
        # Left as it is, it could end up naming a citation that was renumbered onto it.
        raise RenumberFailed(
            f"Marker [{unknown[0]}] points to no citation of this answer. Nothing was "
            "changed; add the citation or correct the marker, then renumber."
        )
    pieces, position = [], 0
    for marker in markers:
        pieces.append(text[position : marker.start])
        pieces.append("[" + _marker_body(mapping[n] for n in marker.numbers) + "]")
        position = marker.end
    pieces.append(text[position:])
    renumbered = "".join(pieces)
    # New numbers can read differently: "[2]" may be a link label the text defines
    # ("[2]: https://…"), and a long scattered list stops being a marker.
    wanted = [sorted({mapping[n] for n in marker.numbers}) for marker in markers]
    if [sorted(set(marker.numbers)) for marker in find_markers(renumbered)] != wanted:
        raise RenumberFailed(
            "Renumbering would change which brackets are citation markers (a link label "
            "defined as “[2]: https://…”, say, or a very long list). Nothing was changed; "
            "renumber those markers by hand."
        )
    return renumbered
