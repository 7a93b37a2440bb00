"""The editorial workflow on the model: the only way an answer's state changes."""

import datetime
import re

import pytest

from answers.models import Answer, Question, TransitionError, months_after
from answers.testing import publish, with_writer
from citations.models import Citation, Source

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(demo_answer, editor):
    """A new answer written by the editor, with one citation, never reviewed."""
    question = Question.objects.create(
        text="Is CAR-T used for lupus?", slug="car-t-lupus", topic=demo_answer.question.topic
    )
    answer = Answer(question=question, short_answer="Only in trials.", research="Remission [1].")
    answer._history_user = editor
    answer.author = editor
    answer.save()
    citation = Citation(answer=answer, number=1, source=Source.objects.get(pmid="37748491"))
    citation._history_user = editor
    citation.save()
    answer.record_snapshots()
    return with_writer(answer, editor)


def edit(answer, user, **fields):
    """Change content the way any code path would: a save recorded as `user`'s."""
    for name, value in fields.items():
        setattr(answer, name, value)
    answer._history_user = user
    answer.save()
    answer.record_edit(user)


def test_full_cycle_submit_approve_publishes_a_frozen_version(draft, editor, reviewer):
    draft.transition("submit", editor, comment="Ready")
    assert draft.status == Answer.Status.IN_REVIEW
    assert not Answer.objects.published().filter(pk=draft.pk).exists()
    draft.transition("approve", reviewer, comment="Accurate")
    assert draft.status == Answer.Status.PUBLISHED
    live = draft.live_version
    assert live.reviewer_name == "Dr Robin Reviewer" and live.reviewer_credentials == "MD, PhD"
    assert live.reviewed_on == datetime.date.today()
    assert live.next_review_due == months_after(datetime.date.today(), 12)
    assert 'href="#ref-1"' in live.research_html
    assert [ref["number"] for ref in live.references] == [1]
    assert live.answer_revision == draft.latest_revision().history_id  # the approval itself
    assert draft.latest_revision().history_change_reason == "Approve and publish: Accurate"
    assert [(t.action, t.from_status, t.to_status, t.user) for t in draft.transitions.all()] == [
        ("approve", "in_review", "published", reviewer),
        ("submit", "draft", "in_review", editor),
    ]


def test_every_transition_records_who_when_from_revision_and_comment(draft, editor):
    step = draft.transition("submit", editor, comment="Please check the dose.")
    assert step.user == editor and step.comment == "Please check the dose."
    assert step.revision == draft.latest_revision().history_id
    assert draft.latest_revision().history_change_reason == (
        "Submit for review: Please check the dose."
    )


def test_reviewer_cannot_approve_own_edit(draft, editor, reviewer):
    edit(draft, reviewer, research="Remission in lupus [1].")
    draft.transition("submit", editor)
    with pytest.raises(TransitionError, match="four eyes"):
        draft.transition("approve", reviewer)
    assert draft.status == Answer.Status.IN_REVIEW


def test_reviewer_who_changed_a_citation_last_cannot_approve(draft, editor, reviewer):
    citation = draft.citations.get()
    citation.locator = "p. 2036"
    citation._history_user = reviewer
    citation.save()
    draft.record_edit(reviewer)
    draft.transition("submit", editor)
    with pytest.raises(TransitionError, match="four eyes"):
        draft.transition("approve", reviewer)


def test_author_who_is_a_reviewer_cannot_approve_what_they_wrote(draft, reviewer, editor):
    draft.history.filter(history_type="+").update(history_user=reviewer)
    Citation.history.filter(answer_id=draft.pk).update(history_user=reviewer)
    draft.transition("submit", editor)
    with pytest.raises(TransitionError, match="four eyes"):
        draft.transition("approve", reviewer)


def test_another_reviewer_can_approve_after_a_reviewer_edit(
    draft, editor, reviewer, second_reviewer
):
    edit(draft, reviewer, research="Remission in lupus [1].")
    draft.transition("submit", editor)
    draft.transition("approve", second_reviewer)
    assert draft.live_version.reviewer_name == "Dr Sam Second"


def test_editor_cannot_approve_and_reviewer_cannot_submit(draft, editor, reviewer):
    with pytest.raises(TransitionError, match="Only editors can submit"):
        draft.transition("submit", reviewer)
    draft.transition("submit", editor)
    with pytest.raises(TransitionError, match="Only medical reviewers can approve"):
        draft.transition("approve", editor)


