"""The whole review conversation in Chromium, on the demo content as `make run` loads it:
an editor and two medical reviewers comment on a sentence, reply, resolve, share the draft
with an outside expert who comments without an account, and approve; the audit record
keeps what was said."""

import os

import pytest
from playwright.sync_api import expect

from answers.models import Answer, ReviewLink
from answers.testing import sign_in_as
from answers.tests.test_conversation import PASSAGE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("QASITE_SHOTS", "/tmp/shots")
EXPERT_PASSAGE = "early results suggest the approach is safe"
# Each step saves and renders a page while other tests may share the machine's two cores.
expect.set_options(timeout=15_000)


def shot(page, name):
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=f"{SHOTS}/conversation-{name}.png", full_page=True)


def select_in_textarea(page, field, text):
    """Put the caret before `text`, then select it with Shift+→ as a person would."""
    textarea = page.locator(f"#id_{field}")
    textarea.evaluate(
        "(t, text) => { t.focus(); const i = t.value.indexOf(text); t.setSelectionRange(i, i); }",
        text,
    )
    for _ in text:
        page.keyboard.press("Shift+ArrowRight")


def drag_select(page, section, text):
    """Select `text` on the page with the mouse: press before its first letter, release
    after its last."""
    page.wait_for_load_state()  # the page's scripts listen for selections from then
    box = page.evaluate(
        """([section, text]) => {
          const root = document.querySelector(`[data-comment-section="${section}"]`);
          const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const at = node.data.indexOf(text);
            if (at === -1) continue;
            const first = document.createRange(), last = document.createRange();
            first.setStart(node, at); first.setEnd(node, at + 1);
            last.setStart(node, at + text.length - 1); last.setEnd(node, at + text.length);
            first.startContainer.parentElement.scrollIntoView({block: "center"});
            const a = first.getBoundingClientRect(), b = last.getBoundingClientRect();
            return {x1: a.left + 1, y1: a.top + a.height / 2,
                    x2: b.right - 1, y2: b.top + b.height / 2};
          }
          return null;
        }""",
        [section, text],
    )
    assert box, f"“{text}” is not on the page"
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move(box["x2"], box["y2"], steps=8)
    page.mouse.up()


def test_an_editor_two_reviewers_and_an_outside_expert_hold_the_conversation(
    chromium, live_server, demo
):
    answer = demo
    change_url = f"{live_server.url}/admin/answers/answer/{answer.pk}/change/"

    # The editor starts a new draft of the live answer.
    editor = sign_in_as(chromium, live_server, "editor")
    editor.goto(change_url)
    editor.fill("#id_short_answer", answer.short_answer + " Ask your neurologist about trials.")
    editor.click("input[name=_continue]")
    expect(editor.locator(".messagelist")).to_contain_text("was changed successfully")

    # A reviewer comments on a sentence of it, on the change form.
    robin = sign_in_as(chromium, live_server, "reviewer")
    robin.goto(change_url)
    select_in_textarea(robin, "research", PASSAGE)
    robin.get_by_role("button", name="Comment on the selection").first.click()
    form = robin.locator("form.new-comment")
    expect(form.locator("blockquote.quoted")).to_have_text(PASSAGE)
    form.get_by_label("Your comment").fill("Which lupus trials? Name them and cite them.")
    form.get_by_role("button", name="Add comment").click()
    expect(robin.locator("#comments-title")).to_contain_text("1 open")
    expect(robin.locator("#comments .thread")).to_contain_text("Which lupus trials?")
    shot(robin, "1-reviewer-comments-on-the-change-form")

    # The reviewer shares the draft with an outside expert.
    robin.get_by_role("link", name="Share with an expert").click()
    robin.get_by_label("Expert's name").fill("Dr Ada Outside, neuro-immunologist")
    robin.get_by_role("button", name="Create the link").click()
    expect(robin.locator(".messagelist")).to_contain_text("A link for Dr Ada Outside")
    link_url = robin.get_by_label("The link for Dr Ada Outside, neuro-immunologist").input_value()
    shot(robin, "2-share-with-an-expert")

    # The expert, with no account, reads the draft and comments on a passage.
    expert = chromium.new_context().new_page()
    expert.goto(link_url)
    expect(expert.locator(".draft-banner")).to_contain_text("A draft shared with you")
    expect(expert.locator(".short-answer")).to_contain_text("Ask your neurologist about trials.")
    drag_select(expert, "short_answer", EXPERT_PASSAGE)
    expert.get_by_role("button", name="Comment on the selection").click()
    expect(expert.locator("form.new-comment blockquote.quoted")).to_contain_text("results suggest")
    expert.get_by_label("Your comment").fill("Too reassuring: the series are small.")
    expert.get_by_role("button", name="Add comment").click()
    expect(expert.locator("#comments .thread")).to_contain_text("Too reassuring")
    expect(expert.locator("#comments")).not_to_contain_text("Which lupus trials?")
    highlighted = expert.evaluate("() => [...CSS.highlights.get('commented')].map(String)")
    assert highlighted == [EXPERT_PASSAGE]  # the open comment's passage, marked on the page
    shot(expert, "3-outside-expert")

    # The editor finds both in My work and on the answer, finds the passage, replies and
    # resolves the expert's.
    editor.goto(f"{live_server.url}/admin/")
    expect(editor.locator("#work-comments")).to_contain_text("Too reassuring")
    expect(editor.locator("#work-comments")).to_contain_text("Which lupus trials?")
    editor.goto(change_url)
    expect(editor.locator("#comments-title")).to_contain_text("2 open")
    robins = editor.locator("#comments .thread", has_text="Which lupus trials?")
    robins.get_by_role("button", name="Show in the text").click()
    selected = editor.locator("#id_research").evaluate(
        "t => t.value.slice(t.selectionStart, t.selectionEnd)"
    )
    assert selected == PASSAGE
    robins.get_by_label("Reply").fill("Two case series, now cited as [9].")
    robins.get_by_role("button", name="Reply").click()
    expect(editor.locator("#comments .thread", has_text="Which lupus")).to_contain_text(
        "Two case series"
    )
    experts = editor.locator("#comments .thread", has_text="Too reassuring")
    expect(experts).to_contain_text("Dr Ada Outside, neuro-immunologist (outside expert)")
    experts.get_by_role("button", name="Resolve").click()
    expect(editor.locator("#comments-title")).to_contain_text("1 open")
    shot(editor, "4-editor-replies-and-resolves")
    editor.get_by_role("link", name="Submit for review…").click()
    editor.get_by_role("button", name="Submit for review").click()
    expect(editor.locator(".messagelist")).to_contain_text("Submit for review: done.")

    # The second reviewer: My work, the approve page with the changes and the comments.
    sam = sign_in_as(chromium, live_server, "reviewer2")
    sam.goto(f"{live_server.url}/admin/")
    sam.locator("#work-awaiting").get_by_role("link", name=answer.question.text).click()
    expect(sam.locator("h1")).to_contain_text("Approve and publish")
    expect(sam.locator(".review-changes ins", has_text="Ask your neurologist")).to_be_visible()
    expect(sam.locator(".errornote")).to_contain_text("1 comment is still open")
    expect(sam.get_by_role("link", name="Send back to the editor…")).to_be_visible()
    shot(sam, "5-approve-page-with-an-open-comment")
    sam.locator("#comments .thread.is-open").get_by_role("button", name="Resolve").click()
    # The last one resolved, the page comes back with the approval's form.
    sam.get_by_role("button", name="Approve and publish").click()
    expect(sam.locator(".messagelist")).to_contain_text("Approve and publish: done.")

    answer.refresh_from_db()
    assert answer.status == Answer.Status.PUBLISHED
    assert "Ask your neurologist about trials." in answer.live_version.short_answer

    # The audit record of this approval keeps the conversation.
    sam.goto(f"{live_server.url}/admin/answers/publishedversion/{answer.live_version.pk}/change/")
    record = sam.locator(".audit-record")
    expect(record).to_contain_text("Which lupus trials? Name them and cite them.")
    expect(record).to_contain_text("Two case series, now cited as [9].")
    expect(record).to_contain_text("Too reassuring: the series are small.")
    expect(record).to_contain_text("Resolved by Sam Second")
    expect(record).to_contain_text("Shared with outside experts: Dr Ada Outside")
    shot(sam, "6-audit-record")
    assert ReviewLink.objects.count() == 1
    for page in (editor, robin, expert, sam):
        page.context.close()


