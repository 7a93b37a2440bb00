"""Translating in real Chromium, on the demo content: the editor translates the live English
answer into Spanish beside its original (adding the disclaimer's Spanish translation first,
when asked to) and submits it; only a reviewer who reads Spanish, as an administrator set on
their profile, approves it. When the English original is approved again, the demo's Spanish
translation is flagged where its writer and its reviewer look, and its translator brings it
up to date."""

import io
import os

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from answers.models import Answer
from answers.testing import PASSWORD, sign_in, sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.path.join(os.environ.get("QASITE_SHOTS", "/tmp/shots"), "translation")

SPANISH = {
    "short_answer": "La terapia CAR-T usa células inmunitarias del propio paciente, "
    "modificadas en un laboratorio para atacar a las células que causan la enfermedad. Aún "
    "no está aprobada para la esclerosis múltiple (EM), pero varios ensayos clínicos la "
    "están probando.",
    "research": "Una revisión de 2023 en The Lancet explica que las células CAR-T dirigidas "
    "contra CD19 lograron la remisión completa en el lupus, y que esta estrategia se estudia "
    "en la EM [9]. Un ensayo de fase 1 de 2025 trató a cinco pacientes con EM progresiva con "
    "células CAR-T anti-BCMA; el tratamiento fue seguro [10]. Una revisión sistemática de "
    "2024 encontró ensayos en curso [11]. Una revisión narrativa señala que el coste y el "
    "tiempo de fabricación siguen siendo obstáculos [1].",
    "doctor_questions": "- ¿Hay ensayos clínicos de CAR-T para la EM en los que pueda "
    "participar?\n- ¿Qué riesgos tiene la terapia CAR-T según los primeros estudios?",
}
QUESTION = "¿Se usan ya las terapias CAR-T para tratar la esclerosis múltiple?"
DISCLAIMER = (
    "Esta pregunta procede de preguntas habituales de los pacientes sobre {topic} y se responde "
    "a partir de investigaciones médicas citadas. No ofrecemos asesoramiento individualizado."
)


@pytest.fixture
def english_demo(settings):
    """The demo accounts and the English demo answer on the site, without the Spanish
    translation the demo also loads: the test makes that one."""
    settings.DEBUG = True  # the demo accounts are refused otherwise, as on a real server
    call_command("create_demo_accounts", stdout=io.StringIO())
    settings.DEBUG = False
    call_command("load_demo_content", translation="", stdout=io.StringIO())
    return Answer.objects.get()


def take_step(page, label):
    """Open a workflow step from the answer's page and take it."""
    page.click(f".workflow a.button:has-text('{label}')")
    page.click(f"input[type=submit][value='{label}']")
    expect(page.locator(".messagelist")).to_contain_text(f"{label}: done.")


def fill_in_the_translation(page):
    page.select_option("#id_language", "es")
    page.fill("#id_question", QUESTION)
    expect(page.locator("#id_slug")).to_have_value(
        "se-usan-ya-las-terapias-car-t-para-tratar-la-esclerosis-multiple"
    )
    page.fill("#id_slug", "car-t-esclerosis-multiple")
    page.fill("#id_topic_name", "Oncología")


def test_an_editor_translates_and_only_a_reviewer_who_reads_spanish_approves(
    chromium, live_server, english_demo, django_user_model
):
    demo = english_demo
    editor = sign_in_as(chromium, live_server, "editor")
    editor.set_viewport_size({"width": 1280, "height": 1000})
    editor.goto(f"{live_server.url}/admin/answers/answer/{demo.pk}/change/")
    with editor.expect_navigation():  # and its script, before anything is typed
        editor.click(".workflow a.button:has-text('Translate into…')")
    translate_url = editor.url
    fill_in_the_translation(editor)
    editor.click("input[type=submit][value='Start the translation']")

    # Patients must read the disclaimer in Spanish too: it is translated first.
    note = editor.locator(".errornote")
    expect(note).to_contain_text("that the original shows has no Spanish translation yet")
    editor.screenshot(path=f"{SHOTS}/translate-refused-disclaimer.png", full_page=True)
    note.locator('a:has-text("Add the disclaimer\'s translation")').click()
    expect(editor.locator("#id_language")).to_have_value("es")
    expect(editor.locator("#id_translation_of")).to_have_value(str(demo.effective_disclaimer().pk))
    editor.fill("#id_title", "Aviso")
    editor.fill("#id_body", DISCLAIMER)
    editor.click("input[name=_save]")
    expect(editor.locator(".messagelist")).to_contain_text("was added successfully")

    editor.goto(translate_url)
    fill_in_the_translation(editor)
    editor.screenshot(path=f"{SHOTS}/translate-page.png", full_page=True)
    editor.click("input[type=submit][value='Start the translation']")

    # The Spanish draft, with the English original's paragraphs beside it.
    expect(editor.locator(".messagelist")).to_contain_text("The Spanish translation is a draft")
    panel = editor.locator(".side-by-side")
    expect(panel.locator("summary")).to_contain_text("Original (approved version 1 of")
    english = panel.locator("td[lang='en-GB']")
    expect(english.first).to_contain_text("CAR-T cell therapy is a type of treatment")
    expect(panel).to_contain_text("[9]")
    for name, text in SPANISH.items():
        editor.fill(f"#id_{name}", text)
    editor.click("input[name=_continue]")
    expect(editor.locator(".side-by-side td[lang='es']").first).to_contain_text(
        "La terapia CAR-T usa células inmunitarias"
    )
    expect(english.first).to_contain_text("CAR-T cell therapy is a type of treatment")
    editor.screenshot(path=f"{SHOTS}/translation-change-form.png", full_page=True)
    take_step(editor, "Submit for review")
    spanish = Answer.objects.get(question__language="es")
    assert spanish.status == Answer.Status.IN_REVIEW

    # A reviewer who does not read Spanish is refused, and told why.
    reviewer = sign_in_as(chromium, live_server, "reviewer")
    reviewer.goto(f"{live_server.url}/admin/answers/answer/{spanish.pk}/workflow/approve/")
    expect(reviewer.locator(".errornote")).to_contain_text(
        "This answer is in Spanish, and your reviewer profile does not list Spanish among "
        "the languages you review in"
    )
    expect(reviewer.locator(".translation-of")).to_contain_text(
        f"This is the Spanish translation of “{demo.question.text}”"
    )
    expect(reviewer.locator("input[type=submit][value='Approve and publish']")).to_have_count(0)
    reviewer.screenshot(path=f"{SHOTS}/approve-refused.png", full_page=True)

    # The second reviewer reads Spanish: an administrator says so on their profile. They
    # see it there, and cannot change it themselves.
    administrator = django_user_model.objects.create_superuser(
        "ada", "ada@qasite.example", PASSWORD, first_name="Ada"
    )
    ada = chromium.new_context().new_page()
    sign_in(ada, live_server, administrator)
    ada.goto(f"{live_server.url}/admin/answers/contributorprofile/")
    ada.click("a:has-text('Dr Sam Second')")
    ada.check("input[name=languages][value=es]")
    ada.click("input[name=_save]")
    expect(ada.locator(".messagelist")).to_contain_text("was changed successfully")
    second = sign_in_as(chromium, live_server, "reviewer2")
    second.goto(f"{live_server.url}/admin/answers/contributorprofile/")
    second.click("a:has-text('Dr Sam Second')")
    spanish_box = second.locator("input[name=languages][value=es]")
    expect(spanish_box).to_be_checked()
    expect(spanish_box).to_be_disabled()
    expect(second.locator(".field-languages .help")).to_contain_text(
        "Only an administrator (someone allowed to assign review languages) can change them"
    )
    second.locator(".field-languages").screenshot(path=f"{SHOTS}/own-profile-languages.png")
    second.goto(f"{live_server.url}/admin/")
    second.click("#work-awaiting a:has-text('¿Se usan ya las terapias CAR-T')")
    expect(second.locator(".side-by-side")).to_contain_text("La terapia CAR-T usa células")
    second.click("input[type=submit][value='Approve and publish']")
    expect(second.locator(".messagelist")).to_contain_text("Approve and publish: done.")
    spanish.refresh_from_db()
    assert spanish.is_published and spanish.follows == demo.live_version


