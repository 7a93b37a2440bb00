"""Translations in the admin: "Translate into…", the original beside the translation, the
notice and the lists of translations behind their original, and the records' languages."""

import html
import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from answers import translation
from answers.models import Answer, ContributorProfile, Disclaimer, Question, Topic
from answers.testing import committed, publish
from answers.tests.test_workflow import edit
from desk import my_work, translating

pytestmark = pytest.mark.django_db

SPANISH_QUESTION = "¿Se usan las terapias CAR-T para tratar la esclerosis múltiple?"


def translate_url(answer):
    return reverse("admin:answers_answer_translate", args=[answer.pk])


def change_url(answer):
    return reverse("admin:answers_answer_change", args=[answer.pk])


def text(response):
    return html.unescape(response.content.decode())


def field_errors(page, name):
    """The error list shown on the translate page's field `name`."""
    row = re.search(rf'<div class="form-row field-{name} errors".*?</ul>', page, re.S)
    return row.group(0) if row else ""


@pytest.fixture
def demo_answer(demo_answer, editor):
    """The demo answer on the site, its disclaimer translated into Spanish (the Spanish
    default): a translation shows the original's disclaimer in its own language, and is
    refused until there is one."""
    shown = demo_answer.effective_disclaimer()
    spanish = Disclaimer(
        title="Aviso",
        body="Esta respuesta sobre {topic} resume investigaciones citadas; no sustituye a "
        "su médico.",
        language="es",
        translation_of=shown,
        is_default=True,
    )
    spanish._history_user = editor
    spanish.save()
    return demo_answer


@pytest.fixture
def spanish_reviewer(second_reviewer):
    """A second medical reviewer who reviews in Spanish too."""
    profile = second_reviewer.contributor_profile
    profile.languages = ["en-gb", "es"]
    profile.save()
    return second_reviewer


def start_spanish(original, user, **fields):
    return translation.start(
        original,
        "es",
        fields.get("question", SPANISH_QUESTION),
        fields.get("slug", "car-t-esclerosis-multiple"),
        user,
        topic_name=fields.get("topic_name", "Oncología"),
    )


@pytest.fixture
def spanish(demo_answer, editor, spanish_reviewer):
    """The demo answer's Spanish translation, translated (roughly) and published."""
    draft = start_spanish(demo_answer, editor)
    edit(
        draft,
        editor,
        short_answer="La terapia CAR-T usa las propias células inmunitarias del paciente.",
        research=draft.research.replace("A 2023 review in The Lancet", "Una revisión de 2023"),
    )
    with committed():
        draft.transition("submit", editor)
        draft.transition("approve", spanish_reviewer)
    return draft


def approve_original_again(original, editor, reviewer):
    edit(original, editor, short_answer=original.short_answer + " Ask about trials near you.")
    publish(original, editor, reviewer)
    original.refresh_from_db()
    return original


# "Translate into…"


def test_the_original_on_the_site_offers_its_missing_languages(client, demo_answer, editor):
    client.force_login(editor)
    page = text(client.get(change_url(demo_answer)))
    assert f'href="{translate_url(demo_answer)}">Translate into…</a>' in page
    assert "Spanish, Arabic" in page

    form = text(client.get(translate_url(demo_answer)))
    assert '<option value="es">Spanish (Español)</option>' in form
    assert '<option value="ar">Arabic (العربية)</option>' in form
    assert 'value="en-gb"' not in form  # the original's own language
    assert "The topic “Oncology” has no name in this language yet" in form


def test_translating_makes_a_draft_beside_its_original(client, demo_answer, editor):
    client.force_login(editor)
    response = client.post(
        translate_url(demo_answer),
        {
            "language": "es",
            "question": SPANISH_QUESTION,
            "slug": "car-t-esclerosis-multiple",
            "topic_name": "Oncología",
        },
        follow=True,
    )
    draft = Answer.objects.get(question__language="es")
    assert response.redirect_chain[-1][0] == change_url(draft)
    page = text(response)
    assert "The Spanish translation is a draft" in page
    assert draft.question.topic.name == "Oncología"
    assert draft.question.topic.translation_of == demo_answer.question.topic
    assert draft.follows == demo_answer.live_version
    # The original's approved text, paragraph by paragraph, beside the draft's (the same
    # English text to translate, at first), each column in its language.
    assert "Original (approved version 1 of" in page
    assert '<td lang="en-GB" dir="ltr">A 2023 review in The Lancet' in page
    assert '<td lang="es" dir="ltr">A 2023 review in The Lancet' in page
    assert "[9]" in page
    assert "- Are there any ongoing clinical trials" in page  # a list item a row
    assert f'The Spanish translation of <a href="{change_url(demo_answer)}">' in page


