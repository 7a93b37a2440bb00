"""An editor searches the answer list in real Chromium: the demo content as `make run`
loads it, with a seeded library beside it so that a common word matches many answers."""

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from answers import search
from answers.models import Answer
from answers.seeding.words import COMMON_WORDS
from answers.testing import sign_in_as
from desk.admin.answer import AnswerAdmin
from desk.tests.test_admin_search import admin_search_expected

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def listed(page):
    """The questions of the listed rows, as the editor reads them."""
    return page.locator("#result_list tbody th a").all_inner_texts()


def test_editor_searches_the_answer_list_and_pages_through_many_matches(
    chromium, live_server, demo, monkeypatch
):
    call_command("seed_answers", count=120, seed=7, append=True, stdout=io.StringIO())
    # The limits of 100,000 answers, scaled to 121.
    monkeypatch.setattr(search, "ADMIN_SEARCH_MATCHES", 20)
    monkeypatch.setattr(search, "ADMIN_SEARCH_LISTED", 10)
    monkeypatch.setattr(AnswerAdmin, "list_per_page", 5)
    monkeypatch.setattr(AnswerAdmin, "list_max_show_all", 8)
    editor = sign_in_as(chromium, live_server, "editor")
    editor.goto(f"{live_server.url}/admin/answers/answer/")

    # A word of the demo answer's research only (not of the seeded texts, nor of the demo's
    # Spanish translation, which writes "dermatomiositis"): one result.
    editor.fill("#searchbar", "dermatomyositis")
    editor.press("#searchbar", "Enter")
    expect(editor.locator("#changelist-search")).to_contain_text("1 result")
    assert listed(editor) == [str(demo)]

    # A common word: the first 10 in question order, in two pages, and a clear word
    # that more match. Which words are common depends on the seed's random draw, which
    # depends on the questions already made (seed_answers), so the test takes the one the
    # seeded texts use most.
    common = max(COMMON_WORDS[:40], key=lambda word: len(admin_search_expected(word)))
    assert len(admin_search_expected(common)) > 20
    editor.fill("#searchbar", common)
    editor.press("#searchbar", "Enter")
    expect(editor.locator("#changelist-search")).to_contain_text("More than 20 results")
    expect(editor.locator("p.paginator")).to_contain_text(
        "More than 20 answers match: the first 10 are listed. Add words to the search to narrow it."
    )
    in_order = [str(Answer.objects.get(pk=pk)) for pk in admin_search_expected(common)[:10]]
    assert listed(editor) == in_order[:5]
    editor.click("p.paginator a:has-text('2')")
    expect(editor).to_have_url(re.compile(r"[?&]p=2"))
    expect(editor.locator("#result_list tbody tr")).to_have_count(5)
    assert listed(editor) == in_order[5:10]
    expect(editor.locator("#searchbar")).to_have_value(common)
    expect(editor.locator("p.paginator a.showall")).to_have_count(0)

    # A listed answer opens for editing.
    # By the link's text, not a selector built from it: seeded questions have apostrophes.
    editor.locator("#result_list").get_by_role("link", name=in_order[5][:30]).first.click()
    expect(editor.locator("#id_short_answer")).to_be_visible()
