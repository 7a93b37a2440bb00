"""Translations in the domain: started from the approved original, reviewed in their
language, out of date when the original is approved again, taken down with it."""

import pytest
from django.core.exceptions import ValidationError

from answers import translation
from answers.models import Answer, Question, Tombstone, Topic, TransitionError
from answers.testing import committed, translated_disclaimer
from citations.models import Citation

pytestmark = pytest.mark.django_db

SPANISH_QUESTION = "¿Se usan ya las terapias CAR-T para tratar la esclerosis múltiple?"


@pytest.fixture
def spanish_reviewer(second_reviewer):
    """The second reviewer, whose profile lists Spanish (and English)."""
    profile = second_reviewer.contributor_profile
    profile.languages = ["en-gb", "es"]
    profile.save()
    return second_reviewer


def start_spanish(original, editor):
    translated_disclaimer(original)
    return translation.start(
        original, "es", SPANISH_QUESTION, "car-t-em", editor, topic_name="Oncología"
    )


def approve(answer, editor, reviewer):
    with committed():
        answer.transition("submit", editor)
        answer.transition("approve", reviewer)
    answer.refresh_from_db()
    return answer


def edit_and_approve_again(original, editor, reviewer):
    original.research += " More trials started in 2026 [9]."
    original._history_user = editor
    original.save()
    original.record_edit(editor)
    return approve(original, editor, reviewer)


def test_a_translation_starts_from_the_approved_version_not_the_draft(demo_answer, editor):
    live = demo_answer.live_version
    demo_answer.research = "An unapproved draft of the research [9]."
    demo_answer.save()
    draft = start_spanish(demo_answer, editor)
    assert draft.research == live.research != demo_answer.research
    assert (draft.short_answer, draft.doctor_questions) == (
        live.short_answer,
        live.doctor_questions,
    )
    assert draft.follows == live and draft.status == Answer.Status.DRAFT
    assert not draft.is_published
    # The markers carry over: the same numbers point at the same shared sources.
    assert [(c.number, c.source_id) for c in draft.citation_rows()] == [
        (ref["number"], ref["source_id"]) for ref in live.references
    ]
    question = draft.question
    assert (question.language, question.translation_of) == ("es", demo_answer.question)
    assert (question.topic.name, question.topic.translation_of) == (
        "Oncología",
        demo_answer.question.topic,
    )
    assert [a.contributor.user for a in draft.authorship_rows()] == [editor]
    assert draft.get_absolute_url() == "/es/ask/car-t-em/"


def test_what_cannot_be_translated_says_why(demo_answer, editor):
    demo_answer.withdraw(demo_answer.live_version.reviewer, comment="Checking a figure")
    with pytest.raises(translation.TranslationRefused, match="Only an answer on the site"):
        start_spanish(demo_answer, editor)


def test_one_translation_per_language_and_a_topic_name_when_the_topic_has_none(demo_answer, editor):
    with pytest.raises(ValidationError) as refused:
        translation.start(demo_answer, "es", SPANISH_QUESTION, "car-t-em", editor)
    assert "has no Spanish name yet" in str(refused.value.message_dict["topic_name"])
    assert not Question.objects.filter(language="es").exists()
    draft = start_spanish(demo_answer, editor)
    with pytest.raises(translation.TranslationRefused, match="has a translation into it"):
        translation.start(demo_answer, "es", "¿Otra?", "otra", editor, topic=draft.question.topic)
    with pytest.raises(translation.TranslationRefused, match="Translate the original"):
        translation.start(draft, "ar", "سؤال؟", "sual", editor, topic_name="الأورام")
    assert translation.missing_languages(demo_answer) == ["ar"]


def test_the_group_rules_are_refused_on_their_fields(demo_answer, editor):
    draft = start_spanish(demo_answer, editor)
    spanish = draft.question
    chained = Question(
        text="?", slug="chained", topic=spanish.topic, language="ar", translation_of=spanish
    )
    with pytest.raises(ValidationError) as refused:
        chained.full_clean()
    assert "not another translation" in str(refused.value.message_dict["translation_of"])
    same_language = Topic(
        name="Oncology again", slug="onc2", translation_of=demo_answer.question.topic
    )
    with pytest.raises(ValidationError) as refused:
        same_language.full_clean()
    assert "a translation is in another language" in str(refused.value.message_dict["language"])
    english_topic = Question(
        text="¿?", slug="mixed", topic=demo_answer.question.topic, language="es"
    )
    with pytest.raises(ValidationError) as refused:
        english_topic.full_clean()
    assert "in the question's language" in str(refused.value.message_dict["topic"])


