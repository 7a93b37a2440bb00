"""Scheduled publication and expiry: approved now, live later; live now, gone later."""

import datetime
import os
import subprocess
import sys
import time
import zoneinfo
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from answers import schedule
from answers.models import Answer, TransitionError
from answers.testing import publish, sign_in
from answers.tests.test_workflow import edit
from delivery.tests.app_server import database_url

HOUR = datetime.timedelta(hours=1)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def submitted(demo_answer, editor):
    """The demo answer withdrawn, edited and submitted again: approvable, not public."""
    publish  # noqa: B018 (the demo answer is published by its fixture)
    demo_answer.withdraw(demo_answer.live_version.reviewer, comment="Rewriting it")
    edit(demo_answer, editor, short_answer="A new summary, to go live later.")
    demo_answer.submit(editor)
    return demo_answer


def public(client, answer):
    return client.get(answer.get_absolute_url()).status_code


def test_an_approval_for_later_is_not_public_until_the_command_runs_after_it(
    client, submitted, reviewer
):
    go_live = timezone.now() + 2 * HOUR
    submitted.approve(reviewer, go_live_at=go_live)
    submitted.refresh_from_db()
    assert submitted.status == Answer.Status.SCHEDULED
    assert not Answer.objects.published().filter(pk=submitted.pk).exists()
    assert public(client, submitted) == 404

    assert schedule.run(now=go_live - datetime.timedelta(minutes=1)) == ([], [])
    assert public(client, submitted) == 404

    went_live, _ = schedule.run(now=go_live)
    assert [a.pk for a in went_live] == [submitted.pk]
    submitted.refresh_from_db()
    assert submitted.status == Answer.Status.PUBLISHED
    page = client.get(submitted.get_absolute_url()).content.decode()
    assert "A new summary, to go live later." in page
    step = submitted.transitions.first()
    assert (step.action, step.user) == ("go_live", None)  # by the system
    assert "scheduled by Dr Robin Reviewer" in step.comment


def test_a_scheduled_answer_is_in_no_sitemap_feed_or_search(client, submitted, reviewer):
    submitted.approve(reviewer, go_live_at=timezone.now() + HOUR)
    question = submitted.question
    for url in ["/sitemap.xml", "/feed/", f"/search/?q={question.text[:30]}", "/"]:
        assert question.slug not in client.get(url).content.decode(), url


def test_a_published_answer_approved_for_later_keeps_its_live_version_till_then(
    client, demo_answer, editor, second_reviewer
):
    live_text = demo_answer.live_version.short_answer
    edit(demo_answer, editor, short_answer="The update for next week.")
    demo_answer.submit(editor)
    go_live = timezone.now() + HOUR
    demo_answer.approve(second_reviewer, go_live_at=go_live, update_note="Next week's update")
    assert live_text in client.get(demo_answer.get_absolute_url()).content.decode()
    schedule.run(now=go_live + HOUR)
    page = client.get(demo_answer.get_absolute_url()).content.decode()
    assert "The update for next week." in page and "Next week&#x27;s update" in page


def test_editing_a_scheduled_answer_cancels_its_schedule(client, submitted, editor, reviewer):
    go_live = timezone.now() + HOUR
    submitted.approve(reviewer, go_live_at=go_live)
    edit(submitted, editor, short_answer="Changed after approval.")
    submitted.refresh_from_db()
    assert submitted.status == Answer.Status.DRAFT and submitted.scheduled_version is None
    assert schedule.run(now=go_live + HOUR) == ([], [])
    assert public(client, submitted) == 404


def test_sending_back_a_scheduled_answer_cancels_it(client, submitted, reviewer, second_reviewer):
    go_live = timezone.now() + HOUR
    submitted.approve(reviewer, go_live_at=go_live)
    submitted.send_back(second_reviewer, comment="Hold it: a new trial is out.")
    assert schedule.run(now=go_live + HOUR) == ([], [])
    assert public(client, submitted) == 404


@pytest.mark.parametrize(
    "go_live, expires, message",
    [
        (-HOUR, None, "The go-live time has passed"),
        (None, -HOUR, "The expiry time must come after the answer goes live."),
        (2 * HOUR, HOUR, "must come after the answer goes live (the go-live time)"),
    ],
)
def test_times_in_the_past_or_out_of_order_are_refused(
    submitted, reviewer, go_live, expires, message
):
    now = timezone.now()
    with pytest.raises(TransitionError, match=message.replace("(", r"\(").replace(")", r"\)")):
        submitted.approve(
            reviewer,
            go_live_at=go_live and now + go_live,
            expires_at=expires and now + expires,
        )
    submitted.refresh_from_db()
    assert submitted.status == Answer.Status.IN_REVIEW


