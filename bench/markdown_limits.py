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

Then it times refused requests: a form of 1 MB or 2.4 MB (just under the 2.5 MB that
Django reads, DATA_UPLOAD_MAX_MEMORY_SIZE) in each Markdown field, sent as a browser without
the admin's script sends it (urlencoded, CRLF line breaks) to the admin's change view, to
the live preview, and as a workflow comment; and the preview of a body over that limit. Each
must be refused with its message, at any size, before any of the work the text would cost
if it were accepted. These run in a throwaway database (test_<name>, or SQLite in memory).
The closing note, at the end of this file, has the figures from before and after the form
checked the limits first.
Run: DEBUG=1 .venv/bin/python bench/markdown_limits.py [--refused-only]
"""

import io
import logging
import os
import re
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qasite.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

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


def accepted_shapes():
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


# What an editor pastes, paragraph after paragraph: prose with a marker, as research reads.
PARAGRAPH = (
    "In the phase 2 trial, CAR-T cell therapy lowered the yearly relapse rate of patients "
    "with relapsing MS, and most of them had no serious side effects in the first year of "
    "follow-up; the authors call for larger trials before it is offered outside studies [1]."
)
REFUSED_SIZES = {"1 MB": 1_000_000, "2.4 MB": 2_400_000}
FORM = "application/x-www-form-urlencoded"


def pasted(size):
    """`size` characters of research-like Markdown, with line breaks as a browser sends them."""
    text = "\n\n".join([PARAGRAPH] * (size // (len(PARAGRAPH) + 2) + 1))[:size]
    return text.replace("\n", "\r\n")


def form_data(client, url):
    """What a browser sends back, unchanged, from the admin change form at `url`."""
    context = client.get(url).context
    forms = [context["adminform"].form]
    for inline in context.get("inline_admin_formsets", []):
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for field in form:
            value = field.value()
            if value is True:
                data[field.html_name] = "on"
            elif value not in (None, False):
                data[field.html_name] = value
    return data


def timed_request(send, refusal):
    """The median time of three requests, each with nothing left from the last, and whether
    each answered with `refusal` (a pattern): "" if so, else the title of what it sent."""
    times, unexpected = [], ""
    for _ in range(3):
        parse.cache_clear()
        started = time.perf_counter()
        response = send()
        times.append(time.perf_counter() - started)
        html = response.content.decode()
        if not re.search(refusal, html):
            title = re.search(r"<title>(.*?)</title>", html, re.S)
            unexpected = f"{response.status_code} {title.group(1) if title else html[:60]!r}"
    return statistics.median(times), unexpected


def refused_saves():
    """Refused saves and previews, each at 1 MB and 2.4 MB (and the preview past the
    body limit), in a throwaway database with the demo answer."""
    from answers.models import Answer, Disclaimer, SitePolicy

    setup_test_environment()  # the test client then sees each response's context
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("postgresql"):
        database["TEST"]["NAME"] = f"test_{database['NAME']}_markdown_limits"
    connection.creation.create_test_db(verbosity=0)
    try:
        quiet = io.StringIO()
        call_command("create_demo_accounts", stdout=quiet)
        call_command("load_demo_content", stdout=quiet)
        answer = Answer.objects.get(question__translation_of=None)
        editor, reviewer = Client(), Client()
        users = get_user_model().objects
        editor.force_login(users.get(username="editor"))
        reviewer.force_login(users.get(username="reviewer"))
        body_limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        too_long = f"the limit is {settings.MARKDOWN_MAX_CHARS:,}"
        logging.getLogger("django.request").setLevel(logging.ERROR)  # each 413 is a warning
        forms = [
            ("answer", answer, "short_answer"),
            ("answer", answer, "research"),
            ("answer", answer, "doctor_questions"),
            ("disclaimer", Disclaimer.objects.default(), "body"),
            ("topic", answer.question.topic, "description"),
            ("site policy", SitePolicy.objects.order_by("kind").first(), "body"),
        ]
        preview = reverse("markdown-preview") + "?field=research"
        markdownx = {"X-Requested-With": "XMLHttpRequest"}
        withdraw = reverse("admin:answers_answer_transition", args=[answer.pk, "withdraw"])

        rows = []  # (what, size, request body in bytes, send, what the refusal says)
        for size, length in REFUSED_SIZES.items():
            text = pasted(length)
            for kind, obj, name in forms:
                url = reverse(
                    f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk]
                )
                body = urlencode({**form_data(editor, url), name: text, "_save": "Save"})
                assert len(body) <= body_limit, f"{len(body):,} bytes: over the body limit"
                rows.append((
                    f"{kind} {name}", size, len(body),
                    lambda url=url, body=body: editor.post(url, body, content_type=FORM),
                    "the limit is 20,000" if kind == "site policy" else too_long,
                ))  # fmt: skip
            rows.append((
                "live preview of the research", size, None,
                lambda text=text: editor.post(preview, {"content": text}, headers=markdownx),
                too_long,
            ))  # fmt: skip
            rows.append((
                "workflow comment (withdraw)", size, None,
                lambda text=text: reviewer.post(withdraw, {"comment": text}),
                "the limit is 2,000",
            ))  # fmt: skip
        over = pasted(3_100_000)
        for what, headers in (("preview over the body limit", markdownx),
                              ("the same without X-Requested-With", {})):  # fmt: skip
            rows.append((
                what, "3.1 MB", None,
                lambda headers=headers: editor.post(preview, {"content": over}, headers=headers),
                "^<p><strong>No preview:</strong> the text is too large to send",
            ))  # fmt: skip

        print(f"\nRefused requests (seconds, median of 3); the body limit is {body_limit:,} bytes")
        print(f"{'what':36} {'size':>7} {'body':>10} {'seconds':>8}")
        failed = False
        for what, size, body, send, refusal in rows:
            seconds, unexpected = timed_request(send, refusal)
            failed = failed or bool(unexpected)
            line = f"{what:36} {size:>7} {'' if body is None else f'{body:,}':>10} {seconds:8.3f}"
            print(line + (f"  NOT REFUSED AS EXPECTED: {unexpected}" if unexpected else ""))
    finally:
        connection.creation.destroy_test_db(database["NAME"], verbosity=0)
    return not failed


def main():
    if "--refused-only" not in sys.argv:
        accepted_shapes()
    if not refused_saves():
        sys.exit(1)


if __name__ == "__main__":
    main()


# Closing note: refused requests before and after the Markdown limits moved into the form
# (answers/forms.py `MarkdownForm`), measured 2026-12-07 on the project machine (2 vCPUs)
# with other sessions' test runs on it (load average 4 to 6): seconds a request, median
# of 3, two runs each, old figures from the tree before the change.
#
# | request (urlencoded, CRLF)            | old, 1 MB   | new, 1 MB   | old, 2.4 MB | new, 2.4 MB |
# |---------------------------------------|-------------|-------------|-------------|-------------|
# | answer research                       | 0.98, 1.07  | 0.10, 0.12  | 4.05, 6.58  | 0.13, 0.18  |
# | answer short answer                   | 0.59, 0.82  | 0.10, 0.12  | 2.87, 3.10  | 0.13, 0.18  |
# | answer doctor questions               | 0.23, 0.25  | 0.10, 0.13  | 0.17, 0.31  | 0.18, 0.20  |
# | disclaimer body                       | 0.09, 0.11  | 0.04, 0.06  | 0.15, 0.26  | 0.12, 0.12  |
# | topic description                     | 0.09, 0.11  | 0.04, 0.06  | 0.16, 0.29  | 0.08, 0.11  |
# | site policy body (*)                  | 0.07        | 0.03, 0.05  | 0.20        | 0.06, 0.07  |
# | live preview of the research          | 0.004       | 0.004       | 0.006-0.011 | 0.007-0.011 |
# | workflow comment (withdraw)           | 0.04, 0.05  | 0.02, 0.04  | 0.04, 0.06  | 0.04, 0.06  |
# | preview over the body limit (3.1 MB)  | 0.002       | 0.002       |             |             |
# | the same without X-Requested-With     | 0.002 (**)  | 0.002       |             |             |
#
# The research and the short answer cost the most: the model checked their length only
# after the form had put them on the answer, so Answer.clean() looked for markers in the
# refused short answer, and the change form shown again parsed the refused research for its
# citation check, its attribution check and its fingerprint.
# The shape matters too: 1 MB pasted from a PDF, one sentence a line, each ending "[1]"
# (one paragraph of 20,000 lines, where placing each marker scanned the paragraph's lines)
# took 61.6 s for the research and 14.6 s for the short answer before, one request each;
# 0.12 and 0.32 s after. Now the length is checked as the field is cleaned: a refused text
# never reaches the answer, and what is left is reading the form and sending the page back
# with the text in it.
# (*) Before, Django's own "Ensure this value has at most 20000 characters (it has
# 1007722)", counting each CR LF twice, and maxlength="20000" on the field, where a browser
# cuts a paste without a word. (**) The whole 413 page, which django-markdownx then showed
# inside the preview pane; now the preview's line, known by the address.
