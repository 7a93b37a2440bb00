"""Staff preview of drafts, review expiry: the due list, the command, the public label."""

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse

from answers.models import Answer

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft_change(demo_answer, editor):
    demo_answer.short_answer = "A draft sentence patients must not see yet."
    demo_answer._history_user = editor
    demo_answer.save()
    demo_answer.record_edit(editor)
    return demo_answer


def test_staff_preview_shows_the_draft_with_a_banner_noindex_and_no_cache(
    client, editor, draft_change
):
    client.force_login(editor)
    response = client.get(draft_change.get_preview_url())
    page = response.content.decode()
    assert "Draft preview — not visible to patients." in page
    assert "A draft sentence patients must not see yet." in page
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-cache" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert "A draft sentence" not in client.get(draft_change.get_absolute_url()).content.decode()


def test_preview_of_a_never_reviewed_answer_says_so(client, reviewer, draft_change):
    client.force_login(reviewer)
    assert (
        "Not yet medically reviewed" in client.get(draft_change.get_preview_url()).content.decode()
    )


@pytest.mark.parametrize("who", ["anonymous", "visitor", "other_staff"])
def test_preview_is_not_found_for_anyone_else(client, request, who, draft_change):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    response = client.get(draft_change.get_preview_url())
    assert response.status_code == 404
    assert b"A draft sentence" not in response.content


def age_review(answer, days_ago_due):
    version = answer.live_version
    version.next_review_due = datetime.date.today() - datetime.timedelta(days=days_ago_due)
    version.save()


def test_overdue_answer_is_labelled_on_its_public_page(client, demo_answer, monkeypatch):
    url = demo_answer.get_absolute_url()
    assert "due for a new medical review" not in client.get(url).content.decode()
    # Time passes: the cached page of the day the review was on time is not served again.
    overdue_day = demo_answer.live_version.next_review_due + datetime.timedelta(days=3)
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args: overdue_day)
    # The page cache's clock too: it reads the date once a day (delivery/page_cache.py).
    monkeypatch.setattr("delivery.page_cache.today", lambda: overdue_day.isoformat())
    page = client.get(url).content.decode()
    assert "This answer is due for a new medical review" in page


def test_reviewed_by_line_names_reviewer_credentials_and_dates(client, demo_answer):
    page = client.get(demo_answer.get_absolute_url()).content.decode()
    today = datetime.date.today()
    assert "Medically reviewed by Dr Robin Reviewer, MD, PhD" in page
    assert f'<time datetime="{today:%Y-%m-%d}">' in page
    assert f'<dt>Next review due</dt><dd><time datetime="{today.year + 1}-' in page
    assert f'<dt>First published</dt><dd><time datetime="{today:%Y-%m-%d}">' in page


def test_review_interval_is_a_setting(settings, demo_answer, second_reviewer):
    settings.REVIEW_INTERVAL_MONTHS = 6
    demo_answer.transition("approve", second_reviewer)
    assert (demo_answer.live_version.next_review_due - datetime.date.today()).days in range(
        180, 186
    )


def test_due_and_overdue_lists(demo_answer):
    assert not Answer.objects.due_for_review().exists()
    age_review(demo_answer, -10)  # due in 10 days
    assert list(Answer.objects.due_for_review()) == [demo_answer]
    assert not Answer.objects.overdue().exists()
    age_review(demo_answer, 1)
    assert list(Answer.objects.overdue()) == [demo_answer]


def test_reviewers_have_an_admin_list_of_answers_due(client, reviewer, demo_answer):
    client.force_login(reviewer)
    url = reverse("admin:desk_reviewqueue_changelist")
    assert "0 answers in the review queue" in client.get(url).content.decode()
    age_review(demo_answer, 2)
    page = client.get(url).content.decode()
    assert "Are CAR-T cell therapies" in page and "1 answer in the review queue" in page
    filtered = client.get(reverse("admin:answers_answer_changelist"), {"review": "overdue"})
    assert "Overdue since" in filtered.content.decode()


def test_check_reviews_due_exits_non_zero_when_overdue(demo_answer, capsys):
    call_command("check_reviews_due")
    assert "0 overdue, 0 due within 30 days." in capsys.readouterr().out
    age_review(demo_answer, 5)
    with pytest.raises(SystemExit) as exit_info:
        call_command("check_reviews_due")
    assert exit_info.value.code == 1
    out = capsys.readouterr().out
    assert "OVERDUE" in out and "Are CAR-T cell therapies" in out and "1 overdue" in out
