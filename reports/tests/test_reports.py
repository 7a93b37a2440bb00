"""Patient reports: the form on its own page, what it refuses, what it keeps, and what the
editorial team does with a report."""

from html import unescape

import pytest
from django.core.cache.backends.locmem import LocMemCache
from django.core.management import call_command
from django.urls import reverse

from desk.models import ReviewQueue
from reports.models import Report

pytestmark = pytest.mark.django_db

VALID = {"kind": "factual_error", "text": "The trial had 12 patients, not 10.", "email": ""}


def report_url(answer):
    return reverse("reports:report", args=[answer.question.slug])


def send(client, answer, **fields):
    return client.post(report_url(answer), {**VALID, **fields})


def text_of(response):
    return unescape(response.content.decode())


def test_the_answer_page_links_to_the_form_and_stays_publicly_cacheable(client, demo_answer):
    response = client.get(demo_answer.get_absolute_url())
    page = response.content.decode()
    assert f'href="{report_url(demo_answer)}">Report a problem with this answer</a>' in page
    assert "csrfmiddlewaretoken" not in page
    assert "public" in response["Cache-Control"]
    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "")


def test_the_form_page_is_never_cached_and_names_the_answer(client, demo_answer):
    response = client.get(report_url(demo_answer))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    page = text_of(response)
    assert "Report a problem with this answer" in page
    assert f"“{demo_answer.question.text}”" in page
    for choice in ["A factual error", "Out of date", "A broken link", "Hard to understand"]:
        assert choice in page
    assert '<meta name="robots" content="noindex">' in page


def test_only_published_answers_take_reports(client, demo_answer, reviewer):
    assert client.get("/ask/no-such-answer/report/").status_code == 404
    demo_answer.withdraw(reviewer, comment="Safety review")
    assert client.get(report_url(demo_answer)).status_code == 404
    assert send(client, demo_answer).status_code == 404
    assert not Report.objects.exists()


def test_a_report_is_kept_with_the_version_read_and_the_patient_is_thanked(client, demo_answer):
    response = send(client, demo_answer, email="pat@example.org", text="Line one\r\nLine two")
    thanks = reverse("reports:thanks", args=[demo_answer.question.slug])
    assert response.status_code == 302 and response["Location"] == thanks
    report = Report.objects.get()
    assert (report.answer, report.version) == (demo_answer, demo_answer.live_version)
    assert (report.kind, report.status) == (Report.Kind.FACTUAL_ERROR, Report.Status.NEW)
    assert (report.text, report.email) == ("Line one\nLine two", "pat@example.org")
    page = client.get(thanks)
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    assert "Thank you for your report" in text_of(page)
    assert f'href="{demo_answer.get_absolute_url()}">Back to the answer' in page.content.decode()


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"kind": ""}, "Choose what is wrong with the answer."),
        ({"kind": "sabotage"}, "Select a valid choice."),
        ({"text": "   \r\n  "}, "Tell us what is wrong, in a few words."),
        ({"email": "pat@"}, "This email address looks incomplete"),
        ({"text": "Wrong dose\x01 here"}, "cannot be shown on a page (U+0001)"),
        ({"text": "Wrong \u202edose"}, "changes the direction of the text (U+202E)"),
        ({"text": "x" * 2001}, "Please keep it to 2,000 characters: this is 2,001."),
    ],
    ids=[
        "no-kind", "unknown-kind", "blank", "bad-email", "control-character", "bidi-override",
        "too-long",
    ],
)  # fmt: skip
def test_bad_input_gets_a_clear_message_and_keeps_what_was_typed(
    client, demo_answer, fields, message
):
    typed = {**VALID, "email": "pat@example.org", **fields}
    response = client.post(report_url(demo_answer), typed)
    assert response.status_code == 400
    page = text_of(response)
    assert "Your report was not sent yet." in page and message in page
    if typed["text"].strip():
        assert f">\n{typed['text']}</textarea>" in page
    assert f'value="{typed["email"]}"' in page
    assert not Report.objects.exists()


def test_an_empty_post_is_told_what_is_missing(client, demo_answer):
    response = client.post(report_url(demo_answer), {})
    assert response.status_code == 400
    assert "Choose what is wrong with the answer." in text_of(response)


def test_two_thousand_characters_with_line_breaks_as_a_browser_sends_them_fit(client, demo_answer):
    text = "\r\n".join(["x" * 99] * 20)  # 1,999 characters once line endings are one each
    assert send(client, demo_answer, text=text).status_code == 302
    assert len(Report.objects.get().text) == 1999