def test_an_expiry_takes_the_answer_down_when_the_command_runs_after_it(
    client, demo_answer, editor, second_reviewer
):
    edit(demo_answer, editor, short_answer="Valid until the new guideline.")
    demo_answer.submit(editor)
    expires = timezone.now() + HOUR
    demo_answer.approve(second_reviewer, expires_at=expires)
    assert public(client, demo_answer) == 200
    assert schedule.run(now=expires - datetime.timedelta(minutes=1)) == ([], [])
    assert public(client, demo_answer) == 200
    _, expired = schedule.run(now=expires)
    assert [a.pk for a in expired] == [demo_answer.pk]
    assert public(client, demo_answer) == 404
    demo_answer.refresh_from_db()
    assert demo_answer.status == Answer.Status.WITHDRAWN
    step = demo_answer.transitions.first()
    assert (step.action, step.user) == ("expire", None)
    assert "expiry time Dr Sam Second set" not in step.comment  # the person, by name
    assert "Sam Second" in step.comment


def test_the_command_reports_what_it_did(submitted, reviewer, capsys):
    submitted.approve(reviewer, go_live_at=timezone.now() + HOUR)
    call_command("run_schedule")
    assert capsys.readouterr().out.strip().endswith("0 went live, 0 expired.")


@pytest.mark.django_db(transaction=True)  # committed, for the command's own process
def test_run_schedule_every_keeps_running_and_puts_an_approval_live_when_its_time_comes(
    submitted, reviewer, settings
):
    """`make run` starts `run_schedule --every 60` beside the server: here a real process,
    every second, and an approval due a few seconds after it started."""
    go_live = timezone.now() + datetime.timedelta(seconds=4)
    submitted.approve(reviewer, go_live_at=go_live)
    environment = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": database_url(connection.settings_dict),
        "PAGE_CACHE_DIR": settings.PAGE_CACHE_DIR,  # this run's, not the developer's
        # Its lines reach the pipe as written: a terminated process flushes nothing.
        "PYTHONUNBUFFERED": "1",
    }
    command = [sys.executable, "manage.py", "run_schedule", "--every", "1"]
    process = subprocess.Popen(
        command, cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while submitted.status == Answer.Status.SCHEDULED and time.monotonic() < deadline:
            assert process.poll() is None, process.communicate()
            time.sleep(0.2)
            submitted.refresh_from_db()
        assert timezone.now() >= go_live
        assert submitted.status == Answer.Status.PUBLISHED
        assert submitted.live_version.go_live_at == go_live
        step = submitted.transitions.first()
        assert (step.action, step.user) == ("go_live", None)
        assert process.poll() is None  # still running, for the next one
    finally:
        process.terminate()
        out, err = process.communicate(timeout=10)
    assert out.splitlines() == [
        "Taking scheduled go-live and expiry steps every 1 s until stopped.",
        f"live     {submitted.question.text}",
    ]
    assert err == ""


def test_run_schedule_refuses_an_interval_under_a_second():
    with pytest.raises(CommandError, match="at least 1"):
        call_command("run_schedule", every=0)


def test_the_approve_form_reads_the_time_in_the_zone_it_names(client, submitted, reviewer):
    client.force_login(reviewer)
    url = reverse("admin:answers_answer_transition", args=[submitted.pk, "approve"])
    later = timezone.now().astimezone(zoneinfo.ZoneInfo("America/New_York")) + 3 * HOUR
    response = client.post(
        url,
        {
            "version": submitted.version,
            "go_live_at": later.strftime("%Y-%m-%dT%H:%M"),
            "time_zone": "America/New_York",
        },
        follow=True,
    )
    submitted.refresh_from_db()
    assert submitted.scheduled_version.go_live_at == later.replace(second=0, microsecond=0)
    assert "Approved. The answer goes live at" in response.content.decode()


def test_an_unreadable_time_is_refused_and_what_was_typed_is_kept(client, submitted, reviewer):
    client.force_login(reviewer)
    url = reverse("admin:answers_answer_transition", args=[submitted.pk, "approve"])
    page = client.post(
        url,
        {"version": submitted.version, "go_live_at": "next tuesday", "comment": "Looks good"},
    ).content.decode()
    assert "The go-live time “next tuesday” is not a date and time" in page
    assert "Looks good" in page
    submitted.refresh_from_db()
    assert submitted.status == Answer.Status.IN_REVIEW


def test_staff_preview_says_when_it_is_scheduled(client, submitted, reviewer, editor):
    submitted.approve(reviewer, go_live_at=timezone.now() + HOUR)
    client.force_login(editor)
    assert "Scheduled for " in client.get(submitted.get_preview_url()).content.decode()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_reviewer_schedules_an_approval_in_the_form(page, live_server, submitted, reviewer):
    sign_in(page, live_server, reviewer)
    page.goto(f"{live_server.url}/admin/answers/answer/{submitted.pk}/change/")
    page.click("text=Approve and publish…")
    later = timezone.now().astimezone(zoneinfo.ZoneInfo("Europe/London")) + 2 * HOUR
    page.fill("#id_go_live_at", later.strftime("%Y-%m-%dT%H:%M"))
    page.select_option("#id_time_zone", "Europe/London")
    page.click("input.default[type=submit]")
    expect(page.locator(".messagelist")).to_contain_text("Approved. The answer goes live at")
    expect(page.locator(".workflow")).to_contain_text("Scheduled for")
    expect(page.locator("#workflow-title")).to_have_text("Status: Approved, scheduled")
    assert page.request.get(live_server.url + submitted.get_absolute_url()).status == 404
