"""The one renderer: markers, and what hostile Markdown is turned into."""

import re
import signal
from contextlib import contextmanager
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.core.exceptions import ValidationError

from answers.rendering import (
    ALLOWED_TAGS,
    MARKUP_BUDGET,
    markup_count,
    render_list,
    render_markdown,
    render_plain_markdown,
    sanitize,
    validate_markdown,
)


class Elements(HTMLParser):
    """Every element and attribute in a piece of HTML."""

    def __init__(self, html):
        super().__init__()
        self.elements = []
        self.feed(str(html))

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def tags(self):
        return [tag for tag, _ in self.elements]

    def links(self):
        return [attrs.get("href") for tag, attrs in self.elements if tag == "a"]


def marker_links(html):
    return [
        (attrs["href"], attrs.get("aria-label"))
        for tag, attrs in Elements(html).elements
        if tag == "a" and attrs.get("href", "").startswith("#ref-")
    ]


def test_single_marker_is_a_superscript_link_with_accessible_label():
    html = render_markdown("CAR-T cells induced remission [9].")
    assert '<sup class="citation">' in html
    assert marker_links(html) == [("#ref-9", "Reference 9")]
    assert "remission<sup" in html  # the superscript sits on the word, not after a space


def test_list_marker_links_each_number():
    html = render_markdown("Two trials agree [9, 10].")
    assert marker_links(html) == [("#ref-9", "Reference 9"), ("#ref-10", "Reference 10")]


def test_range_marker_links_every_number_in_the_range():
    html = render_markdown("Several reviews [9-11] and [3–4].")
    assert [href for href, _ in marker_links(html)] == [
        "#ref-9", "#ref-10", "#ref-11", "#ref-3", "#ref-4",
    ]  # fmt: skip


def test_mixed_marker():
    html = render_markdown("See [1, 3-5].")
    assert [href for href, _ in marker_links(html)] == ["#ref-1", "#ref-3", "#ref-4", "#ref-5"]


def test_each_use_of_a_number_gets_its_own_anchor():
    html = render_markdown("First [9]. Again [9].")
    ids = [attrs["id"] for tag, attrs in Elements(html).elements if attrs.get("id")]
    assert ids == ["cite-9-1", "cite-9-2"]


@pytest.mark.parametrize(
    "text",
    [
        "`[9]` in code",
        "[9](https://example.org/nine) as a link",
        "[0] is no citation",
        "[9-3] runs backwards",
        "[1-500] is too wide a range",
        "[abc] is a word",
        "[9,] is unfinished",
    ],
)
def test_text_that_is_not_a_marker_stays_text(text):
    assert marker_links(render_markdown(text)) == []


def test_plain_fields_do_not_turn_brackets_into_markers():
    assert "<sup" not in render_plain_markdown("Short answer [9].")


def test_editor_headings_nest_below_the_page_sections():
    assert Elements(render_markdown("# Big\n\n## Smaller")).tags() == ["h3", "h4"]


def test_ordinary_markdown_survives():
    html = render_markdown(
        "Some *emphasis*, **strong**, `code` and a [link](https://www.nhs.uk/).\n\n"
        "- one\n- two\n\n> quoted\n\n[mail](mailto:team@example.org)"
    )
    assert Elements(html).tags() == [
        "p", "em", "strong", "code", "a", "ul", "li", "li", "blockquote", "p", "p", "a",
    ]  # fmt: skip
    assert Elements(html).links() == ["https://www.nhs.uk/", "mailto:team@example.org"]


def test_doctor_questions_become_a_list_one_item_per_line():
    html = render_list("- Am I eligible?\n\n* What are the risks?\nHow *long* does it take?\n")
    assert Elements(html).tags() == ["ul", "li", "li", "li", "em"]
    assert "Am I eligible?" in html and "- Am" not in html


HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<style>body{display:none}</style>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<iframe src=https://evil.example></iframe>",
    '<a href="javascript:alert(1)">x</a>',
    '<div onclick="alert(1)">click</div>',
    "<!-- a comment -->",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](javascript&#58;alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;&#x61;vascript:alert(1))",
    "[x](java%0ascript:alert(1))",
    "[x](%6Aavascript:alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](  javascript:alert(1) 'title')",
    "[x](java\\\nscript:alert(1))",
    "[x](\tjavascript:alert(1))",
    "<javascript:alert(1)>",
    "[x][evil]\n\n[evil]: javascript:alert(1)",
    "[x](vbscript:msgbox(1))",
    "[x](VBScript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](DATA:text/html,<script>alert(1)</script>)",
    "![x](data:image/png;base64,iVBORw0KGgo=)",
    "![x](javascript:alert(1))",
    "<data:text/html,alert(1)>",
    '[x](https://ok.example/" onmouseover="alert(1))',
    "[x](file:///etc/passwd)",
    "<a href='https://ok.example' style='position:fixed'>x</a>",
    "```html\n<script>alert(1)</script>\n```",
    "[9](javascript:alert(1)) [9]",
]


