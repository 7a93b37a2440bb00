"""The admin home page's "My work": what waits for the person signed in."""

import datetime

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from answers.models import Answer
from answers.testing import sign_in
from answers.tests.test_workflow import edit
from desk import my_work

HOME = reverse("admin:index")


def work(client, user):
    """{list title: [item lines]} as the home page shows them to `user`."""
    client.force_login(user)
    page = client.get(HOME).content.decode()
    assert 'id="my-work"' in page
    return page


def section(page, key):
    start = page.index(f'id="work-{key}"')
    return page[start : page.index("</section>", start)]


def test_a_submitted_answer_waits_for_the_reviewer_oldest_first(
    client, demo_answer, editor, reviewer
):
    edit(demo_answer, editor, short_answer="Shorter.")
    demo_answer.submit(editor)
    waiting = section(work(client, reviewer), "awaiting")
    assert demo_answer.question.text in waiting
    assert reverse("admin:answers_answer_transition", args=[demo_answer.pk, "approve"]) in waiting
    assert "submitted 0" in waiting  # how long it has waited
    assert '<span class="count">1</span>' in waiting


def test_a_reviewer_who_edited_it_does_not_see_it_waiting(client, demo_answer, editor, reviewer):
    edit(demo_answer, reviewer, short_answer="My own wording.")
    demo_answer.submit(editor)
    assert "Nothing is waiting for your review." in section(work(client, reviewer), "awaiting")


def test_a_reviewers_edit_counts_whatever_reason_they_typed(client, demo_answer, editor, reviewer):
    demo_answer.short_answer = "My own wording."
    demo_answer._history_user = reviewer
    demo_answer._change_reason = "Submit for review: fixed the dose"  # like a step's label
    demo_answer.save()
    demo_answer.record_edit(reviewer)
    demo_answer.submit(editor)
    assert "Nothing is waiting for your review." in section(work(client, reviewer), "awaiting")


def test_a_reviewer_who_changed_a_cited_source_does_not_see_it_waiting(
    client, demo_answer, editor, reviewer, second_reviewer
):
    source = demo_answer.citations.get(number=1).source
    source.title = "A corrected title"
    source._history_user = reviewer
    source.save()
    Answer.objects.sharing(source).record_shared_edit(reviewer, "Corrected the title")
    demo_answer.refresh_from_db()
    demo_answer.submit(editor)
    assert "Nothing is waiting for your review." in section(work(client, reviewer), "awaiting")
    assert demo_answer.question.text in section(work(client, second_reviewer), "awaiting")


def test_the_list_costs_the_same_queries_however_many_wait(client, demo_answer, editor, reviewer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from patient_site.tests.test_public_site import make_answer

    def queries():
        my_work._move_epoch()  # worked out again, not the kept lists
        with CaptureQueriesContext(connection) as captured:
            work(client, reviewer)
        return len(captured)

    edit(demo_answer, editor, short_answer="Shorter.")
    demo_answer.submit(editor)
    queries()  # permissions and the like, cached from here
    one = queries()
    source = demo_answer.citations.get(number=1).source
    for n in range(3):
        extra = make_answer(demo_answer.question.topic, f"extra-{n}", f"Extra {n}?", "Short.",
                            "Research [1].", source)  # fmt: skip
        extra.transition("submit", editor)
    assert queries() == one
    assert '<span class="count">4</span>' in section(work(client, reviewer), "awaiting")


def test_the_lists_are_kept_until_something_they_show_changes(
    client, demo_answer, editor, reviewer
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    edit(demo_answer, editor, short_answer="Shorter.")
    work(client, reviewer)
    with CaptureQueriesContext(connection) as kept:
        work(client, reviewer)
    with CaptureQueriesContext(connection) as fresh:
        my_work._move_epoch()
        work(client, reviewer)
    assert len(kept) < len(fresh)  # kept: no list queries
    demo_answer.submit(editor)  # a step: the kept lists are out of date
    assert demo_answer.question.text in section(work(client, reviewer), "awaiting")


def test_overdue_reviews_are_listed_for_reviewers(client, demo_answer, reviewer):
    version = demo_answer.live_version
    version.next_review_due = datetime.date(2020, 1, 1)
    version.save(update_fields=["next_review_due"])
    overdue = section(work(client, reviewer), "overdue")
    assert demo_answer.question.text in overdue and "review was due 1 Jan 2020" in overdue


def test_an_answer_sent_back_shows_the_reviewers_comment_to_the_editor(
    client, demo_answer, editor, reviewer
):
    edit(demo_answer, editor, short_answer="Shorter.")
    demo_answer.submit(editor)
    demo_answer.send_back(reviewer, comment="Cite the 2025 trial.")
    page = work(client, editor)
    sent_back = section(page, "sent-back")
    assert demo_answer.question.text in sent_back
    assert "Robin Reviewer: “Cite the 2025 trial.”" in sent_back
    assert "You have no drafts." in section(page, "drafts")  # listed once, where it matters


def test_an_editors_drafts_are_listed(client, demo_answer, editor, reviewer):
    edit(demo_answer, editor, short_answer="Still writing.")
    drafts = section(work(client, editor), "drafts")
    assert demo_answer.question.text in drafts and "last saved" in drafts
    # The reviewer has no drafts of their own and no editor lists.
    assert 'id="work-drafts"' not in work(client, reviewer)


def test_the_navigation_counts_what_waits(client, demo_answer, editor, reviewer):
    edit(demo_answer, editor, short_answer="Shorter.")
    demo_answer.submit(editor)
    client.force_login(reviewer)
    page = client.get(reverse("admin:answers_answer_changelist")).content.decode()
    assert 'My work <span class="my-work-count">(1)</span>' in page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_reviewer_opens_the_review_from_the_home_page(
    page, live_server, demo_answer, editor, reviewer
):
    edit(demo_answer, editor, short_answer="A shorter summary for patients.")
    demo_answer.submit(editor)
    sign_in(page, live_server, reviewer)
    page.goto(live_server.url + HOME)
    expect(page.locator(".my-work-link")).to_have_text("My work (1)")
    waiting = page.locator("#work-awaiting")
    expect(waiting).to_contain_text(demo_answer.question.text)
    waiting.get_by_role("link", name=demo_answer.question.text).click()
    expect(page.locator("h1")).to_contain_text("Approve and publish")