def test_only_a_reviewer_who_reads_the_language_approves_it(
    client, demo_answer, editor, reviewer, spanish_reviewer
):
    draft = start_spanish(demo_answer, editor)
    with committed():
        draft.transition("submit", editor)
    with pytest.raises(TransitionError, match="does not list Spanish"):
        draft.transition("approve", reviewer)
    assert client.get("/es/ask/car-t-em/").status_code == 404
    with committed():
        draft.transition("approve", spanish_reviewer)
    draft.refresh_from_db()
    assert draft.live_version.language == "es"
    assert draft.live_version.follows == demo_answer.live_version
    assert client.get("/es/ask/car-t-em/").status_code == 200
    # Each page only at its own language's address.
    assert client.get("/ask/car-t-em/").status_code == 404
    assert client.get(f"/es{demo_answer.get_absolute_url()}").status_code == 404
    assert client.get(demo_answer.get_absolute_url()).status_code == 200


def test_an_approval_of_the_original_puts_its_translations_behind_until_brought_up_to_date(
    client, demo_answer, editor, reviewer, spanish_reviewer
):
    spanish = approve(start_spanish(demo_answer, editor), editor, spanish_reviewer)
    followed = spanish.live_version
    assert not translation.is_behind(spanish)
    assert translation.original_update(followed) is None
    assert list(translation.behind()) == []

    original = edit_and_approve_again(demo_answer, editor, spanish_reviewer)
    assert translation.is_behind(spanish) and list(translation.behind()) == [spanish]
    update = translation.original_update(followed)
    assert update.updated_on == original.live_version.reviewed_on
    assert (update.original_url, update.original_language) == (original.get_absolute_url(), "en-gb")

    transition = translation.catch_up(spanish, editor)
    spanish.refresh_from_db()
    assert transition.to_status == Answer.Status.DRAFT
    assert spanish.follows == original.live_version and not translation.is_behind(spanish)
    # Patients keep the approved translation (with its notice) until the next approval.
    assert spanish.live_version == followed
    assert translation.original_update(followed) is not None
    approve(spanish, editor, spanish_reviewer)
    assert translation.original_update(spanish.live_version) is None
    assert list(translation.behind()) == []


def test_a_new_approval_of_the_same_content_leaves_its_translations_current(
    demo_answer, editor, reviewer, spanish_reviewer
):
    spanish = approve(start_spanish(demo_answer, editor), editor, spanish_reviewer)
    followed = demo_answer.live_version
    with committed():
        demo_answer.approve(spanish_reviewer)  # the review renewed, nothing changed
    demo_answer.refresh_from_db()
    assert demo_answer.live_version != followed
    assert demo_answer.live_version.fingerprint == followed.fingerprint
    assert not translation.is_behind(spanish)
    assert list(translation.behind()) == []
    assert translation.original_update(spanish.live_version) is None


def test_a_translation_withdrawn_takes_down_only_its_own_page(
    client, demo_answer, editor, spanish_reviewer
):
    spanish = approve(start_spanish(demo_answer, editor), editor, spanish_reviewer)
    with committed():
        spanish.withdraw(spanish_reviewer, comment="A mistranslated dose")
    assert set(Tombstone.objects.values_list("path", flat=True)) == {"/es/ask/car-t-em/"}
    assert client.get("/es/ask/car-t-em/").status_code == 404
    assert client.get(demo_answer.get_absolute_url()).status_code == 200


def test_an_original_withdrawn_takes_its_translations_down_with_it(
    client, demo_answer, editor, reviewer, spanish_reviewer
):
    spanish = approve(start_spanish(demo_answer, editor), editor, spanish_reviewer)
    with committed():
        demo_answer.withdraw(reviewer, comment="A figure is wrong")
    spanish.refresh_from_db()
    assert (spanish.live_version, spanish.status) == (None, Answer.Status.WITHDRAWN)
    last = spanish.transitions.order_by("-pk").first()
    assert (last.action, last.user, last.comment) == (
        "withdraw",
        reviewer,
        "Taken down with its original: A figure is wrong",
    )
    assert set(Tombstone.objects.values_list("path", flat=True)) == {
        demo_answer.get_absolute_url(),
        "/es/ask/car-t-em/",
    }
    for url in (demo_answer.get_absolute_url(), "/es/ask/car-t-em/"):
        assert client.get(url).status_code == 404


