"""A source edited under a live answer, in real Chromium: the editor is told, resubmits the
answer from the source's page, another reviewer approves, patients then see the change."""

import pytest
from playwright.sync_api import expect

from answers.testing import sign_in
from desk.tests.test_browser_workflow import take_step

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_source_edit_reaches_patients_only_after_a_second_reviewer(
    chromium, live_server, demo_answer, editor, reviewer, second_reviewer
):
    source = demo_answer.citations.get(number=10).source
    old_title = source.title
    editor_page = chromium.new_context().new_page()
    visitor_page = chromium.new_context().new_page()
    public_url = live_server.url + demo_answer.get_absolute_url()

    # A reviewer corrects the source's title: they may not approve their own change.
    reviewer_page = chromium.new_context().new_page()
    sign_in(reviewer_page, live_server, reviewer)
    reviewer_page.goto(f"{live_server.url}{source.get_absolute_url()}")
    reviewer_page.fill("#id_title", "A corrected title for the phase 1 trial")
    reviewer_page.click("input[name=_continue]")
    message = reviewer_page.locator(".messagelist")
    expect(message).to_contain_text("This change affects 1 published answer on the site")
    expect(message).to_contain_text("Each is a draft again, waiting to be submitted for review")
    reviewer_page.screenshot(path="/tmp/shared-edit-source.png", full_page=True)
    visitor_page.goto(public_url)
    expect(visitor_page.locator("ol.references")).to_contain_text(old_title[:40])

    # The editor resubmits every affected answer from the source's page, in one step.
    sign_in(editor_page, live_server, editor)
    editor_page.goto(f"{live_server.url}{source.get_absolute_url()}")
    waiting = editor_page.locator("#waiting-answers")
    expect(waiting).to_contain_text(demo_answer.question.text)
    waiting.locator("input[type=submit]").click()
    expect(editor_page.locator(".messagelist")).to_contain_text("Submitted 1 answer for review")

    # The reviewer who changed the source sees why they cannot approve.
    reviewer_page.goto(live_server.url + f"/admin/answers/answer/{demo_answer.pk}/change/")
    expect(reviewer_page.locator(".workflow")).to_contain_text("four eyes")
    expect(reviewer_page.locator(".workflow a.button:has-text('Approve')")).to_have_count(0)

    # Another reviewer approves; now patients see the corrected title.
    second_page = chromium.new_context().new_page()
    sign_in(second_page, live_server, second_reviewer)
    second_page.goto(reviewer_page.url)
    take_step(second_page, "Approve and publish")
    visitor_page.reload()
    expect(visitor_page.locator("ol.references")).to_contain_text(
        "A corrected title for the phase 1 trial"
    )