def test_a_translation_behind_its_original_is_flagged_and_brought_up_to_date(
    chromium, live_server, demo
):
    spanish = Answer.objects.get(question__translation_of=demo.question)
    followed = spanish.follows
    assert followed == demo.live_version and spanish.is_published
    question = spanish.question.text[:100]  # as lists show it, cut

    # The editor changes the English original; a reviewer approves it (four eyes).
    editor = sign_in_as(chromium, live_server, "editor")
    editor.set_viewport_size({"width": 1280, "height": 1000})
    editor.goto(f"{live_server.url}/admin/answers/answer/{demo.pk}/change/")
    editor.fill(
        "#id_short_answer",
        editor.input_value("#id_short_answer") + " Ask your neurologist about trials near you.",
    )
    editor.click("input[name=_continue]")
    take_step(editor, "Submit for review")
    reviewer = sign_in_as(chromium, live_server, "reviewer")
    reviewer.goto(f"{live_server.url}/admin/answers/answer/{demo.pk}/change/")
    take_step(reviewer, "Approve and publish")
    demo.refresh_from_db()
    assert demo.live_version != followed

    # Flagged in My work, for its writer and for the reviewer who reads Spanish.
    editor.goto(f"{live_server.url}/admin/")
    behind = editor.locator("#work-behind")
    expect(behind).to_contain_text(question)
    expect(behind).to_contain_text("Spanish, published: the original was approved again on")
    editor.locator("#my-work").screenshot(path=f"{SHOTS}/my-work-behind.png")
    revisora = sign_in_as(chromium, live_server, "revisora")
    revisora.goto(f"{live_server.url}/admin/")
    expect(revisora.locator("#work-behind")).to_contain_text(question)

    # And in the answers due for review, with the reason.
    revisora.goto(f"{live_server.url}/admin/desk/reviewqueue/")
    revisora.click("#changelist-filter a:has-text('Translation behind its original')")
    row = revisora.locator("#result_list tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Behind its original, approved again")
    revisora.screenshot(path=f"{SHOTS}/review-queue-behind.png", full_page=True)

    # Its page says what changed in the original since; the translator brings it up to date.
    editor.click("#work-behind a")
    notice = editor.locator(".behind")
    expect(notice).to_contain_text(
        f"The English original was approved again on "
        f"{demo.live_version.reviewed_on:%-d %b %Y}, after the version this translation "
        f"follows (approved {followed.reviewed_on:%-d %b %Y})."
    )
    expect(notice.locator("ins")).to_contain_text("Ask your neurologist about trials near you.")
    editor.screenshot(path=f"{SHOTS}/translation-behind.png", full_page=True)
    editor.click("input[type=submit][value='I have brought it up to date']")
    expect(editor.locator(".messagelist")).to_contain_text(
        "It now follows the original's approved version on the site."
    )
    expect(editor.locator(".behind")).to_have_count(0)
    expect(editor.locator("#workflow-title")).to_have_text("Status: Draft")
    spanish.refresh_from_db()
    assert spanish.follows == demo.live_version and spanish.status == Answer.Status.DRAFT
    editor.goto(f"{live_server.url}/admin/")
    expect(editor.locator("#work-behind")).to_contain_text("No translation is behind")