def test_a_slug_taken_is_refused_on_its_field_keeping_what_was_typed(client, demo_answer, editor):
    client.force_login(editor)
    page = text(
        client.post(
            translate_url(demo_answer),
            {
                "language": "es",
                "question": SPANISH_QUESTION,
                "slug": demo_answer.question.slug,
                "topic_name": "Oncología",
            },
        )
    )
    assert "Another question's page already has this address" in field_errors(page, "slug")
    assert f'value="{SPANISH_QUESTION}"' in page
    assert 'value="Oncología"' in page
    assert '<option value="es" selected>' in page
    # Nothing was made: the topic started with it went back too.
    assert not Question.objects.filter(language="es").exists()
    assert not Topic.objects.filter(language="es").exists()


def test_a_missing_topic_name_is_asked_for_keeping_what_was_typed(client, demo_answer, editor):
    client.force_login(editor)
    page = text(
        client.post(
            translate_url(demo_answer),
            {"language": "es", "question": SPANISH_QUESTION, "slug": "car-t-em"},
        )
    )
    assert "The topic “Oncology” has no Spanish name yet: give it one." in field_errors(
        page, "topic_name"
    )
    assert f'value="{SPANISH_QUESTION}"' in page and 'value="car-t-em"' in page
    assert not Question.objects.filter(language="es").exists()
    # With a slug taken as well: both said at once.
    page = text(
        client.post(
            translate_url(demo_answer),
            {"language": "es", "question": SPANISH_QUESTION, "slug": demo_answer.question.slug},
        )
    )
    assert "has no Spanish name yet" in field_errors(page, "topic_name")
    assert "already has this address" in field_errors(page, "slug")


def test_translating_waits_for_the_disclaimers_translation(client, demo_answer, editor):
    shown = demo_answer.effective_disclaimer()
    client.force_login(editor)
    page = text(
        client.post(
            translate_url(demo_answer),
            {"language": "ar", "question": "هل يُستخدم العلاج بخلايا CAR-T للتصلب المتعدد؟",
             "slug": "car-t-ar", "topic_name": "الأورام"},
        )
    )  # fmt: skip
    note = page[page.index('<div class="errornote"') :]
    note = note[: note.index("</div>")]
    assert f"The disclaimer “{shown.title}” that the original shows has no Arabic" in note
    add = f"{reverse('admin:answers_disclaimer_add')}?language=ar&translation_of={shown.pk}"
    assert f'<a href="{add}">Add the disclaimer\'s translation</a>' in note
    assert not Question.objects.filter(language="ar").exists()
    assert not Topic.objects.filter(language="ar").exists()
    # The link opens the disclaimer's form filled in as that translation.
    form = text(client.get(add))
    assert '<option value="ar" selected>' in form
    assert f'<option value="{shown.pk}" selected>' in form


def test_a_language_translated_already_is_refused(client, demo_answer, editor):
    start_spanish(demo_answer, editor)
    client.force_login(editor)
    page = text(
        client.post(
            translate_url(demo_answer),
            {"language": "es", "question": "¿Otra vez?", "slug": "otra-vez", "topic_name": ""},
        )
    )
    assert "It has a translation into this language already" in field_errors(page, "language")
    assert 'value="¿Otra vez?"' in page
    assert Question.objects.filter(language="es").count() == 1
    # Arabic is still offered; Spanish is listed as a translation there is.
    assert '<option value="ar">' in page and '<option value="es"' not in page


def test_a_draft_or_a_translation_cannot_be_translated(client, demo_answer, editor, reviewer):
    draft = start_spanish(demo_answer, editor)
    client.force_login(editor)
    page = text(client.get(translate_url(draft)))
    assert "This answer is a translation: translate its original instead." in page
    assert "<form" not in page.split('id="content-main"')[1]
    assert "Translate into…</a>" not in text(client.get(change_url(draft)))
    assert client.post(translate_url(draft), {"language": "ar"}).status_code == 200
    assert Question.objects.filter(language="ar").count() == 0


