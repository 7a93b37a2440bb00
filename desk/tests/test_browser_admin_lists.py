"""The admin's lists at 1280 px with the side navigation open, in real Chromium: every
column fits beside the filters, without a sideways scroll (desk/static/desk/admin_lists.css).
Before, a long question kept on one line made the answers' table 1,206 px wide in a 631 px
column, and status, "on the site" and the next review were out of sight."""

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from answers.models import Question
from answers.testing import sign_in_as

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

SHOTS = Path("/tmp/shots")
VIEWPORT = {"width": 1280, "height": 800}

# The longest question the field takes is 300 characters.
LONG_QUESTION = (
    "My father, who is 82 and has had relapsing-remitting multiple sclerosis since his "
    "thirties, has been offered an anti-CD20 infusion by his neurologist: are treatments like "
    "ocrelizumab or CAR-T cell therapies still worth starting at his age, and what do the "
    "recent trials say about their risks?"
)


@pytest.fixture
def library(demo):
    """What `make run` loads, a few seeded answers and sources, and one very long question."""
    call_command("seed_answers", count=6, seed=7, append=True, stdout=io.StringIO())
    # A seeded question, not the demo's Spanish translation of its own.
    question = Question.objects.exclude(answer=demo).filter(translation_of=None).order_by("pk")[0]
    question.text = LONG_QUESTION
    question.save()
    # An open comment, so that its column holds a count.
    from django.contrib.auth import get_user_model

    from answers import conversation

    reviewer = get_user_model().objects.get(username="reviewer")
    conversation.start_thread(demo, "research", "", "Which trials?", user=reviewer)
    return demo


def open_list(chromium, live_server, path):
    page = sign_in_as(chromium, live_server, "editor")
    page.set_viewport_size(VIEWPORT)
    page.goto(live_server.url + path)
    # The side navigation is open, as Django opens it on a wide screen.
    expect(page.locator("#nav-sidebar")).to_be_visible()
    expect(page.locator("#main")).to_have_class(re.compile(r"\bshifted\b"))
    SHOTS.mkdir(exist_ok=True)
    return page


def layout(page, columns):
    """The widths and edges that decide whether a column is in sight."""
    return page.evaluate(
        """(columns) => {
          const table = document.querySelector('#result_list');
          const box = table.closest('.results');
          const edges = (element) => {
            const r = element.getBoundingClientRect();
            return {left: r.left, right: r.right};
          };
          return {
            table: table.getBoundingClientRect().width,
            container: box.getBoundingClientRect().width,
            containerEdges: edges(box),
            scrolls: box.scrollWidth > box.clientWidth,
            pageScrolls: document.documentElement.scrollWidth > window.innerWidth,
            columns: Object.fromEntries(columns.map((name) => [
              name,
              [table.querySelector(`thead th.column-${name}`),
               ...table.querySelectorAll(`tbody .field-${name}`)].map(edges),
            ])),
          };
        }""",
        columns,
    )


def assert_in_sight(measured, columns):
    assert measured["table"] <= measured["container"], measured
    assert not measured["scrolls"] and not measured["pageScrolls"]
    box = measured["containerEdges"]
    for name in columns:
        cells = measured["columns"][name]
        assert len(cells) > 1, f"no {name} column"
        for cell in cells:  # its header and each row's cell
            assert box["left"] <= cell["left"] and cell["right"] <= box["right"], (name, cell)
            assert cell["right"] <= VIEWPORT["width"], (name, cell)


def test_the_answer_list_shows_status_on_the_site_and_next_review_at_1280px(
    chromium, live_server, library
):
    page = open_list(chromium, live_server, "/admin/answers/answer/")
    expect(page.locator("#result_list tbody tr")).to_have_count(8)  # the demo's two, and six
    expect(page.locator("#result_list")).to_contain_text(LONG_QUESTION)
    page.screenshot(path=SHOTS / "admin-answer-list-1280.png")  # what the editor sees
    columns = [
        "question", "topic", "language", "status", "open_comments", "on_site", "next_review",
        "updated_at",
    ]  # fmt: skip
    assert_in_sight(layout(page, columns), columns)
    # The long question wraps onto several lines instead of widening the table.
    question = page.locator("#result_list tbody th", has_text=LONG_QUESTION)
    assert question.bounding_box()["height"] > 3 * 16


def test_the_source_list_shows_where_each_source_is_cited_at_1280px(chromium, live_server, library):
    page = open_list(chromium, live_server, "/admin/citations/source/")
    expect(page.locator("#result_list thead th.column-cited_in")).to_have_text("Cited in")
    page.screenshot(path=SHOTS / "admin-source-list-1280.png")  # what the editor sees
    columns = ["reference_title", "evidence_type", "retraction_status", "cited_in"]
    assert_in_sight(layout(page, columns), columns)
