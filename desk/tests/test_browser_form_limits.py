"""A paste larger than the server accepts is refused in the browser, with a message on the
field, and stays in the field; without JavaScript the server answers with a page that says
what happened. Either way nothing is saved."""

import re

import pytest
from playwright.sync_api import expect

from answers.models import Answer
from answers.testing import sign_in
from citations.models import Source

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

QUESTION = "Ask your doctor whether CAR-T cell therapy suits your kind of MS.\n"


def text_of(length):
    return (QUESTION * (length // len(QUESTION) + 1))[:length]


def paste(page, selector, text):
    """Paste `text` into the field as an editor would: through the clipboard, Ctrl+V."""
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.evaluate("text => navigator.clipboard.writeText(text)", text)
    page.fill(selector, "")
    # Megabytes take Chromium a while to paste and lay out, the more on a busy machine.
    page.press(selector, "Control+V", timeout=120_000)
    page.wait_for_function(
        "([selector, length]) => document.querySelector(selector).value.length === length",
        arg=[selector, len(text)],
        timeout=120_000,
    )


def posts_to(page, path):
    """The POST requests the page sends to `path`, as they happen."""
    sent = []
    page.on("request", lambda r: sent.append(r.url) if r.method == "POST" and path in r.url else 0)
    return sent


def test_huge_paste_is_refused_on_its_field_and_stays_there(page, live_server, editor, demo_answer):
    revisions = demo_answer.history.count()
    sign_in(page, live_server, editor)
    path = f"/admin/answers/answer/{demo_answer.pk}/change/"
    page.goto(live_server.url + path)
    sent = posts_to(page, path)

    paste(page, "#id_doctor_questions", text_of(9_000_000))
    page.click("input[name=_save]")

    message = page.locator(".field-doctor_questions .errorlist")
    expect(message).to_have_text(
        "This text is 9,000,000 characters; the limit is 50,000. Nothing was sent; "
        "shorten it and save again."
    )
    expect(page.locator("#id_doctor_questions")).to_be_focused()
    page.screenshot(path="/tmp/form-limit-answer.png")
    assert page.eval_on_selector("#id_doctor_questions", "e => e.value.length") == 9_000_000
    assert page.url == live_server.url + path
    assert sent == []
    answer = Answer.objects.get()
    assert answer.doctor_questions == demo_answer.doctor_questions
    assert answer.history.count() == revisions

    # Shortened, it saves, and the message goes.
    page.fill("#id_doctor_questions", "Is CAR-T cell therapy available near me?")
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    expect(page.locator(".field-doctor_questions .errorlist")).to_have_count(0)
    assert Answer.objects.get().doctor_questions == "Is CAR-T cell therapy available near me?"


def test_huge_paste_in_a_previewed_field_says_so_in_the_preview_too(
    page, live_server, editor, demo_answer
):
    sign_in(page, live_server, editor)
    page.goto(f"{live_server.url}/admin/answers/answer/{demo_answer.pk}/change/")

    paste(page, "#id_research", text_of(3_000_000))

    expect(page.locator("#id_research + .markdownx-preview")).to_contain_text(
        "No preview: the text is too large to send"
    )
    page.click("input[name=_save]")
    expect(page.locator(".field-research .errorlist")).to_have_text(
        "This text is 3,000,000 characters; the limit is 50,000. Nothing was sent; "
        "shorten it and save again."
    )
    page.screenshot(path="/tmp/form-limit-research.png")
    assert Answer.objects.get().research == demo_answer.research


def without_the_ajax_header(route):
    """Send the request on without X-Requested-With, as a proxy or another version of the
    widget's script might: the preview's address alone must be enough."""
    headers = route.request.all_headers()
    headers.pop("x-requested-with", None)
    route.continue_(headers=headers)


def test_preview_of_a_text_over_the_body_limit_is_a_line_not_a_page(
    page, live_server, editor, demo_answer, settings
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100_000  # 97.7 KB: a smaller text, the same path
    sign_in(page, live_server, editor)
    answers = []  # the status of each preview of the research, as it comes back
    page.on("response", lambda r: answers.append(r.status) if "field=research" in r.url else 0)
    page.route("**/admin/markdown-preview/**", without_the_ajax_header)
    page.goto(f"{live_server.url}/admin/answers/answer/{demo_answer.pk}/change/")
    preview = page.locator("#id_research + .markdownx-preview")
    # The stored text's preview first (the first reading grade loads a dictionary).
    expect(preview).to_contain_text("Reading grade", timeout=60_000)

    page.evaluate(
        """([selector, text]) => {
            const field = document.querySelector(selector);
            field.value = text;
            field.dispatchEvent(new Event("input", { bubbles: true }));
        }""",
        ["#id_research", text_of(150_000)],
    )

    expect(preview).to_have_text(
        re.compile(
            r"^No preview: the text is too large to send \(14\d\.\d\sKB; "
            r"the limit is 97\.7\sKB\)\.$"
        )
    )
    preview.scroll_into_view_if_needed()
    page.screenshot(path="/tmp/preview_too_large.png")
    assert answers == [200, 413]
    html = preview.inner_html()
    assert "<html" not in html.lower()
    assert "too large to send</h1>" not in html
    expect(preview.locator("h1, main, header, footer")).to_have_count(0)
    assert "| Change answer |" in page.title()  # still the form, the text still in it
    assert page.eval_on_selector("#id_research", "e => e.value.length") == 150_000


def test_text_without_its_own_limit_is_held_to_what_the_form_can_send(
    page, live_server, editor, demo_answer
):
    source = Source.objects.order_by("pk").first()
    sign_in(page, live_server, editor)
    path = f"/admin/citations/source/{source.pk}/change/"
    page.goto(live_server.url + path)
    sent = posts_to(page, path)

    paste(page, "#id_notes", text_of(3_000_000))
    page.click("input[name=_save]")

    expect(page.locator(".field-notes .errorlist")).to_have_text(
        "This text is 3,000,000 characters: more than the form can send (2.5 MB in all). "
        "Nothing was sent; shorten it and save again."
    )
    page.screenshot(path="/tmp/form-limit-source.png")
    assert page.eval_on_selector("#id_notes", "e => e.value.length") == 3_000_000
    assert sent == []
    assert Source.objects.get(pk=source.pk).notes == source.notes


def test_without_the_script_the_server_says_the_form_was_too_large(
    page, live_server, editor, demo_answer
):
    page.route("**/form-limits.js", lambda route: route.abort())  # an old page, a failed load
    sign_in(page, live_server, editor)
    page.goto(f"{live_server.url}/admin/answers/answer/{demo_answer.pk}/change/")

    paste(page, "#id_doctor_questions", text_of(3_000_000))
    page.click("input[name=_save]")

    expect(page.locator("h1")).to_have_text("Your form was too large to send")
    expect(page.locator("main")).to_contain_text("Nothing was saved.")
    page.screenshot(path="/tmp/form-limit-413.png", full_page=True)
    assert Answer.objects.get().doctor_questions == demo_answer.doctor_questions
    page.go_back()  # Chromium gives the form back as it was sent, as the page says it may
    assert page.eval_on_selector("#id_doctor_questions", "e => e.value.length") == 3_000_000