def test_staff_without_an_editorial_role_cannot_translate(client, demo_answer, other_staff):
    client.force_login(other_staff)
    assert client.get(translate_url(demo_answer)).status_code == 403


# Out of date


def test_a_translation_behind_its_original_says_so_and_is_brought_up_to_date(
    client, spanish, demo_answer, editor, reviewer
):
    followed = spanish.follows
    approve_original_again(demo_answer, editor, reviewer)
    client.force_login(editor)
    page = text(client.get(change_url(spanish)))
    assert (
        f"The English original was approved again on "
        f"{demo_answer.live_version.reviewed_on:%-d %b %Y}, after the version this "
        f"translation follows (approved {followed.reviewed_on:%-d %b %Y})." in page
    )
    assert "<ins> Ask about trials near you.</ins>" in page  # the original's diff
    # Its preview is the page patients would read if approved as it is: with the notice.
    assert 'class="original-update-notice"' in text(client.get(spanish.get_preview_url()))
    catch_up = reverse("admin:answers_answer_catch_up", args=[spanish.pk])
    # Its own form, before the change form starts: a nested form would post the other.
    assert page.index(f'action="{catch_up}"') < page.index('id="answer_form"')
    # It names the version whose changes it shows.
    shown = demo_answer.live_version.pk
    assert f'<input type="hidden" name="seen" value="{shown}">' in page

    page = text(client.post(catch_up, {"seen": shown}, follow=True))
    assert "It now follows the original's approved version on the site." in page
    assert "Behind its original" not in page
    spanish.refresh_from_db()
    assert spanish.follows == demo_answer.live_version
    assert spanish.status == Answer.Status.DRAFT  # an edit: a new approval is needed
    assert spanish.is_published  # patients keep the approved translation meanwhile
    assert 'class="original-update-notice"' not in text(client.get(spanish.get_preview_url()))


def test_bringing_it_up_to_date_is_refused_if_the_original_changed_again_meanwhile(
    client, spanish, demo_answer, editor, reviewer
):
    followed = spanish.follows
    approve_original_again(demo_answer, editor, reviewer)
    shown = demo_answer.live_version.pk  # the changes the translator read
    client.force_login(editor)
    assert f'name="seen" value="{shown}"' in text(client.get(change_url(spanish)))
    approve_original_again(demo_answer, editor, reviewer)  # and another change, unread

    catch_up = reverse("admin:answers_answer_catch_up", args=[spanish.pk])
    page = text(client.post(catch_up, {"seen": shown}, follow=True))
    assert (
        "The original was approved again while you were reading its changes: read them again."
        in page
    )
    assert "It now follows" not in page
    spanish.refresh_from_db()
    assert spanish.follows == followed and spanish.status == Answer.Status.PUBLISHED
    # Shown again, with the newest changes and the version that shows them.
    assert "Behind its original" in page
    assert f'name="seen" value="{demo_answer.live_version.pk}"' in page


def test_bringing_up_to_date_what_is_not_behind_changes_nothing(
    client, spanish, demo_answer, editor
):
    catch_up = reverse("admin:answers_answer_catch_up", args=[spanish.pk])
    revisions = spanish.history.count()
    client.force_login(editor)
    page = text(client.post(catch_up, {"seen": demo_answer.live_version.pk}, follow=True))
    assert "This translation already follows the original's version on the site." in page
    spanish.refresh_from_db()
    assert spanish.status == Answer.Status.PUBLISHED  # not sent back to draft
    assert spanish.history.count() == revisions

    on_original = reverse("admin:answers_answer_catch_up", args=[demo_answer.pk])
    page = text(client.post(on_original, {"seen": demo_answer.live_version.pk}, follow=True))
    assert "This answer is not a translation: it has no original to follow." in page
    demo_answer.refresh_from_db()
    assert demo_answer.status == Answer.Status.PUBLISHED


def test_translations_behind_are_listed_for_their_writer_and_their_languages_reviewers(
    client, spanish, demo_answer, editor, reviewer, spanish_reviewer
):
    approve_original_again(demo_answer, editor, reviewer)
    home = reverse("admin:index")
    for user in (editor, spanish_reviewer):
        client.force_login(user)
        page = text(client.get(home))
        listed = page[page.index('id="work-behind"') :]
        listed = listed[: listed.index("</section>")]
        assert spanish.question.text in listed, user
        assert "Spanish, published: the original was approved again on" in listed
    client.force_login(reviewer)  # reads no Spanish, and never worked on it
    page = text(client.get(home))
    listed = page[page.index('id="work-behind"') :]
    assert "No translation is behind its original." in listed[: listed.index("</section>")]