def browser_scheme(href):
    """The scheme a browser would act on: it strips C0 controls and spaces, drops tabs
    and newlines anywhere, and ignores case (WHATWG URL parsing)."""
    c0_and_space = "".join(map(chr, range(0x21)))
    cleaned = re.sub(r"[\t\n\r]", "", href.strip(c0_and_space))
    return urlsplit(cleaned).scheme.lower()


@pytest.mark.parametrize("text", HOSTILE)
@pytest.mark.parametrize("renderer", [render_markdown, render_plain_markdown, render_list])
def test_hostile_input_never_survives(text, renderer):
    elements = Elements(renderer(text)).elements
    for tag, attrs in elements:
        assert tag in ALLOWED_TAGS, tag
        assert not any(name.startswith("on") or name == "style" for name in attrs), attrs
        href = attrs.get("href")
        if href is not None:
            assert browser_scheme(href) in ("http", "https", "mailto", ""), href


@pytest.mark.parametrize("text", HOSTILE)
def test_sanitizer_alone_cleans_raw_html(text):
    """Defence in depth: even if the parser let raw HTML through, nh3 would clean it."""
    for tag, attrs in Elements(sanitize(text)).elements:
        assert tag in ALLOWED_TAGS, tag
        assert not any(name.startswith("on") or name == "style" for name in attrs), attrs
        if "href" in attrs:
            assert browser_scheme(attrs["href"]) in ("http", "https", "mailto", ""), attrs


def test_sanitizer_keeps_only_marker_ids_and_labels():
    html = sanitize(
        '<sup class="citation evil"><a href="#ref-1" id="cite-1-1" aria-label="Reference 1">1</a>'
        '<a href="#x" id="login-form" aria-label="Click here to win">2</a></sup>'
    )
    assert '<sup class="citation">' in html
    assert 'id="cite-1-1"' in html and 'aria-label="Reference 1"' in html
    assert "login-form" not in html and "win" not in html


@contextmanager
def hang_guard(seconds=20):
    """Fail instead of hanging the suite; this is a correctness guard, not a timing test."""

    def fail(signum, frame):
        raise AssertionError(f"rendering did not finish within {seconds}s")

    previous = signal.signal(signal.SIGALRM, fail)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


PATHOLOGICAL = [
    "[" * 30000 + "]" * 30000,
    "[a](" * 20000,
    "*" * 50000,
    "_a " * 20000,
    "> " * 10000 + "deep",
    "- " * 10000 + "deep",
    "[9, " * 10000,
    "[9" + ", 9" * 20000 + "]",
    "`" * 30000,
    "<" * 30000,
    "\\" * 50000,
    "[x](" + "(" * 30000,
]


@pytest.mark.parametrize("text", PATHOLOGICAL, ids=lambda t: repr(t[:12]))
def test_pathological_input_renders_without_hanging(text):
    with hang_guard():
        html = render_markdown(text)
    assert all(tag in ALLOWED_TAGS for tag in Elements(html).tags())


def test_plain_text_drops_markers_and_tags_but_keeps_the_words():
    from answers.rendering import plain_text

    html = render_markdown("Steroids *shorten* a relapse [9]. Use <b> with care & caution.")
    assert plain_text(html) == "Steroids shorten a relapse. Use <b> with care & caution."


def test_list_and_quote_markers_opening_a_line_count_as_markup():
    assert markup_count("- - 1. > + 2) a\n") == 7  # six markers and a line break
    assert markup_count("  * item") == 2  # "*" is a formatting character and a bullet
    assert markup_count("CAR-T cells, 2020-2024: +3 points > 2. Done. 1.5 mg") == 0


def test_nested_lists_are_refused_before_anything_parses_them():
    text = "- - - - - - - - a\n" * 400  # 3,200 bullets and 400 line breaks
    with pytest.raises(ValidationError) as refused:
        validate_markdown(text)
    assert refused.value.messages == [
        f"This text has 3,600 line breaks, list markers and formatting characters "
        f"([ ] * _ ` < !); the limit is {MARKUP_BUDGET:,}. Remove some formatting or split "
        "the text."
    ]
