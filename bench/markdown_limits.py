"""
How long the slowest Markdown an editor can save takes to check and render.

Every Markdown field is limited by `answers.rendering.validate_markdown`: MARKDOWN_MAX_CHARS
characters, of which at most MARKUP_BUDGET are line breaks, formatting characters and list
or quote markers (`markup_count`). For each pathological shape known to be slow in
markdown-it-py, this builds the largest text the validator accepts (the shape repeated up
to the budget, padded with prose to the length limit), checks it is accepted, and times
what a save or an approval does with it: find the markers once, render it once. It also
times the editor's live preview of the research section, which renders the text again with
its reading grade and hardest sentences marked (answers/readability.py).
Run: DEBUG=1 .venv/bin/python bench/markdown_limits.py
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qasite.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

from answers.readability import grade_of, preview  # noqa: E402
from answers.rendering import (  # noqa: E402
    MARKUP_BUDGET,
    markup_count,
    render_list,
    render_markdown,
    validate_markdown,
)
from citations.markers import find_markers, parse  # noqa: E402

SHAPES = {
    "nested brackets": "[",
    "image openers": "![",
    "bracket-emphasis": "[*",
    "emphasis-bracket": "*[",
    "bracket-backtick": "[`",
    "unclosed links": "[](",
    "marker ranges": "[1-",
    "marker lists": "[1, ",
    "markers": "[1]",
    "nested markers": "[[1]]",
    "emphasis runs": "*a",
    "underscores": "_a",
    "backticks": "`a",
    "autolink openers": "<a",
    "list items": "- a\n",
    "short lines": "a\n",
    "hard breaks": "a  \n",
    "setext headings": "a\n=\n",
    "blockquotes": "> a\n",
    "nested quotes": "> > > > > > > > a\n",
    "nested lists": "- - - - - - - - a\n",
    "nested plus lists": "+ + + + + + + + a\n",
    "ordered items": "1. a\n",
    "nested ordered lists": "1. 1. 1. 1. 1. 1. 1. 1. a\n",
    "mixed containers": "> - 1) > + 2. a\n",
    "code blocks": "    a\n",
    "fences": "```\n",
    # Shapes with no budgeted character: only the length limit holds them.
    "entities": "&#",
    "escapes": "\\[",
    "parentheses": "(",
    "quotes": "\"'",
    "ampersands": "&amp;",
    # Shapes for the readability check's sentence splitting.
    "full stops": "a. ",
    "abbreviations": "Dr. ",
    "abbreviations (e.g.)": "e.g. ",
    "one long sentence": "and the ",
}
PROSE = "Patients asked whether the trial results apply to them. "


def largest_accepted(shape):
    markup = markup_count(shape)
    repeats = MARKUP_BUDGET // markup if markup else settings.MARKDOWN_MAX_CHARS // len(shape)
    text = (shape * repeats)[: settings.MARKDOWN_MAX_CHARS]
    padding = settings.MARKDOWN_MAX_CHARS - len(text)
    text += (PROSE * (padding // len(PROSE) + 1))[:padding]
    validate_markdown(text)  # accepted: this is the worst an editor can save
    return text


def timed(function, text):
    best = float("inf")
    for _ in range(3):
        parse.cache_clear()
        started = time.perf_counter()
        function(text)
        best = min(best, time.perf_counter() - started)
    return best


def research_preview(text):
    return preview("research", text)


def main():
    print(f"MARKDOWN_MAX_CHARS={settings.MARKDOWN_MAX_CHARS:,} MARKUP_BUDGET={MARKUP_BUDGET:,}")
    print(
        f"{'shape':22} {'markers':>9} {'render':>9} {'list':>9} {'preview':>9}"
        "  (seconds, best of 3)"
    )
    grade_of("Load the pronouncing dictionary first, as a running worker has.")
    worst = worst_preview = 0.0
    for name, shape in SHAPES.items():
        text = largest_accepted(shape)
        markers, html, items, live = (
            timed(find_markers, text),
            timed(render_markdown, text),
            timed(render_list, text),
            timed(research_preview, text),
        )
        worst = max(worst, markers + html, items)
        worst_preview = max(worst_preview, live)
        print(f"{name:22} {markers:9.3f} {html:9.3f} {items:9.3f} {live:9.3f}")
    print(f"worst check + render of one field: {worst:.3f} s")
    print(f"worst live preview of the research section: {worst_preview:.3f} s")


if __name__ == "__main__":
    main()