def test_the_review_queue_lists_a_live_translation_behind_its_original(
    client, spanish, demo_answer, editor, reviewer
):
    queue = reverse("admin:desk_reviewqueue_changelist")
    client.force_login(reviewer)
    assert spanish.question.text[:60] not in text(client.get(queue + "?review=behind"))
    approve_original_again(demo_answer, editor, reviewer)
    page = text(client.get(queue + "?review=behind"))
    assert "Translation behind its original" in page  # the filter
    assert spanish.question.text[:60] in page
    assert (
        "<strong>Behind its original</strong>, approved again "
        f"{demo_answer.live_version.reviewed_on:%-d %b %Y}" in page
    )
    assert demo_answer.question.text[:60] not in page


def test_the_answer_list_shows_language_and_whether_a_translation_is_behind(
    client, spanish, demo_answer, editor, reviewer
):
    answers = reverse("admin:answers_answer_changelist")
    client.force_login(editor)
    page = text(client.get(answers))
    assert '<td class="field-language">Spanish translation, up to date</td>' in page
    assert '<td class="field-language">English</td>' in page
    approve_original_again(demo_answer, editor, reviewer)
    page = text(client.get(answers + "?question__language__exact=es"))
    assert "Spanish translation, <strong>behind its original</strong>: the original was" in page
    assert demo_answer.question.text[:40] not in page


def test_the_lists_agree_a_translation_follows_an_original_approved_again_unchanged(
    client, spanish, demo_answer, reviewer
):
    # A reviewer renews the original's review: a new live version saying the same.
    with committed():
        demo_answer.transition("approve", reviewer, comment="Still accurate")
    demo_answer.refresh_from_db()
    assert demo_answer.live_version != spanish.follows
    answers = reverse("admin:answers_answer_changelist")
    client.force_login(reviewer)
    page = text(client.get(answers + "?question__language__exact=es"))
    assert '<td class="field-language">Spanish translation, up to date</td>' in page
    assert "<strong>behind its original</strong>" not in page
    assert spanish.question.text[:40] not in text(client.get(answers + "?review=behind"))
    queue = text(client.get(reverse("admin:desk_reviewqueue_changelist")))
    assert "Behind its original" not in queue
    assert "Behind its original" not in text(client.get(change_url(spanish)))

    # Withdrawn, the original has no version on the site for a translation to follow.
    with committed():
        demo_answer.transition("withdraw", reviewer, comment="Under revision")
    page = text(client.get(answers + "?question__language__exact=es"))
    assert '<td class="field-language">Spanish translation, original not on the site</td>' in page


# Review in the language


def test_the_approve_page_names_the_original_and_refuses_a_reviewer_without_the_language(
    client, demo_answer, editor, reviewer, spanish_reviewer
):
    draft = start_spanish(demo_answer, editor)
    edit(draft, editor, short_answer="Un resumen en español.")
    draft.transition("submit", editor)
    approve = reverse("admin:answers_answer_transition", args=[draft.pk, "approve"])
    client.force_login(reviewer)
    page = text(client.get(approve))
    assert (
        f'This is the Spanish translation of <a href="{change_url(demo_answer)}">“'
        f"{demo_answer.question.text}”</a>, following the original's version approved on"
    ) in page
    assert "your reviewer profile does not list Spanish among the languages you review in" in page
    client.force_login(spanish_reviewer)
    page = text(client.post(approve, {"version": draft.version}, follow=True))
    assert "Approve and publish: done." in page


def test_the_preview_of_a_translation_is_in_its_language(client, demo_answer, editor):
    draft = start_spanish(demo_answer, editor)
    client.force_login(editor)
    page = client.get(draft.get_preview_url()).content.decode()
    # Rendered in Spanish, as patients will read it: its language, its addresses.
    assert '<html lang="es" dir="ltr">' in page
    assert 'href="/es/feed/"' in page
    english = client.get(demo_answer.get_preview_url()).content.decode()
    assert '<html lang="en-GB"' in english and "/es/feed/" not in english


# The records' languages


