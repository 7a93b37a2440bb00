"""Four eyes over everything patients see: whatever the published version freezes counts as
the answer's content, so a reviewer who changed any of it cannot approve it."""

import pytest

from answers.models import Answer, TransitionError
from answers.testing import publish

pytestmark = pytest.mark.django_db


def as_user(obj, user, **fields):
    """Save `obj` with `fields` changed, recorded in its history as `user`'s change."""
    for name, value in fields.items():
        setattr(obj, name, value)
    obj._history_user = user
    obj.save()
    return obj


def change_source(answer, user, editor=None):
    source = answer.citations.get(number=10).source
    as_user(source, user, title="A title the reviewer wrote")
    Answer.objects.sharing(source).record_shared_edit(user, "Changed a source")


def change_question(answer, user, editor=None):
    as_user(answer.question, user, text="Is CAR-T therapy used for MS?")
    Answer.objects.sharing(answer.question).record_shared_edit(user, "Changed the question")


def change_disclaimer(answer, user, editor=None):
    disclaimer = answer.effective_disclaimer()
    as_user(disclaimer, user, body="General information only, about {topic}.")
    Answer.objects.sharing(disclaimer).record_shared_edit(user, "Changed the disclaimer")


def change_topic(answer, user, editor=None):
    topic = answer.question.topic
    as_user(topic, user, name="Cancer care")
    Answer.objects.sharing(topic).record_shared_edit(user, "Renamed the topic")


def change_citation(answer, user, editor=None):
    as_user(answer.citations.get(number=9), user, locator="Table 2")
    answer.record_edit(user)


def renumber(answer, user, editor=None):
    assert answer.renumber_by_first_use(user)


def restore(answer, user, editor):
    """Restore the approved original after another approval changed the short answer."""
    original = answer.latest_revision()
    answer.short_answer = "A newer short answer."
    answer.save()
    answer.record_edit(None)
    publish(answer, editor, answer.live_version.reviewer)
    answer.restore(original, user)


ROUTES = {
    "source": change_source,
    "question": change_question,
    "disclaimer": change_disclaimer,
    "topic": change_topic,
    "citation": change_citation,
    "renumber": renumber,
    "restore": restore,
}


@pytest.mark.parametrize("route", ROUTES)
def test_reviewer_who_changed_any_frozen_content_cannot_approve(
    route, demo_answer, editor, reviewer, second_reviewer
):
    live_before = demo_answer.live_version
    ROUTES[route](demo_answer, second_reviewer, editor)
    demo_answer.refresh_from_db()
    assert demo_answer.status == Answer.Status.DRAFT
    if route != "restore":
        assert demo_answer.live_version == live_before  # patients keep the approved text
    assert demo_answer.differs_from_live()

    demo_answer.submit(editor)
    refusal = demo_answer.refusal("approve", second_reviewer)
    assert refusal and "four eyes" in refusal
    with pytest.raises(TransitionError, match="four eyes"):
        demo_answer.approve(second_reviewer)
    assert demo_answer.refusal("approve", reviewer) is None
    demo_answer.approve(reviewer)
    assert demo_answer.live_version.reviewer_name == "Dr Robin Reviewer"


@pytest.mark.parametrize("route", ["source", "question", "disclaimer", "topic"])
def test_shared_change_after_submission_blocks_approval(route, demo_answer, editor, reviewer):
    """Changed by a script, without the admin's edit record: approval still sees it."""
    demo_answer.short_answer = "A reviewed edit."
    demo_answer.save()
    demo_answer.record_edit(editor)
    demo_answer.submit(editor)
    changes = {
        "source": lambda: as_user(demo_answer.citations.get(number=1).source, None, year=1999),
        "question": lambda: as_user(demo_answer.question, None, text="Changed?"),
        "disclaimer": lambda: as_user(demo_answer.effective_disclaimer(), None, body="Other."),
        "topic": lambda: as_user(demo_answer.question.topic, None, name="Other"),
    }
    changes[route]()
    with pytest.raises(TransitionError, match="changed after it was submitted"):
        demo_answer.approve(reviewer)
    assert demo_answer.live_version.short_answer != "A reviewed edit."


def test_changes_to_what_patients_do_not_read_leave_the_answer_alone(demo_answer, second_reviewer):
    source = demo_answer.citations.get(number=10).source
    as_user(source, second_reviewer, notes="Checked the trial registry.")
    differing, sent_back, _ = Answer.objects.sharing(source).record_shared_edit(
        second_reviewer, "Changed a note"
    )
    demo_answer.refresh_from_db()
    assert (differing, sent_back) == ([], [])
    assert demo_answer.status == Answer.Status.PUBLISHED
    assert second_reviewer.pk not in demo_answer.content_editors()
    assert demo_answer.refusal("approve", second_reviewer) is None  # a fresh review is fine


def test_changes_before_the_last_approval_do_not_count(demo_answer, editor, second_reviewer):
    change_question(demo_answer, second_reviewer)
    demo_answer.refresh_from_db()
    demo_answer.submit(editor)
    demo_answer.approve(demo_answer.live_version.reviewer)  # another reviewer approves
    assert second_reviewer.pk not in demo_answer.content_editors()
