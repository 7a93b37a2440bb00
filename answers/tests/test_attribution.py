"""Attribution (issue 10): every paragraph of "What the research says" cites a source or is
marked as needing none; the editor sees which as they type, submission waits for it, and
the reviewer sees the marked ones."""

import pytest
from playwright.sync_api import expect

from answers.attribution import NO_CITATION, uncited_blocks
from answers.testing import sign_in
from answers.workflow import TransitionError

pytestmark = pytest.mark.django_db

RESEARCH = (
    # Every citation of the demo answer is cited: one never cited would block submission.
    "A 2023 review found remission in lupus [9]; a trial [10] and a review [1] agree.\n\n"
    "This matters for people with MS.\n\n"
    "- Trials are recruiting [11].\n"
    "- Costs remain high.\n\n"
    f"Here is what that means. {NO_CITATION}"
)


def test_uncited_paragraphs_and_list_items_are_found_and_marks_kept_apart():
    blocks = uncited_blocks(RESEARCH)
    assert [(b.excerpt, b.marked) for b in blocks] == [
        ("This matters for people with MS.", False),
        ("Costs remain high.", False),
        ("Here is what that means.", True),
    ]
    assert uncited_blocks("One claim [1].\n\n- Another [2].") == []


def edit_research(answer, editor, research):
    answer.research = research
    answer.save()
    answer.record_edit(editor)


def test_submission_is_refused_until_each_paragraph_is_cited_or_marked(
    demo_answer, editor, second_reviewer
):
    edit_research(demo_answer, editor, RESEARCH)
    with pytest.raises(TransitionError) as refused:
        demo_answer.submit(editor)
    message = " ".join(refused.value.messages)
    assert "2 paragraph(s) cite nothing" in message
    assert "“This matters for people with MS.”" in message and NO_CITATION in message
    marked = RESEARCH.replace("for people with MS.", f"for people with MS. {NO_CITATION}")
    marked = marked.replace("Costs remain high.", "Costs remain high [1].")
    edit_research(demo_answer, editor, marked)
    demo_answer.submit(editor)
    demo_answer.approve(second_reviewer)
    page = demo_answer.live_version.research_html
    assert "This matters for people with MS." in page and NO_CITATION not in page
    assert NO_CITATION in demo_answer.live_version.research  # the audit keeps the mark


def test_the_reviewer_sees_the_marked_paragraphs(client, demo_answer, editor, reviewer):
    edit_research(demo_answer, editor, f"One claim [1] [9] [10] [11].\n\nA link. {NO_CITATION}")
    demo_answer.submit(editor)
    client.force_login(reviewer)
    approve = client.get(f"/admin/answers/answer/{demo_answer.pk}/workflow/approve/")
    assert "marked these paragraphs as needing no citation" in approve.content.decode()
    assert "“A link.”" in approve.content.decode()
    change = client.get(f"/admin/answers/answer/{demo_answer.pk}/change/").content.decode()
    assert "Marked as needing no citation:</strong> “A link.”" in change


def test_the_research_preview_lists_uncited_paragraphs(client, editor):
    client.force_login(editor)
    preview = client.post("/admin/markdown-preview/?field=research", {"content": RESEARCH})
    html = preview.content.decode()
    assert "2 paragraph(s) cite nothing" in html
    assert '<li class="uncited">Cites nothing: “Costs remain high.”</li>' in html
    assert NO_CITATION not in html.split("</div>", 1)[1]  # the rendered text has no mark
    short = client.post("/admin/markdown-preview/", {"content": "No markers here."})
    assert "cite nothing" not in short.content.decode()  # other fields are not checked


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_editor_sees_uncited_paragraphs_as_they_type(page, live_server, demo_answer, editor):
    sign_in(page, live_server, editor)
    page.goto(f"{live_server.url}/admin/answers/answer/{demo_answer.pk}/change/")
    page.fill("#id_research", "A trial found remission [9].\n\nThis sentence cites nothing.")
    notice = page.locator("#id_research + .markdownx-preview .attribution-check")
    expect(notice).to_contain_text("1 paragraph(s) cite nothing")
    expect(notice.locator("li.uncited")).to_have_text(
        "Cites nothing: “This sentence cites nothing.”"
    )
    page.fill("#id_research", f"A trial found remission [9].\n\nA bridge. {NO_CITATION}")
    expect(notice).to_contain_text("Every paragraph cites a source or is marked")
    expect(notice.locator("li.marked")).to_have_text("Marked as needing no citation: “A bridge.”")
    expect(page.locator("#id_short_answer + .markdownx-preview .attribution-check")).to_have_count(
        0
    )