def test_reviewer_needs_a_profile_to_approve(draft, editor, reviewer):
    reviewer.contributor_profile.delete()
    reviewer.refresh_from_db()
    draft.transition("submit", editor)
    with pytest.raises(TransitionError, match="reviewer profile"):
        draft.transition("approve", reviewer)


def test_send_back_needs_a_comment_and_returns_to_draft(draft, editor, reviewer):
    draft.transition("submit", editor)
    with pytest.raises(TransitionError, match="Say what needs to change"):
        draft.transition("send_back", reviewer, comment=" ")
    draft.transition("send_back", reviewer, comment="Cite the trial, not the review.")
    assert draft.status == Answer.Status.DRAFT
    assert draft.transitions.first().comment == "Cite the trial, not the review."


@pytest.mark.parametrize(
    "research, problem",
    [
        ("Remission [1] and more [4].", "Marker [4] points to no citation"),
        ("Remission [1] and again [2].", "are the same source"),
    ],
)
def test_citation_errors_block_submission_and_approval(draft, editor, reviewer, research, problem):
    if "[2]" in research:
        Citation.objects.create(answer=draft, number=2, source=draft.citations.get().source)
    draft.research = research
    draft.save()
    with pytest.raises(TransitionError, match=re.escape(problem)):
        draft.transition("submit", editor)
    assert draft.status == Answer.Status.DRAFT


def test_citation_errors_block_approval(draft, editor, reviewer):
    draft.transition("submit", editor)
    draft.citations.get().delete()  # the marker [1] now points nowhere
    with pytest.raises(TransitionError, match=re.escape("Marker [1] points to no citation")):
        draft.transition("approve", reviewer)
    assert not Answer.objects.published().filter(pk=draft.pk).exists()


def add_uncited_citation(answer, editor):
    """A second citation the text never cites, saved as the change form saves it."""
    other = Source.objects.get(pmid="39276207")
    citation = Citation(answer=answer, number=2, source=other)
    citation._history_user = editor
    citation.save()
    answer.record_snapshots()


UNCITED = (
    "Citation 2 (“Konitsioti AM · 2024 · Chimeric antigen receptor T-cell therapy for "
    "autoimmune diseases of the central…”) is not cited in the text: cite it where it "
    "supports a sentence, or delete it."
)


def test_an_uncited_citation_blocks_submission(draft, editor):
    add_uncited_citation(draft, editor)
    with pytest.raises(TransitionError, match=re.escape(UNCITED)):
        draft.transition("submit", editor)
    assert draft.status == Answer.Status.DRAFT


def test_an_uncited_citation_blocks_approval_and_never_reaches_patients_again(
    draft, editor, reviewer, monkeypatch
):
    # Live with a citation the text never cites, as such answers were approved when it was
    # only a warning: a reviewer's next approval of it (a renewed review) is refused.
    add_uncited_citation(draft, editor)
    with monkeypatch.context() as before_the_fix:
        before_the_fix.setattr(Answer, "citation_errors", lambda answer: [])
        publish(draft, editor, reviewer)
    assert draft.status == Answer.Status.PUBLISHED
    live = draft.live_version
    assert draft.refusal("approve", reviewer) == "Fix the citation problems first: " + UNCITED
    with pytest.raises(TransitionError, match=re.escape(UNCITED)):
        draft.transition("approve", reviewer)
    assert draft.live_version == live  # patients keep what was approved; nothing new


UNTYPED = (
    "Set the evidence type of source “CAR T-cell therapy in autoimmune diseases” (cited as "
    "[1]) before approval."
)


def untype(source):
    source.evidence_type = Source.EvidenceType.NOT_SET
    source.save()


def test_a_cited_source_without_evidence_type_blocks_submission(draft, editor):
    untype(draft.citations.get().source)
    with pytest.raises(TransitionError, match=re.escape(UNTYPED)):
        draft.transition("submit", editor)
    assert draft.status == Answer.Status.DRAFT


def test_a_cited_source_without_evidence_type_blocks_approval(draft, editor, reviewer, monkeypatch):
    untype(draft.citations.get().source)
    with monkeypatch.context() as before_the_fix:  # submitted when nothing checked it
        before_the_fix.setattr(Answer, "citation_errors", lambda answer: [])
        draft.transition("submit", editor)
    assert draft.refusal("approve", reviewer) == "Fix the citation problems first: " + UNTYPED
    with pytest.raises(TransitionError, match=re.escape(UNTYPED)):
        draft.transition("approve", reviewer)
    assert not Answer.objects.published().filter(pk=draft.pk).exists()