def test_markup_stays_text_for_the_team(client, demo_answer, reviewer):
    hostile = '<script>alert("x")</script> <a href="https://spam.example">cheap pills</a>'
    send(client, demo_answer, text=hostile)
    report = Report.objects.get()
    assert report.text == hostile  # kept as written: it is the patient's report
    client.force_login(reviewer)
    for url in [
        reverse("admin:reports_report_change", args=[report.pk]),
        reverse("admin:reports_report_changelist"),
    ]:
        page = client.get(url).content.decode()
        assert "<script>alert" not in page and 'href="https://spam.example"' not in page
    assert (
        "&lt;script&gt;alert"
        in client.get(reverse("admin:reports_report_change", args=[report.pk])).content.decode()
    )


def test_the_honeypot_thanks_a_bot_and_keeps_nothing(client, demo_answer):
    form = client.get(report_url(demo_answer)).content.decode()
    hidden = form[form.index('<div class="hp">') :]
    assert 'name="website"' in hidden[: hidden.index("</div>\n  <button")]
    response = send(client, demo_answer, website="https://spam.example")
    assert response.status_code == 302
    assert not Report.objects.exists()


def test_a_client_is_limited_and_keeps_what_it_typed(client, demo_answer, settings):
    settings.REPORTS_RATE_LIMIT = "2/m"
    assert [send(client, demo_answer).status_code for _ in range(2)] == [302, 302]
    response = send(client, demo_answer, text="A third report, kept in the form.")
    assert response.status_code == 429
    page = text_of(response)
    assert "You have sent several reports in a short time." in page
    assert "try again in 1 minute" in page
    assert "A third report, kept in the form." in page
    assert Report.objects.count() == 2
    # Someone else, behind the same proxies, is not.
    other = client.post(report_url(demo_answer), VALID, HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert other.status_code == 302


def test_a_client_cannot_escape_the_limit_by_writing_its_own_forwarded_for(
    client, demo_answer, settings
):
    """Behind nginx and Varnish, the client's own X-Forwarded-For is on the left of what
    the proxies append: only the rightmost address a trusted proxy wrote counts."""
    settings.REPORTS_RATE_LIMIT = "2/m"
    statuses = [
        client.post(
            report_url(demo_answer),
            VALID,
            HTTP_X_FORWARDED_FOR=f"10.9.9.{n}, 198.51.100.7",  # forged, then nginx's
        ).status_code
        for n in range(3)
    ]
    assert statuses == [302, 302, 429]


def test_invalid_posts_do_not_count_against_a_patient(client, demo_answer, settings):
    settings.REPORTS_RATE_LIMIT = "2/m"
    for _ in range(3):
        assert send(client, demo_answer, kind="").status_code == 400
    assert send(client, demo_answer).status_code == 302


def test_a_factual_or_outdated_report_puts_the_answer_in_the_reviewers_queue(
    client, demo_answer, reviewer
):
    assert not ReviewQueue.objects.needing_review().exists()
    send(client, demo_answer, kind="broken_link")
    send(client, demo_answer, kind="hard_to_understand")
    assert not ReviewQueue.objects.needing_review().exists()  # editors handle those
    send(client, demo_answer, kind="out_of_date")
    assert list(ReviewQueue.objects.needing_review()) == [demo_answer]
    client.force_login(reviewer)
    queue = client.get(reverse("admin:desk_reviewqueue_changelist")).content.decode()
    listed = demo_answer.question.text[:40]  # the list shortens long questions
    assert listed in queue
    assert "3 open reports" in queue and "(1 wrong or out of date)" in queue
    reported = client.get(reverse("admin:desk_reviewqueue_changelist") + "?review=reported")
    assert reported.status_code == 200 and listed in reported.content.decode()
    # The same filter of Admin → Answers (an AnswerQuerySet, not the queue's).
    answers = client.get(reverse("admin:answers_answer_changelist") + "?review=reported")
    assert answers.status_code == 200 and "1 answer" in answers.content.decode()
    overdue = client.get(reverse("admin:desk_reviewqueue_changelist") + "?review=overdue")
    assert overdue.status_code == 200 and listed not in overdue.content.decode()
    Report.objects.filter(kind="out_of_date").update(status=Report.Status.RESOLVED)
    assert not ReviewQueue.objects.needing_review().exists()
    answers = client.get(reverse("admin:answers_answer_changelist") + "?review=reported")
    assert "0 answers" in answers.content.decode()


def change(client, report, **fields):
    data = {"status": report.status, "handled_by": "", "note": "", "change_reason": ""}
    return client.post(reverse("admin:reports_report_change", args=[report.pk]), {**data, **fields})


def test_a_report_is_handled_as_a_task(client, demo_answer, editor, reviewer):
    send(client, demo_answer, email="pat@example.org")
    report = Report.objects.get()
    client.force_login(editor)  # editors take reports on too
    page = text_of(client.get(reverse("admin:reports_report_change", args=[report.pk])))
    assert VALID["text"] in page and 'href="mailto:pat@example.org"' in page
    assert f"Approved {demo_answer.live_version.approved_at:%-d %B %Y}" in page
    # Taking it on names who handles it.
    assert change(client, report, status="in_progress").status_code == 302
    report.refresh_from_db()
    assert (report.status, report.handled_by) == ("in_progress", editor)
    # Closing it needs a note: what was found and done.
    client.force_login(reviewer)
    refused = change(client, report, status="resolved", handled_by=editor.pk)
    assert refused.status_code == 200
    assert "Say what was found and done" in text_of(refused)
    report.refresh_from_db()
    assert report.status == "in_progress"
    done = change(client, report, status="resolved", handled_by=editor.pk, note="Corrected to 12.")
    assert done.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.note, report.handled_by) == (
        "resolved",
        "Corrected to 12.",
        editor,
    )
    assert [h.status for h in report.history.order_by("history_id")] == [
        "new", "in_progress", "resolved",
    ]  # fmt: skip


