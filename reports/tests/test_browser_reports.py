"""A patient reports a problem the way they would, in Chromium, on the demo answer; then a
medical reviewer finds it on their admin home page and handles it."""

import pytest
from playwright.sync_api import expect

from answers.testing import sign_in
from reports.models import Report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_patient_reports_an_error_and_a_reviewer_handles_it(
    page, live_server, demo_answer, reviewer
):
    question = demo_answer.question.text
    page.goto(live_server.url + demo_answer.get_absolute_url())
    page.get_by_role("link", name="Report a problem with this answer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Report a problem with this answer")
    expect(page.locator("main")).to_contain_text(question)
    expect(page.get_by_label("Leave this field empty")).to_be_hidden()  # the honeypot

    # Sent empty: told what is missing, nothing kept.
    page.get_by_role("button", name="Send the report").click()
    problem = page.get_by_role("alert")
    expect(problem).to_contain_text("Your report was not sent yet.")
    expect(problem).to_contain_text("Choose what is wrong with the answer.")
    expect(problem).to_contain_text("Tell us what is wrong, in a few words.")
    assert not Report.objects.exists()

    # The summary's links lead to the fields.
    problem.get_by_role("link", name="Choose what is wrong with the answer.").click()
    expect(page.get_by_label("A factual error")).to_be_focused()

    page.get_by_label("Out of date").check()
    page.get_by_label("Tell us more").fill(
        "The research section does not mention the 2026 trial.\n<b>Please update.</b>"
    )
    page.get_by_label("Your email (optional)").fill("pat@example.org")
    page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for your report")
    page.get_by_role("link", name="Back to the answer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(question)

    # The reviewer sees it on the admin home, and the answer in their queue.
    sign_in(page, live_server, reviewer)
    new_reports = page.locator("#work-new-reports")
    expect(new_reports.locator(".count")).to_have_text("1")
    expect(page.locator(".my-work-link")).to_contain_text("My work (")
    new_reports.get_by_role("link", name=f"Out of date: {question}").click()
    expect(page.locator(".report-text")).to_have_text(
        "The research section does not mention the 2026 trial.\n<b>Please update.</b>"
    )
    expect(page.get_by_role("link", name="pat@example.org")).to_have_attribute(
        "href", "mailto:pat@example.org"
    )

    # Resolving needs a note; with one, it is done and names who handled it.
    page.get_by_label("Status:").select_option(label="Resolved")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".errornote")).to_be_visible()
    expect(page.locator(".field-note")).to_contain_text("Say what was found and done")
    page.get_by_label("Note:").fill("Added the 2026 trial; approved again.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    row = page.locator("#result_list tbody tr").first
    expect(row).to_contain_text("Resolved")
    expect(row).to_contain_text(reviewer.username)
    report = Report.objects.get()
    assert (report.status, report.handled_by, report.kind) == ("resolved", reviewer, "out_of_date")


def test_the_queue_shows_the_reported_answer(page, live_server, demo_answer, reviewer, client):
    client.post(
        f"/ask/{demo_answer.question.slug}/report/",
        {"kind": "factual_error", "text": "The dose in paragraph 2 is wrong."},
    )
    sign_in(page, live_server, reviewer)
    page.get_by_role("link", name="Answers in the review queue").first.click()
    row = page.locator("#result_list tbody tr").filter(has_text=demo_answer.question.text[:40])
    expect(row).to_contain_text("1 open report (1 wrong or out of date)")
    row.get_by_role("link", name="1 open report").click()
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    expect(page.locator("#result_list")).to_contain_text("The dose in paragraph 2 is wrong.")