def test_an_answer_in_the_default_language_freezes_what_it_froze_before(demo_answer):
    # No "language" or "follows_id" key: every fingerprint approved before translations
    # existed still matches its answer.
    content = demo_answer.frozen_content()
    assert "language" not in content and "follows_id" not in content
    assert demo_answer.fingerprint() == demo_answer.live_version.fingerprint
    assert demo_answer.live_version.content_fingerprint() == demo_answer.live_version.fingerprint


def test_a_translation_freezes_its_language_and_the_version_it_follows(
    demo_answer, editor, spanish_reviewer
):
    spanish = approve(start_spanish(demo_answer, editor), editor, spanish_reviewer)
    content = spanish.frozen_content()
    assert (content["language"], content["follows_id"]) == ("es", demo_answer.live_version_id)
    version = spanish.live_version
    assert version.content_fingerprint() == version.fingerprint == spanish.fingerprint()
    assert version.audit_record()["content"]["follows_id"] == demo_answer.live_version_id


def test_a_translation_is_not_approved_while_its_original_is_off_the_site(
    client, demo_answer, editor, reviewer, spanish_reviewer
):
    draft = start_spanish(demo_answer, editor)
    with committed():
        draft.transition("submit", editor)
        demo_answer.withdraw(reviewer, comment="A figure is wrong")
    with pytest.raises(TransitionError, match="Its original is not on the site"):
        draft.transition("approve", spanish_reviewer)
    assert client.get("/es/ask/car-t-em/").status_code == 404


def test_a_translation_behind_its_original_is_brought_up_to_date_before_approval(
    demo_answer, editor, reviewer, spanish_reviewer
):
    draft = start_spanish(demo_answer, editor)
    with committed():
        draft.transition("submit", editor)
    edit_and_approve_again(demo_answer, editor, reviewer)
    with pytest.raises(TransitionError, match="with changes this translation does not follow"):
        draft.transition("approve", spanish_reviewer)
    with pytest.raises(translation.TranslationRefused, match="approved again while you were"):
        translation.catch_up(draft, editor, seen=draft.follows_id)
    translation.catch_up(draft, editor, seen=demo_answer.live_version_id)
    approve(draft, editor, spanish_reviewer)
    assert draft.live_version.follows == demo_answer.live_version


def test_a_scheduled_translation_does_not_go_live_after_its_original_changed(
    demo_answer, editor, reviewer, spanish_reviewer
):
    import datetime

    from django.utils import timezone

    draft = start_spanish(demo_answer, editor)
    go_live = timezone.now() + datetime.timedelta(hours=1)
    with committed():
        draft.transition("submit", editor)
        draft.approve(spanish_reviewer, go_live_at=go_live)
    edit_and_approve_again(demo_answer, editor, reviewer)
    draft.refresh_from_db()
    refusal = draft.refusal("go_live", None, translation_given(go_live))
    assert "with changes this translation does not follow" in refusal


def translation_given(at):
    import datetime

    from answers.workflow.steps import Given

    return Given(at=at + datetime.timedelta(minutes=1))


def test_the_disclaimer_patients_read_must_exist_in_the_language(demo_answer, editor):
    shown = demo_answer.effective_disclaimer()
    with pytest.raises(translation.TranslationRefused, match=f"“{shown.title}”.*no Spanish"):
        translation.start(
            demo_answer, "es", SPANISH_QUESTION, "car-t-em", editor, topic_name="Oncología"
        )
    assert not Question.objects.filter(language="es").exists()


def test_an_answer_refuses_a_disclaimer_in_another_language(demo_answer, editor):
    draft = start_spanish(demo_answer, editor)
    draft.disclaimer = demo_answer.effective_disclaimer()  # the English one
    with pytest.raises(ValidationError) as refused:
        draft.full_clean()
    assert "in the answer's language (Spanish)" in str(refused.value.message_dict["disclaimer"])


def test_the_translations_citations_have_their_history(demo_answer, editor):
    draft = start_spanish(demo_answer, editor)
    added = Citation.history.filter(answer_id=draft.pk, history_type="+")
    assert added.count() == len(demo_answer.live_version.references)
    assert {record.history_user for record in added} == {editor}