def test_once_its_evidence_type_is_set_the_answer_is_approved_with_the_label(
    draft, editor, reviewer
):
    source = draft.citations.get().source
    untype(source)
    source.evidence_type = Source.EvidenceType.NARRATIVE_REVIEW
    source.save()
    publish(draft, editor, reviewer)
    assert draft.live_version.references[0]["evidence"] == "Narrative review"


def test_approval_needs_the_text_that_was_submitted(draft, editor, reviewer):
    draft.transition("submit", editor)
    draft.research = "Changed behind the reviewer's back [1]."
    draft.save()  # no record_edit: as if changed by a script
    with pytest.raises(TransitionError, match="changed after it was submitted"):
        draft.transition("approve", reviewer)


def test_editing_a_published_answer_starts_a_draft_and_keeps_the_live_version(
    demo_answer, editor, reviewer, client
):
    live_before = demo_answer.live_version
    edit(demo_answer, editor, short_answer="A completely new short answer.")
    assert demo_answer.status == Answer.Status.DRAFT
    assert demo_answer.live_version == live_before
    assert demo_answer.differs_from_live()
    page = client.get(demo_answer.get_absolute_url()).content.decode()
    assert "A completely new short answer." not in page
    assert "CAR-T cell therapy is a type of treatment" in page
    publish(demo_answer, editor, reviewer)
    assert (
        "A completely new short answer."
        in client.get(demo_answer.get_absolute_url()).content.decode()
    )


def test_later_source_edits_do_not_change_the_approved_page(demo_answer, client):
    source = Source.objects.get(pmid="37748491")
    source.title = "A title nobody approved"
    source.save()
    assert (
        "A title nobody approved" not in client.get(demo_answer.get_absolute_url()).content.decode()
    )


def test_status_cannot_change_outside_the_workflow(demo_answer):
    demo_answer.status = Answer.Status.DRAFT
    with pytest.raises(TransitionError, match="only through the workflow"):
        demo_answer.save()


def test_withdraw_takes_the_answer_off_the_site(demo_answer, editor, reviewer):
    with pytest.raises(TransitionError, match="Only medical reviewers can withdraw"):
        demo_answer.transition("withdraw", editor, comment="x")
    demo_answer.transition("withdraw", reviewer, comment="Superseded by new trial data")
    assert demo_answer.status == Answer.Status.WITHDRAWN
    assert demo_answer.live_version is None
    assert not Answer.objects.published().filter(pk=demo_answer.pk).exists()
    publish(demo_answer, editor, reviewer)  # it can come back after a new review
    assert Answer.objects.published().filter(pk=demo_answer.pk).exists()


def test_withdraw_is_possible_while_a_new_draft_is_being_written(demo_answer, editor, reviewer):
    edit(demo_answer, editor, short_answer="Draft in progress.")
    demo_answer.transition("withdraw", reviewer, comment="Safety alert")
    assert not Answer.objects.published().exists()


def test_restore_makes_an_old_revision_the_draft_and_never_publishes(demo_answer, editor, reviewer):
    original = demo_answer.latest_revision()
    live = demo_answer.live_version
    citation = demo_answer.citations.get(number=1)
    citation.delete()
    edit(demo_answer, editor, research=demo_answer.research.replace(" [1].", "."))
    assert demo_answer.status == Answer.Status.DRAFT
    missing = demo_answer.restore(original, editor)
    assert missing == []
    demo_answer.refresh_from_db()
    assert demo_answer.status == Answer.Status.DRAFT
    assert demo_answer.research.endswith("off-target effects [1].")
    assert list(demo_answer.citations.values_list("number", flat=True)) == [1, 9, 10, 11]
    assert demo_answer.live_version == live
    assert demo_answer.transitions.first().action == "restore"
    assert demo_answer.latest_revision().history_change_reason.startswith("Restored the revision")


def test_restoring_a_published_answer_does_not_republish_it(demo_answer, editor):
    first = demo_answer.history.earliest("history_date")
    demo_answer.restore(first, editor)
    assert demo_answer.status == Answer.Status.DRAFT
    assert Answer.objects.published().filter(pk=demo_answer.pk).exists()  # the live version


