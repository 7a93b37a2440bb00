"""The demo answer's Spanish translation, as the tests of delivery/ publish it on the test
database (`translate`; the `spanish_answer` fixture in conftest.py)."""

SPANISH_SLUG = "terapias-car-t-esclerosis-multiple-prueba"
SPANISH_QUESTION = "¿Se usan ya las terapias CAR-T para tratar la esclerosis múltiple?"
SPANISH_SHORT_ANSWER = "Todavía no: solo en ensayos clínicos."


def translate(original, editor, reviewer):
    """`original`'s Spanish translation, on the site: started from its live version and
    translated by `editor`, approved by `reviewer`, whose profile now lists Spanish."""
    from answers import translation
    from answers.testing import committed, publish, translated_disclaimer

    profile = reviewer.contributor_profile
    if "es" not in profile.languages:
        profile.languages = [*profile.languages, "es"]
        profile.save()
    with committed():
        translated_disclaimer(original)
        draft = translation.start(
            original, "es", SPANISH_QUESTION, SPANISH_SLUG, editor, topic_name="Oncología"
        )
        draft.short_answer = SPANISH_SHORT_ANSWER
        draft._history_user = editor
        draft.save()
        draft.record_edit(editor)
    return publish(draft, editor, reviewer)
