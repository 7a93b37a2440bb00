"""The review workflow in real Chromium: patients only ever see what a reviewer approved."""

import pytest
from playwright.sync_api import expect

from answers.models import Question, Topic
from answers.testing import pick_autocomplete, sign_in
from citations.models import Source

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def take_step(page, label, comment=""):
    page.click(f"a.button:has-text('{label}')")
    if comment:
        page.fill("#id_comment", comment)
    page.click(f"input[type=submit][value='{label}']")
    expect(page.locator(".messagelist")).to_contain_text(f"{label}: done.")


def test_editor_submits_reviewer_approves_visitor_sees_only_approved_text(
    chromium, live_server, editor, reviewer
):
    topic = Topic.objects.create(name="Cardiology", slug="cardiology")
    Question.objects.create(text="Does aspirin prevent a first heart attack?", slug="aspirin",
                            topic=topic)  # fmt: skip
    Source.objects.create(
        title="Aspirin for primary prevention", authors="Doe J", pmid="30221597",
        evidence_type=Source.EvidenceType.RCT,
    )  # fmt: skip
    editor_page = chromium.new_context().new_page()
    reviewer_page = chromium.new_context().new_page()
    visitor_page = chromium.new_context().new_page()
    public_url = f"{live_server.url}/ask/aspirin/"

    # The editor writes and submits.
    sign_in(editor_page, live_server, editor)
    editor_page.goto(f"{live_server.url}/admin/answers/answer/add/")
    pick_autocomplete(editor_page, "id_question", "aspirin", "Does aspirin prevent")
    editor_page.fill("#id_short_answer", "For most people without heart disease, no.")
    editor_page.fill("#id_research", "Bleeding outweighed the benefit [1].")
    editor_page.fill("#id_citations-0-number", "1")
    pick_autocomplete(editor_page, "id_citations-0-source", "primary", "Aspirin for primary")
    pick_autocomplete(editor_page, "id_authorships-0-contributor", "Erin", "Erin Editor")
    editor_page.click("input[name=_continue]")
    expect(editor_page.locator("#workflow-title")).to_have_text("Status: Draft")
    expect(editor_page.locator(".workflow a.button")).to_have_text(["Submit for review…"])
    take_step(editor_page, "Submit for review")
    expect(editor_page.locator("#workflow-title")).to_have_text("Status: In review")
    assert visitor_page.goto(public_url).status == 404

    # The reviewer approves.
    sign_in(reviewer_page, live_server, reviewer)
    reviewer_page.goto(editor_page.url)
    take_step(reviewer_page, "Approve and publish", comment="Checked against the trial.")
    expect(reviewer_page.locator("#workflow-title")).to_have_text("Status: Published")

    # A visitor reads it.
    visitor_page.goto(public_url)
    expect(visitor_page.locator(".answer")).to_contain_text("Bleeding outweighed the benefit")
    expect(visitor_page.locator(".byline")).to_contain_text(
        "Medically reviewed by Dr Robin Reviewer, MD, PhD"
    )

    # The editor changes the text: it becomes a draft, the visitor still sees what was approved.
    editor_page.reload()
    editor_page.fill("#id_research", "Bleeding risk outweighed a small benefit [1].")
    editor_page.click("input[name=_continue]")
    expect(editor_page.locator(".messagelist")).to_contain_text("made this answer a draft again")
    expect(editor_page.locator(".workflow")).to_contain_text("This draft differs from the live")
    visitor_page.reload()
    expect(visitor_page.locator(".answer")).to_contain_text("Bleeding outweighed the benefit")
    expect(visitor_page.locator(".answer")).not_to_contain_text("small benefit")

    # Submitted and approved again: the visitor sees the new text.
    take_step(editor_page, "Submit for review")
    reviewer_page.reload()
    take_step(reviewer_page, "Approve and publish")
    visitor_page.reload()
    expect(visitor_page.locator(".answer")).to_contain_text("Bleeding risk outweighed a small")


def test_editor_restores_an_earlier_revision_with_its_writers(
    page, live_server, demo_answer, editor, second_reviewer
):
    sign_in(page, live_server, editor)
    page.goto(f"{live_server.url}/admin/answers/answer/{demo_answer.pk}/change/")
    pick_autocomplete(page, "id_authorships-0-contributor", "Sam", "Dr Sam Second")
    page.fill("#id_short_answer", "A shorter answer, written by someone else.")
    page.fill("#id_change_reason", "Handed over to Sam")
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("changed successfully")

    page.click("text=Revisions")
    live = page.locator("#revisions tr", has_text="Live version")
    live.locator("text=Restore as draft…").click()
    diff = page.locator("#content-main")
    expect(diff).to_contain_text("Written by")
    expect(diff.locator("del", has_text="Dr Sam Second")).to_be_visible()
    expect(diff.locator("ins", has_text="Erin Editor")).to_be_visible()
    page.click("input[value='Restore as a new draft']")

    expect(page.locator(".messagelist")).to_contain_text(
        "The old revision is now the current draft"
    )
    expect(page.locator("#authorships-0 .select2-selection")).to_contain_text("Erin Editor")
    expect(page.locator("#id_short_answer")).to_have_value(demo_answer.short_answer)
