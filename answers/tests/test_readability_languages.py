"""Readability per language (issue 26): Spanish by textstat's Szigriszt-Pazos reading
ease against the Spanish target, Arabic not graded, English as before; the grading of one
language leaves the next one's alone."""

import pytest
import textstat

from answers import readability
from answers.tests.test_search_languages import SPANISH, spanish_translation

PREVIEW = "/admin/markdown-preview/"
ENGLISH = (
    "We can help. The test is quick. It does not hurt. You can go home the same day. "
    "Immunomodulatory therapeutic interventions demonstrated considerable heterogeneity."
)
EASY_ES = "La prueba es corta. No duele. Puede ir a casa el mismo día si se siente bien."
HARD_ES = (
    "Las intervenciones terapéuticas inmunomoduladoras demostraron una heterogeneidad "
    "considerable respecto a la eficacia entre las poblaciones investigadas."
)


@pytest.fixture
def textstat_in_spanish():
    """textstat's own Szigriszt-Pazos, with its process-wide language set to Spanish; set
    back to its default after."""
    textstat.set_lang("es")
    yield textstat.szigriszt_pazos
    textstat.set_lang("en_US")


def test_spanish_is_graded_by_szigriszt_pazos_against_the_spanish_target(
    textstat_in_spanish, settings
):
    text = f"{EASY_ES} {HARD_ES}"
    section = readability.grade_section("short_answer", text, language="es")
    assert section.grade == pytest.approx(textstat_in_spanish(text))
    assert section.grade != pytest.approx(readability.grade_of(text))  # English's formula
    assert section.target == settings.READABILITY_TARGETS["es"] == 55
    # A reading ease: higher is easier, and the hardest sentence is the least easy one.
    assert section.misses_target  # 46.7: below 55
    assert [s.text for s in section.hardest] == [HARD_ES]
    assert section.verdict == "below the target of 55 or more"
    assert section.about.startswith("Szigriszt-Pazos reading ease, from 0 (hardest) to 100")
    assert "the target is 55 or more" in section.about
    easy = readability.grade_section("short_answer", f"{EASY_ES} {EASY_ES}", language="es")
    # Above 100 for such short sentences, shown at the scale's top.
    assert easy.grade > 100 and easy.shown_grade == 100 and not easy.misses_target
    assert easy.hardest == []
    assert easy.verdict == "within the target of 55 or more"


def test_english_grading_is_unchanged_after_a_spanish_one(textstat_in_spanish):
    before = readability.grade_section("short_answer", ENGLISH)
    readability.grade_section("short_answer", f"{EASY_ES} {HARD_ES}", language="es")
    # textstat's own language is still Spanish here: the English grade does not read it.
    after = readability.grade_section("short_answer", ENGLISH, language="en-gb")
    assert after.grade == before.grade
    textstat.set_lang("en_US")
    assert after.grade == pytest.approx(textstat.flesch_kincaid_grade(ENGLISH))


def test_arabic_is_not_graded_with_another_languages_formula():
    arabic = "العلاج بالخلايا التائية هو نوع من العلاج يستخدم خلايا المريض المناعية. " * 3
    section = readability.grade_section("short_answer", arabic, language="ar")
    assert section.grade is None and section.hardest == [] and not section.misses_target
    assert section.verdict == "not graded: no readability formula is applied to Arabic text"
    assert section.about == "No readability formula is applied to Arabic text."
    html = readability.preview("short_answer", arabic, language="ar")
    assert "no readability formula is applied to Arabic text" in html
    assert 'data-grade=""' in html and "<mark" not in html


def test_the_spanish_preview_names_its_scale(settings):
    html = readability.preview("short_answer", f"{EASY_ES} {HARD_ES}", language="es")
    assert 'class="readability-check above"' in html
    assert "<strong>Reading ease (Szigriszt-Pazos) 46.7</strong>: below the target of 55" in html
    assert f'<mark class="hard-sentence">{HARD_ES}</mark>' in html
    assert f"<li><mark>{HARD_ES}</mark> (ease " in html
    assert "raise the score" in html
    settings.READABILITY_TARGETS = {**settings.READABILITY_TARGETS, "es": 40}
    html = readability.preview("short_answer", f"{EASY_ES} {HARD_ES}", language="es")
    assert 'class="readability-check within"' in html
    assert "within the target of 40 or more" in html
    # The section reaches the target; its hardest sentence (-23: shown as 0) still does not.
    assert f"<li><mark>{HARD_ES}</mark> (ease 0.0)</li>" in html


def test_a_translation_is_graded_in_its_questions_language(demo_answer, editor, reviewer):
    spanish = spanish_translation(demo_answer, editor, reviewer)
    grades = {g.field: g for g in readability.grade_answer(spanish)}
    assert grades["short_answer"].formula is readability.FORMULAS["es"]
    assert grades["short_answer"].grade == pytest.approx(
        readability.grade_section("short_answer", SPANISH["short_answer"], language="es").grade
    )
    english = {g.field: g for g in readability.grade_answer(demo_answer)}
    assert english["short_answer"].formula is readability.FORMULAS["en"]