def test_a_reviewer_comments_on_the_preview_and_a_passage_edited_away_is_reported(
    chromium, live_server, demo
):
    answer = demo
    robin = sign_in_as(chromium, live_server, "reviewer")
    robin.goto(f"{live_server.url}/admin/answers/answer/{answer.pk}/change/")
    robin.get_by_role("link", name="Preview draft").click()
    expect(robin.locator(".draft-banner")).to_contain_text("Draft preview")
    drag_select(robin, "research", "B-cell-depleting antibodies like rituximab")
    robin.get_by_role("button", name="Comment on the selection").click()
    robin.get_by_label("Your comment").fill("Ocrelizumab too?")
    robin.get_by_role("button", name="Add comment").click()
    thread = robin.locator("#comments .thread", has_text="Ocrelizumab too?")
    expect(thread).to_contain_text("B-cell-depleting antibodies like rituximab")
    robin.evaluate("() => CSS.highlights.clear()")
    thread.get_by_role("button", name="Show in the text").click()
    shown = robin.evaluate("() => [...CSS.highlights.get('commented')].map(String)")
    assert shown == ["B-cell-depleting antibodies like rituximab"]
    shot(robin, "7-comment-on-the-preview")

    answer.refresh_from_db()
    answer.research = answer.research.replace("like rituximab", "such as rituximab")
    answer.save()
    robin.reload()
    expect(thread).to_contain_text("Its passage is no longer in the text")
    expect(thread.get_by_role("button", name="Show in the text")).to_have_count(0)
    robin.context.close()


def test_a_reply_being_typed_survives_another_comment_and_leaving_asks_first(
    chromium, live_server, demo
):
    from django.contrib.auth import get_user_model

    from answers import conversation

    reviewer = get_user_model().objects.get(username="reviewer")
    conversation.start_thread(demo, "research", PASSAGE, "First question", user=reviewer)
    conversation.start_thread(demo, "short_answer", "", "Second question", user=reviewer)
    editor = sign_in_as(chromium, live_server, "editor")
    editor.goto(f"{live_server.url}/admin/answers/answer/{demo.pk}/comments/")
    first = editor.locator("#comments .thread", has_text="First question")
    first.get_by_label("Reply").fill("A reply I am still writing")
    second = editor.locator("#comments .thread", has_text="Second question")
    second.get_by_role("button", name="Resolve").click()
    expect(editor.locator("#comments-title")).to_contain_text("1 open")
    expect(
        editor.locator("#comments .thread", has_text="First question").get_by_label("Reply")
    ).to_have_value("A reply I am still writing")

    asked = []
    editor.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    editor.get_by_role("link", name="Edit the answer").click()
    editor.wait_for_timeout(500)
    assert asked == ["beforeunload"]
    assert editor.url.endswith("/comments/")  # stayed, with the reply still typed
    editor.context.close()
