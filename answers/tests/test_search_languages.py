"""Search in each language (issue 26): a version's vector and a search's query use the
language's PostgreSQL text search configuration, Spanish stems for Spanish, and a search
in one language finds that language's answers only."""

import re

from django.db import connection

from answers import languages, search, translation
from answers.testing import publish, translated_disclaimer
from answers.tests.test_workflow import edit

# The Spanish translation of the demo answer (answers/demo/car-t-ms.md), shortened: the
# same claims and the same citation markers.
SPANISH = {
    "question_text": "¿Se usan ya las terapias CAR-T para tratar la esclerosis múltiple?",
    "slug": "terapias-car-t-esclerosis-multiple",
    "short_answer": (
        "La terapia con células CAR-T usa las propias células inmunitarias del paciente, "
        "modificadas en un laboratorio. Todavía no está aprobada para la esclerosis "
        "múltiple, pero los primeros resultados sugieren que el enfoque es seguro."
    ),
    "research": (
        "Una revisión de 2023 explica que el rituximab no elimina todos los linfocitos B "
        "autorreactivos [9]. Un ensayo de fase 1 de 2025 trató a cinco pacientes con "
        "esclerosis múltiple progresiva [10]. Una revisión sistemática de 2024 identificó "
        "ensayos clínicos en curso [11]. Una revisión narrativa señala costos elevados [1]."
    ),
    "doctor_questions": "- ¿Hay ensayos clínicos para los que podría reunir los requisitos?",
}
# "segura" is not in the text; "seguro" is. Spanish stems both to 'segur', English stems
# keep them apart ('segura', 'seguro'): a search that finds one by the other used Spanish.
WRITTEN, SEARCHED = "seguro", "segura"


def spanish_translation(original, editor, reviewer):
    """`original` (the demo answer) translated into Spanish by `editor` and approved by
    `reviewer`, whose profile then lists Spanish: on the site at /es/ask/<slug>/."""
    translated_disclaimer(original)
    draft = translation.start(
        original, "es", SPANISH["question_text"], SPANISH["slug"], editor, topic_name="Oncología"
    )
    edit(
        draft,
        editor,
        short_answer=SPANISH["short_answer"],
        research=SPANISH["research"],
        doctor_questions=SPANISH["doctor_questions"],
    )
    profile = reviewer.contributor_profile
    profile.languages = [languages.default(), "es"]
    profile.save()
    publish(draft, editor, reviewer)
    draft.refresh_from_db()
    assert draft.live_version is not None and draft.live_version.language == "es"
    return draft


def matches(config, text, words):
    """Whether `text` matches the search `words`, both read with `config`."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT to_tsvector(%s::regconfig, %s) @@ websearch_to_tsquery(%s::regconfig, %s)",
            [config, text, config, words],
        )
        return cursor.fetchone()[0]


def result_links(client, path):
    html = client.get(path).content.decode()
    return re.findall(r'<h2><a href="([^"]+)"', html), html


def test_a_spanish_answer_is_found_by_another_spanish_word_form(
    client, demo_answer, editor, reviewer
):
    spanish = spanish_translation(demo_answer, editor, reviewer)
    text = spanish.live_version.short_answer
    assert WRITTEN in text and SEARCHED not in text.lower()
    # Spanish stems match the pair; English stems would not have.
    assert matches("spanish", text, SEARCHED) and not matches("english", text, SEARCHED)

    links, html = result_links(client, f"/es/search/?q={SEARCHED}")
    assert links == [f"/es/ask/{SPANISH['slug']}/"]
    # The snippet marks the word as the text has it.
    assert f"<mark>{WRITTEN}</mark>" in html
    # A hyphenated word, asked as its compound in the Spanish configuration too.
    assert result_links(client, "/es/search/?q=CAR-T+ensayo")[0] == [f"/es/ask/{SPANISH['slug']}/"]


def test_each_language_searches_its_own_answers_only(client, demo_answer, editor, reviewer):
    spanish_translation(demo_answer, editor, reviewer)
    # "rituximab" is in both texts.
    english, _ = result_links(client, "/search/?q=rituximab")
    assert english == [demo_answer.get_absolute_url()]
    spanish, _ = result_links(client, "/es/search/?q=rituximab")
    assert spanish == [f"/es/ask/{SPANISH['slug']}/"]
    # A Spanish word form finds nothing in English, and an English one nothing in Spanish.
    assert result_links(client, f"/search/?q={SEARCHED}")[0] == []
    assert result_links(client, "/es/search/?q=trials")[0] == []


def test_each_version_stores_its_languages_vector(demo_answer, editor, reviewer):
    spanish = spanish_translation(demo_answer, editor, reviewer)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT search_vector::text FROM answers_publishedversion WHERE id = %s",
            [spanish.live_version_id],
        )
        vector = cursor.fetchone()[0]
    assert "'segur':" in vector and "'ensay':" in vector  # Spanish stems
    assert "'seguro'" not in vector
    # Re-storing it (as approval does) gives the same vector.
    search.refresh_vector(spanish.live_version)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT search_vector::text FROM answers_publishedversion WHERE id = %s",
            [spanish.live_version_id],
        )
        assert cursor.fetchone()[0] == vector
