"""No typed word is lost, in Chromium: a closed tab, a refused save, an expired session and
another machine each offer the text back, and saving it works; leaving with unsaved changes
asks first. The script is desk/static/desk/keep_typing.js."""

import re
import time
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from answers.models import Answer
from answers.testing import PASSWORD, sign_in
from desk.models import Autosave

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

SHOTS = Path("/tmp/shots/keep_typing")
ADDED = " A third trial opened in 2025 [1]."
OFFER = re.compile(r"^You have text typed at \d\d:\d\d that was not saved")


def change_url(live_server, answer):
    return f"{live_server.url}/admin/answers/answer/{answer.pk}/change/"


def type_at_end(page, selector, text):
    """Type `text` after what the field holds, key by key, as a person would."""
    field = page.locator(selector)
    field.click()
    field.press("Control+End")
    field.press_sequentially(text)


def kept_in_browser(page):
    """The keys of the copies the script keeps in this browser's localStorage."""
    return page.evaluate(
        "Object.keys(localStorage).filter((key) => key.startsWith('qasite.keep-typing.'))"
    )


def stored(answer):
    """The answer's row, revisions and workflow steps as stored."""
    row = Answer.objects.filter(pk=answer.pk).values().get()
    return row, answer.history.count(), answer.transitions.count()


def wait_for(condition, seconds=10):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def screenshot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#keep-typing").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / name))


def put_back_and_save(page, answer):
    """Put the offered text back, see it in the field and its preview, and save it."""
    offer = page.locator(".keep-typing-offer")
    offer.get_by_role("button", name="Put it back").click()
    expect(offer).to_be_hidden()
    expect(page.locator("#id_research")).to_have_value(re.compile(re.escape(ADDED.strip()) + "$"))
    preview = page.locator("#id_research ~ .markdownx-preview")
    expect(preview).to_contain_text("A third trial opened in 2025")
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    assert Answer.objects.get(pk=answer.pk).research.endswith(ADDED)


def test_text_typed_before_the_tab_closed_is_offered_back_and_saved(
    page, live_server, editor, demo_answer
):
    sign_in(page, live_server, editor)
    page.goto(change_url(live_server, demo_answer))
    type_at_end(page, "#id_research", ADDED)
    page.close()  # the context, and its localStorage, stay

    again = page.context.new_page()
    again.goto(change_url(live_server, demo_answer))
    offer = again.locator(".keep-typing-offer")
    expect(offer).to_be_visible()
    expect(offer.locator(".keep-typing-when")).to_have_text(OFFER)
    expect(offer.locator(".keep-typing-conflict")).to_be_hidden()
    assert not again.locator("#id_research").input_value().endswith(ADDED)  # not until asked
    screenshot(again, "banner_after_closed_tab.png")

    put_back_and_save(again, demo_answer)
    # Saved: the copies are gone, and the next visit offers nothing.
    expect(again.locator(".keep-typing-offer")).to_be_hidden()
    again.reload()
    expect(again.locator("#id_research")).to_have_value(re.compile(re.escape(ADDED.strip()) + "$"))
    expect(again.locator(".keep-typing-offer")).to_be_hidden()
    assert kept_in_browser(again) == []
    assert not Autosave.objects.exists()


def test_a_saved_text_is_not_offered_after_someone_changes_the_answer(
    page, live_server, editor, reviewer, demo_answer
):
    """The save goes to the answer list, where no script runs: the server's confirmation
    still drops the copy, which would otherwise differ from the answer someone changed."""
    sign_in(page, live_server, editor)
    page.goto(change_url(live_server, demo_answer))
    type_at_end(page, "#id_research", ADDED)
    assert kept_in_browser(page) == [f"qasite.keep-typing.{editor.pk}.{demo_answer.pk}"]
    page.click("input[name=_save]")
    expect(page).to_have_url(f"{live_server.url}/admin/answers/answer/")
    answer = Answer.objects.get()
    answer.research += "\n\nA reviewer's paragraph [1]."
    answer._history_user = reviewer
    answer.save()

    page.goto(change_url(live_server, demo_answer))
    expect(page.locator("#id_research")).to_have_value(re.compile("A reviewer's paragraph"))
    expect(page.locator(".keep-typing-offer")).to_be_hidden()
    assert kept_in_browser(page) == []


