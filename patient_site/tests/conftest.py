"""Fixtures of the public site's tests: an answer published in two languages."""

import pytest

from answers import languages, translation
from answers.testing import publish, translated_disclaimer

SPANISH_QUESTION = "¿Se usan ya las terapias CAR-T para tratar la esclerosis múltiple?"
SPANISH_SLUG = "terapias-car-t-esclerosis-multiple"


@pytest.fixture
def spanish(demo_answer, editor, reviewer):
    """The demo answer's Spanish translation, started by the editor from the live version,
    and approved by the reviewer, whose profile now lists Spanish."""
    profile = reviewer.contributor_profile
    profile.languages = [languages.default(), "es"]
    profile.save()
    translated_disclaimer(demo_answer)
    draft = translation.start(
        demo_answer, "es", SPANISH_QUESTION, SPANISH_SLUG, editor, topic_name="Oncología"
    )
    draft.short_answer = (
        "La terapia con células CAR-T todavía no está aprobada para la esclerosis múltiple "
        "(EM), pero se está probando en ensayos clínicos."
    )
    draft.research = (
        "Una revisión de 2023 describe remisiones en el lupus [9]. Un ensayo de fase 1 de "
        "2025 fue seguro en cinco pacientes con EM progresiva [10]. Una revisión "
        "sistemática de 2024 recoge ensayos en curso [11], y otra revisión señala costes "
        "elevados [1]."
    )
    draft.doctor_questions = "- ¿Hay ensayos clínicos para los que yo podría reunir los requisitos?"
    draft._history_user = editor
    draft.save()
    draft.record_edit(editor)
    return publish(draft, editor, reviewer)
