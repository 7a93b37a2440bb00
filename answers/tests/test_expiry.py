"""Setting when a live answer leaves the site, without a new approval: a reviewer's step,
recorded like the others, carried out by run_schedule."""

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from answers.models import Answer, TransitionError
from answers.testing import sign_in

pytestmark = pytest.mark.django_db


def url(answer):
    return reverse("admin:answers_answer_transition", args=[answer.pk, "set_expiry"])


def test_a_reviewer_sets_an_expiry_that_run_schedule_carries_out(demo_answer, reviewer):
    when = timezone.now() + datetime.timedelta(hours=2)
    demo_answer.transition("set_expiry", reviewer, "Trial results due in March.", expires_at=when)
    demo_answer.refresh_from_db()
    assert (demo_answer.expires_at, demo_answer.expiry_set_by) == (when, reviewer)
    assert demo_answer.status == Answer.Status.PUBLISHED  # nothing patients read changed
    step = demo_answer.transitions.latest("pk")
    assert (step.action, step.user, step.comment) == (
        "set_expiry",
        reviewer,
        "Trial results due in March.",
    )
    call_command("run_schedule")
    assert Answer.objects.published().filter(pk=demo_answer.pk).exists()  # not yet
    from answers import schedule

    schedule.run(when + datetime.timedelta(minutes=1))
    demo_answer.refresh_from_db()
    assert demo_answer.live_version is None and demo_answer.status == Answer.Status.WITHDRAWN
    assert demo_answer.transitions.latest("pk").action == "expire"


def test_an_expiry_can_be_cleared(demo_answer, reviewer):
    demo_answer.transition(
        "set_expiry", reviewer, expires_at=timezone.now() + datetime.timedelta(days=1)
    )
    demo_answer.transition("set_expiry", reviewer, "Still current.", expires_at=None)
    demo_answer.refresh_from_db()
    assert demo_answer.expires_at is None and demo_answer.expiry_set_by is None


def test_editors_cannot_and_the_past_is_refused(demo_answer, editor, reviewer):
    with pytest.raises(TransitionError, match="Only medical reviewers can set when"):
        demo_answer.transition(
            "set_expiry", editor, expires_at=timezone.now() + datetime.timedelta(days=1)
        )
    with pytest.raises(TransitionError, match="The expiry time must come after"):
        demo_answer.transition(
            "set_expiry", reviewer, expires_at=timezone.now() - datetime.timedelta(minutes=1)
        )
    with pytest.raises(TransitionError, match="Only an approval can be scheduled"):
        demo_answer.transition(
            "set_expiry", reviewer, go_live_at=timezone.now() + datetime.timedelta(days=1)
        )


def test_only_an_answer_on_the_site_can_get_one(demo_answer, reviewer, client):
    demo_answer.withdraw(reviewer, comment="Safety review")
    client.force_login(reviewer)
    page = client.get(url(demo_answer)).content.decode()
    assert "Only an answer that is on the site can be given a time to leave it." in page
    assert 'name="expires_at"' not in page


def test_the_form_refuses_an_unreadable_time_and_keeps_it(demo_answer, reviewer, client):
    client.force_login(reviewer)
    response = client.post(
        url(demo_answer),
        {"version": demo_answer.version, "expires_at": "soon", "time_zone": "Europe/London"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "The expiry time “soon” is not a date and time" in page
    assert 'value="soon"' in page and '<option value="Europe/London" selected>' in page
    demo_answer.refresh_from_db()
    assert demo_answer.expires_at is None


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_reviewer_sets_the_expiry_from_the_change_page(page, live_server, demo_answer, reviewer):
    sign_in(page, live_server, reviewer)
    page.goto(live_server.url + reverse("admin:answers_answer_change", args=[demo_answer.pk]))
    page.get_by_role("link", name="Set when it leaves the site…").click()
    page.get_by_label("Take down at").fill("2030-01-15T09:30")
    page.get_by_label("Time zone of this time").select_option("America/New_York")
    page.get_by_label("Comment (optional)").fill("Guidance is being rewritten.")
    page.get_by_role("button", name="Set when it leaves the site").click()
    messages = page.locator(".messagelist")
    expect(messages).to_contain_text("The answer leaves the site at 15 Jan 2030 14:30 UTC.")
    expect(page.locator("p.scheduled")).to_contain_text("Leaves the site at 15 Jan 2030 14:30 UTC")
    demo_answer.refresh_from_db()
    assert demo_answer.expires_at == datetime.datetime(2030, 1, 15, 14, 30, tzinfo=datetime.UTC)
    # The form shows the expiry set, to change or clear.
    page.get_by_role("link", name="Set when it leaves the site…").click()
    expect(page.get_by_label("Take down at")).to_have_value("2030-01-15T14:30")
    page.get_by_label("Take down at").fill("")
    page.get_by_role("button", name="Set when it leaves the site").click()
    expect(page.locator(".messagelist")).to_contain_text("No expiry")
    expect(page.locator("p.scheduled")).to_have_count(0)


def test_an_answer_with_an_approval_waiting_to_go_live_gets_its_expiry_when_live(
    demo_answer, editor, reviewer, second_reviewer
):
    from answers.tests.test_workflow import edit

    edit(demo_answer, editor, short_answer="Newer text.")
    demo_answer.submit(editor)
    demo_answer.approve(reviewer, go_live_at=timezone.now() + datetime.timedelta(days=1))
    with pytest.raises(TransitionError, match="scheduled to go live"):
        demo_answer.transition(
            "set_expiry", reviewer, expires_at=timezone.now() + datetime.timedelta(days=2)
        )


def test_an_expiry_takes_down_the_live_version_and_keeps_a_submission_in_review(
    demo_answer, editor, reviewer
):
    from answers import schedule
    from answers.tests.test_workflow import edit

    when = timezone.now() + datetime.timedelta(hours=1)
    demo_answer.transition("set_expiry", reviewer, expires_at=when)
    edit(demo_answer, editor, short_answer="A correction.")
    demo_answer.submit(editor)
    schedule.run(when + datetime.timedelta(minutes=1))
    demo_answer.refresh_from_db()
    assert demo_answer.live_version is None  # off the site
    assert demo_answer.status == Answer.Status.IN_REVIEW  # and still waiting for a reviewer