def test_a_topic_translation_in_its_originals_language_is_refused_on_the_field(client, editor):
    original = Topic.objects.create(name="Neurology", slug="neurology")
    Topic.objects.create(name="Oncology", slug="oncology")
    client.force_login(editor)
    page = text(client.get(reverse("admin:answers_topic_add")))
    assert 'name="translation_of"' in page and 'name="language"' in page
    page = text(
        client.post(
            reverse("admin:answers_topic_add"),
            {"name": "Neurología", "slug": "neurologia", "language": "en-gb",
             "translation_of": original.pk},
        )
    )  # fmt: skip
    assert "The original is in English too" in page
    assert not Topic.objects.filter(slug="neurologia").exists()
    translated = Topic.objects.create(
        name="Neurología", slug="neurologia", language="es", translation_of=original
    )
    page = text(client.get(reverse("admin:answers_topic_add")))
    assert f'<option value="{original.pk}">' in page
    assert f'<option value="{translated.pk}">' not in page  # only originals are offered


def profile_form(profile, **changes):
    """What the profile's change form posts, with `changes`."""
    data = {
        name: getattr(profile, name) or ""
        for name in ("display_name", "credentials", "role", "affiliation", "bio", "disclosures")
    }
    return {**data, "user": profile.user_id or "", "email_notifications": "on",
            "languages": profile.languages, **changes}  # fmt: skip


def reviews_in(profile):
    return ContributorProfile.objects.get(pk=profile.pk).languages


def grant_assigning_languages(user):
    user.user_permissions.add(Permission.objects.get(codename="assign_review_languages"))


def test_a_reviewers_languages_are_granted_by_an_administrator(
    client, django_user_model, reviewer, editor
):
    profile = reviewer.contributor_profile
    url = reverse("admin:answers_contributorprofile_change", args=[profile.pk])
    # An editor sees them, and cannot change them.
    client.force_login(editor)
    page = text(client.get(url))
    assert 'type="checkbox" name="languages" value="es" disabled id="id_languages_1">' in page
    assert "Only an administrator (someone allowed to assign review languages)" in page
    client.post(url, profile_form(profile, languages=["en-gb", "es"]))
    assert reviews_in(profile) == ["en-gb"]
    # A superuser ticks them.
    admin = django_user_model.objects.create_superuser("ada", "ada@qasite.example", "pw")
    client.force_login(admin)
    page = text(client.get(url))
    assert 'type="checkbox" name="languages" value="es" id="id_languages_1">' in page
    assert "A medical reviewer approves answers only in these languages" in page
    response = client.post(url, profile_form(profile, languages=["en-gb", "es"]))
    assert response.status_code == 302
    assert reviews_in(profile) == ["en-gb", "es"]


def test_whoever_may_assign_languages_cannot_assign_their_own(
    client, reviewer, second_reviewer, other_staff
):
    grant_assigning_languages(reviewer)
    client.force_login(reviewer)
    theirs = second_reviewer.contributor_profile
    url = reverse("admin:answers_contributorprofile_change", args=[theirs.pk])
    client.post(url, profile_form(theirs, languages=["en-gb", "es"]))
    assert reviews_in(theirs) == ["en-gb", "es"]
    own = reviewer.contributor_profile
    url = reverse("admin:answers_contributorprofile_change", args=[own.pk])
    assert 'name="languages" value="es" disabled id="id_languages_1">' in text(client.get(url))
    client.post(url, profile_form(own, languages=["en-gb", "es"]))
    assert reviews_in(own) == ["en-gb"]

    # Nor by linking their account to a profile that lists more languages.
    grant_assigning_languages(other_staff)
    other_staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_contributorprofile",
                                                 "change_contributorprofile"])
    )  # fmt: skip
    theirs.refresh_from_db()
    theirs.user = None
    theirs.save()
    client.force_login(other_staff)
    url = reverse("admin:answers_contributorprofile_change", args=[theirs.pk])
    page = text(client.post(url, profile_form(theirs, user=other_staff.pk)))
    assert "This profile reviews in Spanish: only an administrator can link it to your" in page
    assert ContributorProfile.objects.get(pk=theirs.pk).user is None


