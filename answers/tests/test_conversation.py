"""The review conversation in the domain: a comment keeps to its passage while the text
around it is edited, an open comment stops the approval, the audit record keeps what was
said, and a review link shows what was shared and nothing else."""

import datetime

import pytest
from django.utils import timezone

from answers import conversation
from answers.models import Answer, Comment, ReviewLink, TransitionError
from answers.testing import committed

pytestmark = pytest.mark.django_db

PASSAGE = "CAR-T cells targeting the CD19 antigen have induced complete remission"


def edit(answer, user, **fields):
    for name, value in fields.items():
        setattr(answer, name, value)
    answer._history_user = user
    answer.save()
    answer.record_edit(user)
    return answer


def in_review(answer, editor):
    """The demo answer with a new draft submitted for review."""
    edit(answer, editor, short_answer=answer.short_answer + " Ask your neurologist.")
    with committed():
        answer.transition("submit", editor)
    return answer


def test_a_comment_follows_its_passage_as_the_text_around_it_is_edited(
    demo_answer, editor, reviewer
):
    thread = conversation.start_thread(
        demo_answer, "research", PASSAGE, "Say which lupus trials.", user=reviewer
    )
    _, start, end = thread.locate()
    assert demo_answer.research[start:end] == PASSAGE

    edit(demo_answer, editor, research="A new opening sentence.\n\n" + demo_answer.research)
    text, start, end = Comment.objects.get(pk=thread.pk).locate(demo_answer)
    assert text[start:end] == PASSAGE
    assert start > 20  # found where it moved to, not where it was

    edit(demo_answer, editor, research=demo_answer.research.replace(PASSAGE, "CAR-T cells did"))
    assert Comment.objects.get(pk=thread.pk).locate(demo_answer) is None


def test_of_two_places_the_comment_keeps_to_the_one_selected(demo_answer, editor, reviewer):
    edit(demo_answer, editor, short_answer="It may help. Trials are small. It may help.")
    second = conversation.start_thread(
        demo_answer, "short_answer", "It may help.", "Too sure?", user=reviewer,
        prefix="Trials are small.", suffix="",
    )  # fmt: skip
    text, start, _ = second.locate()
    assert start == text.rindex("It may help.")


def test_a_passage_selected_on_the_page_is_found_in_the_words_patients_read(demo_answer, reviewer):
    # On the page the marker's number is not there: the Markdown says "for MS [9]. A".
    across_a_marker = "explored for MS. A 2025 phase 1 trial"
    assert across_a_marker not in " ".join(demo_answer.research.split())
    thread = conversation.start_thread(
        demo_answer, "research", across_a_marker, "Source?", user=reviewer
    )
    text, start, end = thread.locate()
    assert text[start:end] == across_a_marker
    # Two questions to ask, read apart as the page shows them.
    across_items = "might be eligible for? What are the known risks"
    assert conversation.start_thread(
        demo_answer, "doctor_questions", across_items, "Split?", user=reviewer
    ).locate()


def test_a_passage_that_is_not_in_the_draft_is_refused_and_nothing_is_kept(demo_answer, reviewer):
    with pytest.raises(TransitionError, match="no longer in the draft"):
        conversation.start_thread(
            demo_answer, "research", "words nobody wrote", "A comment", user=reviewer
        )
    assert not Comment.objects.exists()


def test_an_open_comment_stops_the_approval_until_it_is_resolved(
    demo_answer, editor, reviewer, second_reviewer
):
    in_review(demo_answer, editor)
    thread = conversation.start_thread(
        demo_answer, "research", PASSAGE, "Which trials?", user=second_reviewer
    )
    conversation.reply(thread, "Two, both cited as [9].", user=editor)
    assert "1 comment is still open" in demo_answer.refusal("approve", reviewer)
    with pytest.raises(TransitionError, match="still open"):
        demo_answer.approve(reviewer)

    conversation.resolve(thread, reviewer)
    with committed():
        demo_answer.approve(reviewer)
    assert demo_answer.status == Answer.Status.PUBLISHED