def test_only_a_medical_reviewer_closes_a_report_of_an_error(client, demo_answer, editor, reviewer):
    send(client, demo_answer, kind="factual_error")
    send(client, demo_answer, kind="broken_link")
    error, link = Report.objects.get(kind="factual_error"), Report.objects.get(kind="broken_link")
    client.force_login(editor)
    refused = change(client, error, status="declined", note="Looks right to me.")
    assert refused.status_code == 200
    assert "Only a medical reviewer can resolve or decline" in text_of(refused)
    assert list(ReviewQueue.objects.needing_review()) == [demo_answer]  # still in the queue
    assert (
        change(client, error, status="in_progress", note="Checked: see ref 2.").status_code == 302
    )
    assert change(client, link, status="resolved", note="Fixed the DOI.").status_code == 302
    client.force_login(reviewer)
    error.refresh_from_db()
    assert change(client, error, status="declined", note="The text is right.").status_code == 302
    assert not ReviewQueue.objects.needing_review().exists()


def test_the_reply_link_cannot_add_recipients(client, demo_answer, reviewer):
    hostile = "pat%40example.net?bcc=spy%40evil.example&x=@example.org"
    send(client, demo_answer, email=hostile)
    report = Report.objects.get()
    client.force_login(reviewer)
    page = client.get(reverse("admin:reports_report_change", args=[report.pk])).content.decode()
    assert 'href="mailto:pat%40example.net?bcc' not in page
    assert (
        'href="mailto:pat%2540example.net%3Fbcc%3Dspy%2540evil.example%26x%3D@example.org"' in page
    )


def test_a_count_that_fails_limits_nobody(client, demo_answer, settings):
    """A count lost between add and incr (a file culled, a key expired) raises in the
    cache: the patient's report is still taken."""
    settings.CACHES = {
        **settings.CACHES,
        "ratelimit": {"BACKEND": "reports.tests.test_reports.CountFailsCache"},
    }
    settings.REPORTS_RATE_LIMIT = "1/m"
    assert [send(client, demo_answer).status_code for _ in range(3)] == [302] * 3


class CountFailsCache(LocMemCache):
    def __init__(self, location, params):
        super().__init__("count-fails", params)

    def add(self, *args, **kwargs):
        return False  # as if another worker had counted first

    def incr(self, *args, **kwargs):
        raise ValueError("Key not found.")  # and the count then vanished


def test_reports_cannot_be_added_in_the_admin(client, reviewer):
    client.force_login(reviewer)
    assert client.get(reverse("admin:reports_report_add")).status_code == 403


def test_the_state_filter_opens_on_what_is_left_to_do(client, demo_answer, reviewer):
    send(client, demo_answer, kind="other", text="Open one")
    send(client, demo_answer, kind="other", text="Closed one")
    Report.objects.filter(text="Closed one").update(status="declined", note="Not an error.")
    client.force_login(reviewer)
    listed = client.get(reverse("admin:reports_report_changelist") + "?state=open")
    assert "Open one" in text_of(listed) and "Closed one" not in text_of(listed)


def test_the_reviewers_digest_lists_answers_with_open_reports(
    client, demo_answer, reviewer, smtp_server
):
    send(client, demo_answer, kind="hard_to_understand")
    call_command("send_review_digest")
    (digest,) = smtp_server.to(reviewer.email)
    body = digest.get_content()
    assert "With open patient reports (1):" in body
    assert demo_answer.question.text in body


def test_my_work_shows_new_reports_to_reviewers_and_open_ones_to_the_writers(
    client, demo_answer, editor, reviewer
):
    send(client, demo_answer, kind="out_of_date")
    client.force_login(reviewer)
    home = text_of(client.get(reverse("admin:index")))
    start = home.index('id="work-new-reports"')
    assert (
        f"Out of date: {demo_answer.question.text}" in home[start : home.index("</section>", start)]
    )
    client.force_login(editor)
    home = text_of(client.get(reverse("admin:index")))
    start = home.index('id="work-my-reports"')
    assert (
        f"Out of date: {demo_answer.question.text}" in home[start : home.index("</section>", start)]
    )