def test_an_answered_questions_language_and_original_stay_as_they_are(
    client, spanish, demo_answer, editor
):
    question = spanish.question
    url = reverse("admin:answers_question_change", args=[question.pk])
    client.force_login(editor)
    page = text(client.get(url))
    assert 'name="language"' not in page and 'name="translation_of"' not in page
    assert re.search(
        r'>Language</h2>\s*<div class="description">This question has an answer, written and '
        "reviewed in its language",
        page,
    )
    assert '<div class="readonly">Español</div>' in page
    assert (
        f'href="{reverse("admin:answers_question_change", args=[demo_answer.question.pk])}"' in page
    )
    response = client.post(
        url,
        {"text": question.text, "slug": question.slug, "topic": question.topic_id,
         "language": "ar", "translation_of": ""},
    )  # fmt: skip
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.language == "es" and question.translation_of == demo_answer.question
    # A question not answered yet can still be filed under its language and original.
    unanswered = Question.objects.create(
        text="¿Y en niños?", slug="y-en-ninos", topic=question.topic, language="es"
    )
    url = reverse("admin:answers_question_change", args=[unanswered.pk])
    page = text(client.get(url))
    assert 'name="language"' in page and 'name="translation_of"' in page


def test_a_reviewer_who_edited_a_languages_default_disclaimer_changed_only_that_languages(
    client, demo_answer, editor, spanish_reviewer
):
    # Topics without a disclaimer of their own: each answer shows its language's default.
    oncology = demo_answer.question.topic
    oncology.disclaimer = None
    oncology._history_user = editor
    oncology.save()
    spanish = start_spanish(demo_answer, editor)
    assert spanish.effective_disclaimer() == Disclaimer.objects.default("es")
    edit(spanish, editor, short_answer="Un resumen en español.")
    edit(demo_answer, editor, short_answer=demo_answer.short_answer + " Ask about trials.")
    spanish.transition("submit", editor)
    demo_answer.transition("submit", editor)

    default = Disclaimer.objects.default("es")
    default.body += " Consulte siempre a su médico."
    default._history_user = spanish_reviewer
    default.save()
    possibly = Answer.objects.filter(my_work._possibly_changed_by(spanish_reviewer))
    assert list(possibly) == [spanish]
    # Four eyes: they changed what the Spanish answer shows, not what the English one does.
    client.force_login(spanish_reviewer)
    page = text(client.get(reverse("admin:index")))
    awaiting = page[page.index('id="work-awaiting"') :]
    awaiting = awaiting[: awaiting.index("</section>")]
    assert demo_answer.question.text in awaiting and SPANISH_QUESTION not in awaiting


def test_blocks_pair_paragraphs_and_list_items():
    assert translating.blocks("research", "One [1].\n\n\nTwo [2].\r\n  \r\nThree.") == [
        "One [1].",
        "Two [2].",
        "Three.",
    ]
    assert translating.blocks("doctor_questions", "- A?\n\n- B?\n") == ["- A?", "- B?"]
    assert translating.blocks("short_answer", "  ") == []


def test_the_live_preview_grades_a_translation_by_its_languages_formula(
    client, demo_answer, editor
):
    draft = start_spanish(demo_answer, editor)
    client.force_login(editor)
    form = text(client.get(change_url(draft)))
    assert (
        'data-markdownx-urls-path="/admin/markdown-preview/?field=short_answer&language=es"' in form
    )
    spanish = client.post(
        "/admin/markdown-preview/?field=short_answer&language=es",
        {"content": "La terapia es segura. Pregunte a su médico."},
    ).content.decode()
    assert "Szigriszt-Pazos" in spanish
    english = client.post(
        "/admin/markdown-preview/?field=short_answer",
        {"content": "The therapy is safe. Ask your doctor."},
    ).content.decode()
    assert "Reading grade" in english and "Szigriszt" not in english


def test_a_submitted_translation_waits_for_the_reviewers_who_read_it_only(
    client, demo_answer, editor, reviewer, spanish_reviewer, smtp_server
):
    draft = start_spanish(demo_answer, editor)
    edit(draft, editor, short_answer="Un resumen en español.")
    with committed():
        draft.transition("submit", editor)
    # Mailed to the reviewer who reads Spanish, not to the one who may not approve it.
    assert [r for recipients, _ in smtp_server.messages for r in recipients] == [
        spanish_reviewer.email
    ]
    home = reverse("admin:index")
    client.force_login(spanish_reviewer)
    page = text(client.get(home))
    assert SPANISH_QUESTION in page[page.index('id="work-awaiting"') :]
    client.force_login(reviewer)
    page = text(client.get(home))
    awaiting = page[page.index('id="work-awaiting"') :]
    assert "Nothing is waiting for your review." in awaiting[: awaiting.index("</section>")]