def test_stale_transition_is_refused(draft, editor):
    started_from = draft.version
    edit(draft, editor, research="Newer text [1].")
    with pytest.raises(TransitionError, match="saved this answer at"):
        draft.transition("submit", editor, expected_version=started_from)


def test_re_review_of_unchanged_answer_renews_the_review_date(demo_answer, second_reviewer):
    first = demo_answer.live_version
    demo_answer.transition("approve", second_reviewer, comment="Still current")
    assert demo_answer.live_version != first
    assert demo_answer.live_version.reviewer_name == "Dr Sam Second"


def test_months_after_handles_month_ends():
    assert months_after(datetime.date(2024, 2, 29), 12) == datetime.date(2025, 2, 28)
    assert months_after(datetime.date(2026, 1, 31), 1) == datetime.date(2026, 2, 28)
    assert months_after(datetime.date(2026, 11, 21), 12) == datetime.date(2027, 11, 21)


def test_text_with_unprintable_characters_cannot_be_submitted_or_approved(draft, editor):
    Answer.objects.filter(pk=draft.pk).update(research="Remission\x01 [1].")  # from before
    draft.refresh_from_db()
    with pytest.raises(TransitionError, match=r"“What the research says” contains a character"):
        draft.submit(editor)


def change_writers(answer, user, *profiles):
    """Make `profiles` the answer's writers, in order, as the admin's inline saves them."""
    from answers.models import Authorship

    answer.authorships.all().delete()
    for order, profile in enumerate(profiles, start=1):
        Authorship.objects.create(answer=answer, contributor=profile, order=order)
    answer.record_edit(user)


def writers(answer):
    return [a.contributor.display_name for a in answer.authorships.order_by("order")]


def test_restore_brings_back_the_writers_of_that_revision(
    demo_answer, editor, reviewer, second_reviewer
):
    original = demo_answer.latest_revision()
    before = writers(demo_answer)
    assert before and original.authors_snapshot is not None
    change_writers(demo_answer, editor, second_reviewer.contributor_profile)
    assert writers(demo_answer) == ["Dr Sam Second"]
    assert demo_answer.restore(original, editor) == []
    assert writers(demo_answer) == before
    assert demo_answer.latest_revision().authors_snapshot == original.authors_snapshot


def test_restore_puts_the_writers_back_in_their_order(demo_answer, editor, second_reviewer):
    change_writers(
        demo_answer, editor, editor.contributor_profile, second_reviewer.contributor_profile
    )
    both = demo_answer.latest_revision()
    change_writers(
        demo_answer, editor, second_reviewer.contributor_profile, editor.contributor_profile
    )
    demo_answer.restore(both, editor)
    assert writers(demo_answer) == ["Erin Editor", "Dr Sam Second"]


def test_a_writer_deleted_since_is_reported_not_restored(demo_answer, editor, second_reviewer):
    change_writers(
        demo_answer, editor, editor.contributor_profile, second_reviewer.contributor_profile
    )
    both = demo_answer.latest_revision()
    change_writers(demo_answer, editor, editor.contributor_profile)
    second_reviewer.contributor_profile.delete()
    not_restored = demo_answer.restore(both, editor)
    assert not_restored == [
        "1 of the writers of that revision was not restored: their profile has been deleted."
    ]
    assert writers(demo_answer) == ["Erin Editor"]


def test_a_revision_from_before_writers_were_kept_leaves_the_writers_be(
    demo_answer, editor, second_reviewer
):
    old = demo_answer.latest_revision()
    old.authors_snapshot = None
    old.save(update_fields=["authors_snapshot"])
    change_writers(demo_answer, editor, second_reviewer.contributor_profile)
    demo_answer.restore(old, editor)
    assert writers(demo_answer) == ["Dr Sam Second"]


def test_the_revision_diff_names_the_writers_before_and_after(demo_answer, editor, second_reviewer):
    from desk.diffing import revision_diff

    original = demo_answer.latest_revision()
    before = ", ".join(writers(demo_answer))
    change_writers(demo_answer, editor, second_reviewer.contributor_profile)
    diff = revision_diff(original, demo_answer.latest_revision())
    assert {"label": "Written by", "html": f"<del>{before}</del> <ins>Dr Sam Second</ins>"} in (
        diff["fields"]
    )