def test_the_audit_record_of_an_approval_keeps_the_conversation_held_since_the_last(
    demo_answer, editor, reviewer, second_reviewer
):
    old = conversation.start_thread(demo_answer, "research", PASSAGE, "Old remark", user=reviewer)
    conversation.resolve(old, editor)
    in_review(demo_answer, editor)
    with committed():
        demo_answer.approve(second_reviewer)  # an approval after the old remark
    in_review(demo_answer, editor)
    link = conversation.share(demo_answer, reviewer, "Dr Ada Outside", days=7)
    thread = conversation.start_thread(
        demo_answer, "research", PASSAGE, "Cite the lupus series.", link=link
    )
    conversation.reply(thread, "Added.", user=editor)
    conversation.resolve(thread, editor)
    with committed():
        demo_answer.approve(reviewer)

    record = demo_answer.live_version.audit_record()["conversation"]
    [said] = record["comments"]
    assert said["by"] == "Dr Ada Outside (outside expert)"
    assert said["quote"] == PASSAGE and said["comment"] == "Cite the lupus series."
    assert said["replies"] == [
        {"by": "Erin Editor", "at": said["replies"][0]["at"], "comment": "Added."}
    ]
    assert said["resolved_by"] == "Erin Editor"
    assert [shared["expert"] for shared in record["shared_with"]] == ["Dr Ada Outside"]
    assert demo_answer.transitions.filter(action="share").exists()


def test_a_resolved_comment_keeps_its_history(demo_answer, editor, reviewer):
    thread = conversation.start_thread(demo_answer, "research", PASSAGE, "Why?", user=reviewer)
    conversation.resolve(thread, editor)
    conversation.resolve(thread, reviewer, resolved=False)
    states = [
        (h.history_user, h.resolved_at is not None) for h in thread.history.order_by("history_id")
    ]
    assert states == [(None, False), (editor, True), (reviewer, False)]


def test_a_review_link_shows_the_draft_shared_not_a_later_one(demo_answer, editor, reviewer):
    link = conversation.share(demo_answer, reviewer, "Dr Ada Outside", days=7)
    shared = demo_answer.short_answer
    edit(demo_answer, editor, short_answer="A later draft, not shared.")
    assert ReviewLink.objects.get(pk=link.pk).shows()["short_answer"] == shared

    link.follows_later_drafts = True
    assert link.shows()["short_answer"] == "A later draft, not shared."


def test_a_review_link_is_signed_expires_and_can_be_revoked(demo_answer, reviewer):
    link = conversation.share(demo_answer, reviewer, "Dr Ada Outside", days=1)
    assert ReviewLink.from_token(link.token) == link
    assert ReviewLink.from_token(link.token[:-2] + "xx") is None
    assert ReviewLink.from_token(str(link.pk)) is None
    assert link.state == "open"
    link.expires_at = timezone.now() - datetime.timedelta(seconds=1)
    assert link.state == "expired"
    conversation.revoke(link, reviewer)
    assert ReviewLink.objects.get(pk=link.pk).state == "revoked"
    assert demo_answer.transitions.filter(action="revoke_share").exists()


def test_an_expert_replies_only_in_their_own_threads(demo_answer, reviewer):
    ours = conversation.start_thread(demo_answer, "research", PASSAGE, "Team note", user=reviewer)
    link = conversation.share(demo_answer, reviewer, "Dr Ada Outside", days=7)
    with pytest.raises(TransitionError, match="only to your own"):
        conversation.reply(ours, "I can see this?", link=link)


def test_only_reviewers_share_and_only_the_team_comments(demo_answer, editor, other_staff):
    with pytest.raises(TransitionError, match="Only medical reviewers"):
        conversation.share(demo_answer, editor, "Dr Ada Outside", days=7)
    with pytest.raises(TransitionError, match="Only editors and medical reviewers"):
        conversation.start_thread(demo_answer, "research", PASSAGE, "Hi", user=other_staff)