def test_discard_forgets_the_copy(page, live_server, editor, demo_answer):
    research = demo_answer.research
    sign_in(page, live_server, editor)
    page.goto(change_url(live_server, demo_answer))
    type_at_end(page, "#id_research", ADDED)
    page.close()

    again = page.context.new_page()
    again.goto(change_url(live_server, demo_answer))
    again.get_by_role("button", name="Discard").click()
    expect(again.locator(".keep-typing-status")).to_have_text(
        "Discarded: the form shows the answer as it is stored."
    )
    again.reload()
    expect(again.locator(".keep-typing-offer")).to_be_hidden()
    assert again.locator("#id_research").input_value() == research


def test_a_save_the_server_refused_keeps_the_copy(page, live_server, editor, demo_answer):
    sign_in(page, live_server, editor)
    page.goto(change_url(live_server, demo_answer))
    type_at_end(page, "#id_research", " An uncited marker [99].")
    page.click("input[name=_continue]")
    expect(page.locator(".errornote")).to_be_visible()
    page.close()

    again = page.context.new_page()
    again.goto(change_url(live_server, demo_answer))
    expect(again.locator(".keep-typing-offer")).to_be_visible()
    again.get_by_role("button", name="Put it back").click()
    expect(again.locator("#id_research")).to_have_value(re.compile(r"An uncited marker \[99\]\.$"))

    # Closing the tab sends what waited for the next autosave (and the test waits for it:
    # a request still running when the tables are flushed would deadlock with the flush).
    again.close()
    assert wait_for(lambda: Autosave.objects.filter(fields__research__endswith="[99].").exists())


def test_a_copy_older_than_the_answer_overwrites_nobody_unseen(
    page, live_server, editor, reviewer, demo_answer
):
    sign_in(page, live_server, editor)
    page.goto(change_url(live_server, demo_answer))
    type_at_end(page, "#id_research", ADDED)
    page.close()
    # Meanwhile a reviewer changes another section.
    answer = Answer.objects.get()
    answer.doctor_questions += "\nWhat does it cost?"
    answer._history_user = reviewer
    answer.save()

    again = page.context.new_page()
    again.goto(change_url(live_server, demo_answer))
    offer = again.locator(".keep-typing-offer")
    expect(offer.locator(".keep-typing-fields")).to_have_text("In: What the research says.")
    expect(offer.locator(".keep-typing-conflict")).to_have_text(
        "This answer was saved again after you started typing. If you put your text back and "
        "save, you will first be told who saved it and when; save again to keep yours."
    )
    screenshot(again, "banner_conflict.png")
    offer.get_by_role("button", name="Put it back").click()
    # The copy holds only what the editor changed: the reviewer's question stays.
    expect(again.locator("#id_doctor_questions")).to_have_value(re.compile("What does it cost\\?$"))

    again.click("input[name=_continue]")
    expect(again.locator(".errornote")).to_be_visible()
    expect(again.locator("#answer_form")).to_contain_text("saved this answer at")
    assert not Answer.objects.get().research.endswith(ADDED)
    again.click("input[name=_continue]")
    expect(again.locator(".messagelist")).to_contain_text("was changed successfully")
    saved = Answer.objects.get()
    assert saved.research.endswith(ADDED) and saved.doctor_questions.endswith("What does it cost?")


