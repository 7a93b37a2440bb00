"""The README's "To try the workflow", in real Chromium, on the demo content `make run` loads."""

import re

import pytest
from playwright.sync_api import expect

from answers.models import Answer
from answers.testing import sign_in_as
from desk.tests.test_browser_workflow import take_step

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

NEW_SHORT_ANSWER = "CAR-T cell therapy is not approved for MS yet; early trials suggest it is safe."


def cited_titles(answer):
    """{number: source title} of the answer's citations, as stored."""
    return {c.number: c.source.title for c in answer.citations.select_related("source")}


def test_readme_walk_through_edit_renumber_submit_approve(chromium, live_server, demo):
    before = cited_titles(demo)
    assert sorted(before) == [1, 9, 10, 11]
    # Renumbering by first use in the text (9, 10, 11, 1) makes them 1, 2, 3, 4.
    titles = [before[9], before[10], before[11], before[1]]
    old_short_answer = demo.short_answer
    public_url = live_server.url + demo.get_absolute_url()
    visitor = chromium.new_context().new_page()

    # The editor changes the short answer and saves: a draft, the live page unchanged.
    editor = sign_in_as(chromium, live_server, "editor")
    editor.goto(f"{live_server.url}/admin/answers/answer/")
    editor.click("#result_list a:has-text('Are CAR-T cell therapies')")
    expect(editor.locator("#workflow-title")).to_have_text("Status: Published")
    editor.fill("#id_short_answer", NEW_SHORT_ANSWER)
    editor.click("input[name=_continue]")
    messages = editor.locator(".messagelist")
    expect(messages).to_contain_text("was changed successfully")
    expect(messages).to_contain_text("Patients keep seeing the approved version")
    expect(editor.locator("#workflow-title")).to_have_text("Status: Draft")
    expect(editor.locator("#id_short_answer")).to_have_value(NEW_SHORT_ANSWER)
    demo.refresh_from_db()
    assert demo.status == Answer.Status.DRAFT and demo.short_answer == NEW_SHORT_ANSWER
    visitor.goto(public_url)
    expect(visitor.locator(".answer")).to_contain_text(old_short_answer[:60])
    expect(visitor.locator(".answer")).not_to_contain_text(NEW_SHORT_ANSWER)

    # Renumbering rewrites the markers and the citation numbers together.
    editor.click("input[type=submit][value='Renumber by order of first use']")
    expect(messages).to_contain_text("Citations renumbered by order of first use")
    research = editor.locator("#id_research").input_value()
    assert re.findall(r"\[(\d+)\]", research) == ["1", "2", "3", "4"]
    rows = editor.locator("#citations-group tr.has_original")
    expect(rows).to_have_count(4)
    table = [
        (row.locator("input[name$='-number']").input_value(),
         row.locator("select[name$='-source'] option:checked").inner_text())
        for row in rows.all()
    ]  # fmt: skip
    assert [number for number, _ in table] == ["1", "2", "3", "4"]
    for (_, shown), title in zip(table, titles, strict=True):
        assert title[:40] in shown
    assert cited_titles(Answer.objects.get(pk=demo.pk)) == dict(enumerate(titles, start=1))
    expect(editor.locator("input[value='Renumber by order of first use']")).to_have_count(0)

    # The editor submits; the reviewer approves in a browser of their own.
    take_step(editor, "Submit for review")
    expect(editor.locator("#workflow-title")).to_have_text("Status: In review")
    reviewer = sign_in_as(chromium, live_server, "reviewer")
    reviewer.goto(editor.url)
    reviewer.click("a.button:has-text('Approve and publish')")
    reviewer.fill("#id_update_note", "Said up front that CAR-T is not approved for MS.")
    reviewer.click("input[type=submit][value='Approve and publish']")
    expect(reviewer.locator(".messagelist")).to_contain_text("Approve and publish: done.")
    expect(reviewer.locator("#workflow-title")).to_have_text("Status: Published")

    # The visitor reloads (a plain visit may be served from the browser's cache for
    # PUBLIC_CACHE_SECONDS): the new short answer, with markers 1 to 4 linking to their
    # references.
    visitor.reload()
    expect(visitor.locator(".answer")).to_contain_text(NEW_SHORT_ANSWER)
    markers = visitor.locator("sup.citation a")
    expect(markers).to_have_text(["1", "2", "3", "4"])
    for number, title in enumerate(titles, start=1):
        marker = markers.nth(number - 1)
        expect(marker).to_have_attribute("href", f"#ref-{number}")
        marker.click()
        assert visitor.url.endswith(f"#ref-{number}")
        expect(visitor.locator(f"#ref-{number}")).to_contain_text(title)

    # Who wrote and reviewed it, their disclosures (folded away until opened), the three
    # dates and the reviewer's note on what changed.
    expect(visitor.locator(".byline")).to_have_text(
        re.compile(r"Written by Erin Editor, MPH\s+·\s+Medically reviewed by Dr Robin Reviewer")
    )
    dates = visitor.locator(".dates dt")
    expect(dates).to_have_text(["First published", "Last reviewed", "Next review due"])
    expect(visitor.locator(".updates li")).to_have_text(
        re.compile(r": Said up front that CAR-T is not approved for MS\.$")
    )
    disclosures = visitor.locator(".disclosures li")
    expect(disclosures.first).not_to_be_visible()
    visitor.click(".disclosures summary")
    expect(disclosures).to_have_count(2)
    expect(disclosures.first).to_contain_text("Conflicts of interest: None declared")
    expect(disclosures.last).to_contain_text("Consultant neurologist")

    # Step 5: the visitor reports a problem; the reviewer finds it and resolves it.
    visitor.get_by_role("link", name="Report a problem with this answer").click()
    visitor.get_by_label("Out of date").check()
    visitor.get_by_label("Tell us more").fill("It does not mention the 2026 trial.")
    visitor.get_by_role("button", name="Send the report").click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Thank you for your report")
    reviewer.goto(f"{live_server.url}/admin/")
    report_link = reviewer.locator("#work-new-reports a", has_text="Out of date:")
    expect(report_link).to_have_count(1)
    reviewer.get_by_role("link", name="Answers in the review queue").first.click()
    expect(reviewer.locator("#result_list")).to_contain_text("1 open report")
    reviewer.go_back()
    report_link.click()
    reviewer.get_by_label("Status:").select_option(label="Resolved")
    reviewer.get_by_label("Note:").fill("Added the 2026 trial.")
    reviewer.get_by_role("button", name="Save", exact=True).click()
    expect(reviewer.locator(".messagelist")).to_contain_text("was changed successfully")
    expect(reviewer.locator("#result_list tbody tr").first).to_contain_text("Resolved")
    for page in (editor, reviewer, visitor):
        page.context.close()