def test_a_comment_is_refused_with_a_reason_when_empty_too_long_or_unprintable(
    demo_answer, reviewer
):
    for body, reason in [
        ("   ", "empty"),
        ("x" * 2001, "limit is 2,000"),
        ("a\x00b", "character"),
    ]:
        with pytest.raises(TransitionError, match=reason):
            conversation.start_thread(demo_answer, "research", PASSAGE, body, user=reviewer)
    with pytest.raises(TransitionError, match="which part"):
        conversation.start_thread(demo_answer, "delete", "", "Hi", user=reviewer)


def test_only_the_last_words_of_a_posted_context_count(demo_answer):
    from answers.models.comments import find_passage

    text = "It may help. Trials are small. It may help."
    huge = "x" * 500_000 + " Trials are small."
    assert find_passage(text, "It may help.", prefix=huge) == (31, 43)
    assert find_passage(text, "It may help.", suffix="Trials are small." + "y" * 500_000) == (0, 12)


def test_a_review_link_takes_so_many_comments_and_no_more(demo_answer, reviewer):
    from answers.models.comments import LINK_COMMENT_LIMIT

    link = conversation.share(demo_answer, reviewer, "Dr Ada Outside", days=7)
    Comment.objects.bulk_create(
        Comment(answer=demo_answer, section="research", body="Hm", expert=link)
        for _ in range(LINK_COMMENT_LIMIT)
    )
    with pytest.raises(TransitionError, match="Ask the reviewer who sent it for a new one"):
        conversation.start_thread(demo_answer, "research", PASSAGE, "One more", link=link)


def test_a_reviewers_edit_in_review_is_checked_as_a_submission_would_be(
    demo_answer, editor, reviewer, second_reviewer
):
    in_review(demo_answer, editor)
    edit(demo_answer, reviewer, research=demo_answer.research + "\n\nA claim citing nothing.")
    assert demo_answer.status == Answer.Status.IN_REVIEW
    refusal = demo_answer.refusal("approve", second_reviewer)
    assert "1 paragraph(s) cite nothing" in refusal


def test_a_superusers_edit_in_review_sends_it_back_to_draft(demo_answer, editor, django_user_model):
    boss = django_user_model.objects.create_superuser("boss", password="x")
    in_review(demo_answer, editor)
    edit(demo_answer, boss, short_answer="Rewritten by an administrator.")
    assert demo_answer.status == Answer.Status.DRAFT


def test_the_audit_record_keeps_what_was_said_since_on_an_older_thread(
    demo_answer, editor, reviewer, second_reviewer
):
    old = conversation.start_thread(demo_answer, "research", PASSAGE, "Early remark", user=reviewer)
    conversation.resolve(old, editor)
    in_review(demo_answer, editor)
    with committed():
        demo_answer.approve(second_reviewer)
    said = demo_answer.live_version.conversation["comments"]
    assert [thread["comment"] for thread in said] == ["Early remark"]

    conversation.resolve(old, reviewer, resolved=False)
    conversation.reply(old, "Still true after the new trial?", user=reviewer)
    conversation.resolve(old, editor)
    in_review(demo_answer, editor)
    with committed():
        demo_answer.approve(second_reviewer)
    [said] = demo_answer.live_version.conversation["comments"]
    assert said["comment"] == "Early remark"
    assert [reply["comment"] for reply in said["replies"]] == ["Still true after the new trial?"]


def test_nobody_comments_without_an_account_or_a_link_that_works(demo_answer, reviewer):
    with pytest.raises(TransitionError, match="Only editors and medical reviewers"):
        conversation.start_thread(demo_answer, "research", PASSAGE, "Anonymous")
    link = conversation.share(demo_answer, reviewer, "Dr Ada Outside", days=7)
    conversation.revoke(link, reviewer)
    with pytest.raises(TransitionError, match="no longer works"):
        conversation.start_thread(demo_answer, "research", PASSAGE, "Late", link=link)
    assert not Comment.objects.exists()