def test_a_save_after_the_session_expired_signs_in_again_and_keeps_the_text(
    page, live_server, editor, demo_answer
):
    url = change_url(live_server, demo_answer)
    sign_in(page, live_server, editor)
    page.goto(url)
    type_at_end(page, "#id_research", ADDED)
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)

    Session.objects.all().delete()  # the session expires while the editor types
    page.click("input[name=_continue]")

    expect(page).to_have_url(re.compile(r"/admin/login/\?next=.*&session=expired$"))
    expect(page.locator(".messagelist")).to_have_text(
        "Your session expired; sign in again and your unsaved text will be offered back."
    )
    assert url not in posts  # the text was never sent to be dropped
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "sign_in_after_expiry.png"))
    page.fill("#id_username", editor.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")

    expect(page).to_have_url(url)
    expect(page.locator(".keep-typing-offer")).to_be_visible()
    screenshot(page, "banner_after_sign_in.png")
    put_back_and_save(page, demo_answer)


def test_a_save_the_admin_sent_to_sign_in_still_offers_the_text_back(
    page, live_server, editor, demo_answer
):
    """Without the script's session check (here it cannot reach the server), the admin
    redirects the save to the sign-in page and drops what was posted: the copy stays."""
    url = change_url(live_server, demo_answer)
    sign_in(page, live_server, editor)
    page.goto(url)
    page.route("**/admin/keep-typing/session/", lambda route: route.abort())
    type_at_end(page, "#id_research", ADDED)

    Session.objects.all().delete()
    page.click("input[name=_continue]")
    expect(page).to_have_url(re.compile(r"/admin/login/\?next="))
    page.fill("#id_username", editor.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")

    expect(page).to_have_url(url)
    expect(page.locator(".keep-typing-offer")).to_be_visible()
    put_back_and_save(page, demo_answer)


def test_leaving_with_unsaved_changes_asks_first(page, live_server, editor, demo_answer):
    sign_in(page, live_server, editor)
    page.goto(change_url(live_server, demo_answer))
    asked = []

    def stay(dialog):
        asked.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)
    with page.expect_event("close"):
        page.close(run_before_unload=True)  # nothing typed: it closes without asking
    assert asked == []

    page = page.context.new_page()
    page.on("dialog", stay)
    page.goto(change_url(live_server, demo_answer))
    type_at_end(page, "#id_research", ADDED)
    page.close(run_before_unload=True)
    expect(page.locator("#id_research")).to_be_visible()  # the editor chose to stay
    assert asked == ["beforeunload"] and not page.is_closed()

    # Saving does not ask.
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    assert asked == ["beforeunload"]
    with page.expect_event("close"):
        page.close(run_before_unload=True)
    assert asked == ["beforeunload"]


def test_the_server_keeps_a_copy_offered_on_another_machine(page, live_server, editor, demo_answer):
    before = stored(demo_answer)
    public_url = live_server.url + demo_answer.get_absolute_url()
    public_page = page.request.get(public_url).text()
    page.clock.install()
    sign_in(page, live_server, editor)
    page.goto(change_url(live_server, demo_answer))
    type_at_end(page, "#id_research", ADDED)
    assert not Autosave.objects.exists()  # not on every key: every few seconds

    page.clock.fast_forward(13_000)
    expect(page.locator(".keep-typing-status")).to_have_text(re.compile(r"^Kept on the server at"))
    kept = Autosave.objects.get()
    assert kept.fields["research"].endswith(ADDED) and kept.user == editor

    # Nothing published, saved or submitted: the answer and its page are as they were.
    assert stored(demo_answer) == before
    assert Answer.objects.get().status == Answer.Status.PUBLISHED
    assert page.request.get(public_url).text() == public_page
    assert "A third trial opened" not in public_page

    other_machine = page.context.browser.new_context().new_page()
    other_machine.set_default_timeout(15_000)
    sign_in(other_machine, live_server, editor)
    other_machine.goto(change_url(live_server, demo_answer))
    assert kept_in_browser(other_machine) == []
    offer = other_machine.locator(".keep-typing-offer")
    expect(offer.locator(".keep-typing-when")).to_have_text(
        re.compile(r"that was not saved \(kept on the server from this or another browser\)\.$")
    )
    screenshot(other_machine, "banner_from_server.png")
    put_back_and_save(other_machine, demo_answer)
    assert not Autosave.objects.exists()
    other_machine.context.close()


def test_the_add_form_keeps_its_text_in_the_browser(page, live_server, editor):
    sign_in(page, live_server, editor)
    page.goto(f"{live_server.url}/admin/answers/answer/add/")
    type_at_end(page, "#id_short_answer", "Not yet: only in trials.")
    page.close()

    again = page.context.new_page()
    again.goto(f"{live_server.url}/admin/answers/answer/add/")
    expect(again.locator(".keep-typing-offer")).to_be_visible()
    screenshot(again, "banner_add_form.png")
    again.get_by_role("button", name="Put it back").click()
    expect(again.locator("#id_short_answer")).to_have_value("Not yet: only in trials.")
    expect(again.locator("#id_short_answer ~ .markdownx-preview")).to_contain_text("only in trials")
    assert not Autosave.objects.exists()  # the add form keeps nothing on the server
