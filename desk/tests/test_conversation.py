"""The review conversation through the desk's pages (Django's test client): the comments
panel, the approve page a reviewer decides on, a reviewer's edit in review, sharing with
an outside expert and the expert's page, and the mail each sends (a real SMTP server)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from answers import conversation
from answers.models import Answer, Comment, ReviewLink
from answers.tests.test_conversation import PASSAGE, edit
from answers.tests.test_conversation import in_review as submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_review(demo_answer, editor):
    return submitted(demo_answer, editor)


def comments_url(answer):
    return reverse("admin:answers_answer_comments", args=[answer.pk])


def expert_url(link):
    return reverse("desk:outside-review", args=[link.token])


def test_a_reviewer_comments_on_a_passage_the_editor_replies_and_resolves(
    client, demo_answer, editor, reviewer
):
    client.force_login(reviewer)
    response = client.post(
        comments_url(demo_answer),
        {"op": "comment", "section": "research", "quote": PASSAGE, "body": "Which trials?"},
        headers={"X-Requested-With": "fetch"},
    )
    assert response.status_code == 200
    panel = response.content.decode()
    assert "(1 open)" in panel and "Which trials?" in panel and PASSAGE in panel
    assert "Show in the text" in panel
    thread = Comment.objects.get()

    client.force_login(editor)
    client.post(comments_url(demo_answer), {"op": "reply", "thread": thread.pk, "body": "Two."})
    page = client.post(
        comments_url(demo_answer), {"op": "resolve", "thread": thread.pk}, follow=True
    ).content.decode()
    assert "The comment was resolved." in page
    assert "Resolved by Erin Editor" in page and "Two." in page
    assert "(1 open)" not in page


def test_a_refused_comment_comes_back_with_its_reason_and_its_text(client, demo_answer, reviewer):
    client.force_login(reviewer)
    typed = "A long and careful remark about this sentence."
    for headers in ({}, {"X-Requested-With": "fetch"}):
        response = client.post(
            comments_url(demo_answer),
            {"op": "comment", "section": "research", "quote": "words nobody wrote", "body": typed},
            headers=headers,
        )
        assert response.status_code == 400
        text = response.content.decode()
        assert "no longer in the draft" in text and typed in text
    assert not Comment.objects.exists()


def test_the_answer_list_counts_open_comments(client, demo_answer, editor, reviewer):
    conversation.start_thread(demo_answer, "research", PASSAGE, "One", user=reviewer)
    done = conversation.start_thread(demo_answer, "research", PASSAGE, "Two", user=reviewer)
    conversation.resolve(done, editor)
    client.force_login(editor)
    page = client.get(reverse("admin:answers_answer_changelist")).content.decode()
    assert f'<td class="field-open_comments"><a href="{comments_url(demo_answer)}">1</a>' in page


def test_the_approve_page_shows_the_changes_the_open_comments_and_send_back(
    client,
    in_review,
    reviewer,
    second_reviewer,
):
    conversation.start_thread(in_review, "research", PASSAGE, "Cite the trial.", user=reviewer)
    client.force_login(second_reviewer)
    page = client.get(
        reverse("admin:answers_answer_transition", args=[in_review.pk, "approve"])
    ).content.decode()
    assert "Changes since the live version" in page
    assert "<ins> Ask your neurologist.</ins>" in page
    assert "Cite the trial." in page and "1 comment is still open" in page
    assert "Send back to the editor…" in page
    assert 'value="Approve and publish"' not in page  # refused until resolved


def test_a_reviewer_who_edits_an_answer_in_review_keeps_it_there_and_the_editor_is_told(
    client,
    in_review,
    editor,
    reviewer,
    second_reviewer,
    smtp_server,
    django_capture_on_commit_callbacks,  # noqa: E501
):
    with django_capture_on_commit_callbacks(execute=True):
        edit(in_review, reviewer, short_answer=in_review.short_answer + " Reviewer's words.")
    assert in_review.status == Answer.Status.IN_REVIEW
    assert "four eyes" in in_review.refusal("approve", reviewer)
    assert in_review.refusal("approve", second_reviewer) is None
    [mail] = smtp_server.to("erin@qasite.example")
    assert mail["Subject"].startswith("Edited in review:")


def test_a_comment_mails_the_draft_editors_and_a_reply_the_thread(
    demo_answer, editor, reviewer, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        thread = conversation.start_thread(
            demo_answer, "research", PASSAGE, "Which trials?", user=reviewer
        )
    [mail] = smtp_server.to("erin@qasite.example")
    assert mail["Subject"].startswith("New comment:")
    text = mail.get_content()
    assert PASSAGE in text and "Which trials?" in text and f"#comment-{thread.pk}" in text
    with django_capture_on_commit_callbacks(execute=True):
        conversation.reply(thread, "Two, both cited.", user=editor)
    [reply] = smtp_server.to("robin@qasite.example")
    assert reply["Subject"].startswith("New reply:")


def test_a_reviewer_shares_a_draft_and_revokes_the_link(client, demo_answer, reviewer, editor):
    client.force_login(editor)
    share_url = reverse("admin:answers_answer_share", args=[demo_answer.pk])
    assert "Create the link" not in client.get(share_url).content.decode()
    client.force_login(reviewer)
    page = client.post(
        share_url, {"op": "share", "expert_name": "Dr Ada Outside", "days": "7"}, follow=True
    ).content.decode()
    link = ReviewLink.objects.get()
    assert f"http://testserver{expert_url(link)}" in page
    assert demo_answer.transitions.filter(action="share").exists()
    client.post(share_url, {"op": "revoke", "link": link.pk})
    assert ReviewLink.objects.get().state == "revoked"
    assert client.get(expert_url(link)).status_code == 410


def test_a_bad_share_form_says_why_and_keeps_what_was_typed(client, demo_answer, reviewer):
    client.force_login(reviewer)
    share_url = reverse("admin:answers_answer_share", args=[demo_answer.pk])
    for data, reason in [
        ({"expert_name": "Dr Ada", "days": "90"}, "from 1 to 30 days"),
        ({"expert_name": "Dr Ada", "days": "x"}, "number of days"),
        ({"expert_name": "Dr Ada", "days": "7", "expert_email": "not-mail"}, "not an email"),
        ({"expert_name": " ", "days": "7"}, "Name the expert"),
    ]:
        page = client.post(share_url, {"op": "share", **data}).content.decode()
        assert reason in page
        assert f'value="{data["expert_name"]}"' in page  # kept as typed
    assert not ReviewLink.objects.exists()


def test_the_experts_page_shows_the_shared_draft_privately_and_takes_comments(
    client, demo_answer, editor, reviewer
):
    link = conversation.share(demo_answer, reviewer, "Dr Ada Outside", days=7)
    edit(demo_answer, editor, short_answer="A later draft, not shared.")
    response = client.get(expert_url(link))
    assert response.status_code == 200
    assert {"private", "no-store"} <= set(response["Cache-Control"].replace(",", " ").split())
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "no-referrer"
    assert "Qasite-Cache-Control" not in response
    page = response.content.decode()
    assert "A later draft" not in page and "CAR-T cell therapy is a type" in page
    assert "/admin/" not in page  # no way into the desk

    posted = client.post(
        expert_url(link),
        {"op": "comment", "section": "research", "quote": PASSAGE, "body": "Small series."},
    )
    assert posted.status_code == 302 and posted.url == expert_url(link) + "#comments"
    thread = Comment.objects.get()
    assert thread.expert == link and thread.author is None
    assert thread.by == "Dr Ada Outside (outside expert)"


def test_the_experts_page_shows_only_their_own_comments(client, demo_answer, reviewer):
    conversation.start_thread(demo_answer, "research", PASSAGE, "A team-only remark", user=reviewer)
    link = conversation.share(demo_answer, reviewer, "Dr Ada Outside", days=7)
    assert "A team-only remark" not in client.get(expert_url(link)).content.decode()


def test_a_link_expired_tampered_or_for_nothing_shows_nothing_of_the_draft(
    client, demo_answer, reviewer
):
    link = conversation.share(demo_answer, reviewer, "Dr Ada Outside", days=7)
    ReviewLink.objects.filter(pk=link.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    for url in (expert_url(link), expert_url(link)[:-3] + "xx/", "/review/1/"):
        response = client.get(url)
        assert response.status_code == 410
        assert "CAR-T cell therapy is a type" not in response.content.decode()
    expired = client.post(
        expert_url(link), {"op": "comment", "section": "research", "quote": "", "body": "Hi"}
    )
    assert expired.status_code == 410 and not Comment.objects.exists()


def test_script_in_a_comment_is_shown_as_text_everywhere(client, demo_answer, editor, reviewer):
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    # A passage with markup in it: the editor's text may hold it, and the panel quotes it.
    edit(demo_answer, editor, research=demo_answer.research + '\n\nA <b onclick="x">bold</b> [9]')
    thread = conversation.start_thread(
        demo_answer, "research", '<b onclick="x">bold</b>', hostile, user=reviewer
    )
    link = conversation.share(demo_answer, reviewer, '<b onmouseover="x">Ada</b>', days=7)
    conversation.reply(thread, hostile, user=editor)
    client.force_login(editor)
    pages = [
        client.get(reverse("admin:answers_answer_change", args=[demo_answer.pk])),
        client.get(comments_url(demo_answer)),
        client.get(demo_answer.get_preview_url()),
    ]
    client.logout()
    conversation.start_thread(demo_answer, "research", PASSAGE, hostile, link=link)
    pages.append(client.get(expert_url(link)))
    for response in pages:
        page = response.content.decode()
        assert response.status_code == 200
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
        assert '<b onclick="x">' not in page and '<b onmouseover="x">' not in page
    assert 'data-quote="&lt;b onclick=&quot;x&quot;&gt;bold&lt;/b&gt;"' in pages[1].content.decode()
    # The expert's name, on their page.
    assert (
        "you, &lt;b onmouseover=&quot;x&quot;&gt;Ada&lt;/b&gt;, to read it"
        in pages[3].content.decode()
    )


def test_sharing_with_an_address_mails_the_expert_the_link(
    demo_answer, reviewer, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        link = conversation.share(
            demo_answer, reviewer, "Dr Ada Outside", days=7, expert_email="ada@example.org"
        )
    [mail] = smtp_server.to("ada@example.org")
    assert mail["Subject"] == f"Please review: {demo_answer.question.text}"
    assert f"http://127.0.0.1:8000{expert_url(link)}" in mail.get_content()


def test_every_comment_is_listed_read_only_with_its_history(client, demo_answer, editor, reviewer):
    thread = conversation.start_thread(demo_answer, "research", PASSAGE, "Which?", user=reviewer)
    conversation.resolve(thread, editor)
    conversation.resolve(thread, reviewer, resolved=False)
    client.force_login(editor)
    listed = client.get(reverse("admin:answers_comment_changelist")).content.decode()
    assert f'{comments_url(demo_answer)}#comment-{thread.pk}">Open</a>' in listed
    assert "Robin Reviewer" in listed
    history = client.get(reverse("admin:answers_comment_history", args=[thread.pk]))
    assert history.status_code == 200
    rows = [
        (record.history_user, record.resolved_by)
        for record in reversed(history.context["page_obj"].object_list)
    ]
    assert rows == [(None, None), (editor, editor), (reviewer, None)]
    assert client.post(reverse("admin:answers_comment_change", args=[thread.pk])).status_code == 403


def test_a_refused_approval_keeps_its_form_and_what_was_typed(
    client, in_review, reviewer, second_reviewer
):
    client.force_login(second_reviewer)
    url = reverse("admin:answers_answer_transition", args=[in_review.pk, "approve"])
    assert 'value="Approve and publish"' in client.get(url).content.decode()
    # A comment arrives while the reviewer writes their approval.
    conversation.start_thread(in_review, "research", PASSAGE, "Wait: one more", user=reviewer)
    typed = {"comment": "Checked every source.", "update_note": "Added the 2025 trial"}
    page = client.post(url, {**typed, "version": in_review.version}).content.decode()
    assert "1 comment is still open" in page and "Wait: one more" in page
    assert "Checked every source.</textarea>" in page
    assert 'value="Added the 2025 trial"' in page


def changes_to_approve(client, in_review, editor, reviewer, number, title):
    """The approve page's "Changes since the live version" after the editor retitled the
    source of citation `number`, submitted the answer, and `reviewer` opened it."""
    source = in_review.citations.get(number=number).source
    source.title = title
    source._history_user = editor
    source.save()
    Answer.objects.sharing(source).record_shared_edit(editor, "Corrected the title")
    in_review.refresh_from_db()
    in_review.submit(editor)
    client.force_login(reviewer)
    page = client.get(
        reverse("admin:answers_answer_transition", args=[in_review.pk, "approve"])
    ).content.decode()
    return page.split("Changes since the live version")[1].split("</section>")[0]


def test_the_approve_page_shows_a_changed_source_as_patients_would_read_it(
    client, in_review, editor, second_reviewer
):
    section = changes_to_approve(
        client, in_review, editor, second_reviewer, 10, "A corrected title of the phase 1 trial"
    )
    assert "<h2>References</h2>" in section
    assert "<del>Anti-BCMA</del><ins>A</ins> <del>CAR-T</del><ins>corrected</ins>" in section


def test_a_reference_with_an_ampersand_reads_once_escaped_in_the_diff_and_the_audit(
    client, in_review, editor, reviewer, second_reviewer
):
    section = changes_to_approve(
        client, in_review, editor, second_reviewer, 9,
        "CAR T-cell therapy in autoimmune & rheumatic diseases",
    )  # fmt: skip
    approve = reverse("admin:answers_answer_transition", args=[in_review.pk, "approve"])
    assert "autoimmune <ins>&amp; rheumatic </ins>diseases" in section
    assert "&amp;amp;" not in section
    client.post(approve, {"comment": "Checked.", "version": in_review.version})
    in_review.refresh_from_db()
    record = client.get(
        reverse("admin:answers_publishedversion_json", args=[in_review.live_version.pk])
    ).json()
    [lancet] = [s["reference"] for s in record["sources"] if s["number"] == 9]
    assert "autoimmune & rheumatic diseases. Lancet." in lancet


def test_only_the_reviewer_who_made_a_link_sees_its_address(
    client, demo_answer, reviewer, second_reviewer
):
    link = conversation.share(demo_answer, reviewer, "Dr Ada Outside", days=7)
    share_url = reverse("admin:answers_answer_share", args=[demo_answer.pk])
    client.force_login(second_reviewer)
    page = client.get(share_url).content.decode()
    assert link.token not in page and "Only Robin Reviewer sees it" in page
    client.force_login(reviewer)
    assert link.token in client.get(share_url).content.decode()
