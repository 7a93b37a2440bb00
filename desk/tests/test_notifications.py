"""Workflow notifications, sent through a real SMTP server (aiosmtpd) once a step commits."""

import datetime
import logging

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from answers.models import Answer, TransitionError
from answers.testing import sign_in
from answers.tests.test_workflow import edit


def body(mail):
    """The text of a mail as it arrived, with SMTP's line ends made plain."""
    return mail.get_content().replace("\r\n", "\n")


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what a step leaves for after its commit, as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_submitting_mails_every_reviewer_with_a_link_to_the_review(
    demo_answer, editor, reviewer, second_reviewer, smtp_server, committed
):
    edit(demo_answer, editor, short_answer="Shorter.")
    with committed():
        demo_answer.submit(editor, comment="Shortened the summary")
    assert sorted(r for recipients, _ in smtp_server.messages for r in recipients) == [
        "robin@qasite.example",
        "sam@qasite.example",
    ]
    mail = smtp_server.to("robin@qasite.example")[0]
    assert mail["Subject"] == f"Waiting for your review: {demo_answer.question.text}"
    text = body(mail)
    assert "Erin Editor submitted an answer for medical review" in text
    assert f"http://127.0.0.1:8000/admin/answers/answer/{demo_answer.pk}/workflow/approve/" in text
    assert "Their note: Shortened the summary" in text
    assert mail["To"] == "robin@qasite.example"  # each their own: no one sees the others


def test_a_reviewer_who_edited_the_draft_is_not_asked_to_review_it(
    demo_answer, editor, reviewer, second_reviewer, smtp_server, committed
):
    edit(demo_answer, reviewer, short_answer="Reviewer's own wording.")
    with committed():
        demo_answer.submit(editor)
    assert [r for recipients, _ in smtp_server.messages for r in recipients] == [
        "sam@qasite.example"
    ]


def test_sending_back_mails_the_editors_with_the_comment(
    demo_answer, editor, reviewer, smtp_server, committed
):
    edit(demo_answer, editor, short_answer="Shorter.")
    demo_answer.submit(editor)
    with committed():
        demo_answer.send_back(reviewer, comment="Cite the 2025 trial for the safety claim.")
    [mail] = smtp_server.to("erin@qasite.example")
    assert mail["Subject"].startswith("Sent back to you: ")
    text = body(mail)
    assert "Robin Reviewer sent this answer back to draft" in text
    assert "What needs to change:\nCite the 2025 trial for the safety claim." in text
    assert smtp_server.to("robin@qasite.example") == []  # not the one who acted


@pytest.mark.parametrize("action", ["approve", "withdraw"])
def test_approving_or_withdrawing_mails_the_editors(
    demo_answer, editor, reviewer, smtp_server, committed, action
):
    edit(demo_answer, editor, short_answer="Shorter.")
    demo_answer.submit(editor)
    with committed():
        demo_answer.transition(action, reviewer, comment="Checked against the sources")
    [mail] = smtp_server.to("erin@qasite.example")
    subject = {"approve": "Approved and published", "withdraw": "Withdrawn from the site"}
    assert mail["Subject"] == f"{subject[action]}: {demo_answer.question.text}"
    assert "Their comment:\nChecked against the sources" in body(mail)


def test_nobody_is_mailed_before_the_step_commits_or_when_it_is_refused(
    demo_answer, editor, reviewer, smtp_server, committed
):
    edit(demo_answer, reviewer, short_answer="The reviewer's own wording.")
    demo_answer.submit(editor)
    assert smtp_server.messages == []  # still inside the test's transaction
    with committed(), pytest.raises(TransitionError, match="four eyes"):
        demo_answer.approve(reviewer)
    assert smtp_server.messages == []


def test_someone_who_switched_notifications_off_gets_none(
    demo_answer, editor, reviewer, second_reviewer, smtp_server, committed
):
    profile = reviewer.contributor_profile
    profile.email_notifications = False
    profile.save()
    edit(demo_answer, editor, short_answer="Shorter.")
    with committed():
        demo_answer.submit(editor)
    assert [r for recipients, _ in smtp_server.messages for r in recipients] == [
        "sam@qasite.example"
    ]


def test_a_mail_server_that_is_down_is_logged_and_the_step_still_happens(
    demo_answer, editor, reviewer, smtp_server, committed, settings, caplog
):
    settings.EMAIL_PORT = 1  # nothing listens there
    edit(demo_answer, editor, short_answer="Shorter.")
    with caplog.at_level(logging.ERROR, logger="desk.notifications"), committed():
        demo_answer.submit(editor)
    demo_answer.refresh_from_db()
    assert demo_answer.status == Answer.Status.IN_REVIEW
    assert "Sent 0 of 1 notification(s); the rest failed" in caplog.text


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_reviewer_gets_mail_when_the_editor_presses_submit(
    page, live_server, demo_answer, editor, reviewer, smtp_server, settings
):
    settings.SITE_URL = live_server.url
    edit(demo_answer, editor, short_answer="A shorter summary for patients.")
    sign_in(page, live_server, editor)
    page.goto(f"{live_server.url}/admin/answers/answer/{demo_answer.pk}/change/")
    page.click("text=Submit for review…")
    page.click("input.default[type=submit]")
    expect(page.locator(".messagelist")).to_contain_text("Submit for review: done.")
    [mail] = smtp_server.to("robin@qasite.example")
    review = next(line for line in body(mail).splitlines() if "/approve/" in line)
    page.goto(review)  # the link opens the review panel
    expect(page.locator("h1")).to_contain_text("Approve and publish")


def test_the_weekly_digest_lists_what_each_reviewer_should_look_at(
    demo_answer, editor, reviewer, smtp_server
):
    version = demo_answer.live_version
    version.next_review_due = datetime.date(2020, 1, 1)  # overdue now
    version.save(update_fields=["next_review_due"])
    call_command("send_review_digest")
    [mail] = smtp_server.to("robin@qasite.example")
    assert mail["Subject"] == "Reviews to look at this week: 1 answer"
    text = body(mail)
    assert "Overdue for review (1)" in text
    assert demo_answer.question.text in text
    assert smtp_server.to("erin@qasite.example") == []  # editors get no digest


def test_no_digest_when_there_is_nothing_to_review(demo_answer, reviewer, smtp_server):
    call_command("send_review_digest")
    assert smtp_server.messages == []
