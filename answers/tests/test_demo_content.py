import re
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.http import HttpRequest

from answers.demo_content import (
    DEMO_FILE,
    DEMO_TRANSLATION_FILE,
    _source_fields,
    parse_answer_file,
)
from answers.models import (
    Answer,
    Authorship,
    ContributorProfile,
    Disclaimer,
    PublishedVersion,
    Question,
    Topic,
)
from answers.workflow.states import UPDATE_NOTE_LENGTH
from citations.markers import find_markers
from citations.models import Citation, Source

pytestmark = pytest.mark.django_db
User = get_user_model()

MODELS = [
    Topic, Disclaimer, Question, Answer, Source, Citation, Authorship, PublishedVersion,
    ContributorProfile,
]  # fmt: skip
SPANISH_URL = "/es/ask/terapias-car-t-esclerosis-multiple/"
SPANISH_QUESTION = (
    "¿Se están utilizando actualmente las terapias con células CAR-T para tratar la "
    "esclerosis múltiple, según revisiones recientes?"
)


def snapshot():
    return {
        model.__name__: (
            model.objects.count(),
            model.history.count() if hasattr(model, "history") else None,
        )
        for model in MODELS
    }


def test_demo_content_is_submitted_and_approved_by_the_demo_accounts(settings):
    settings.DEBUG = True
    call_command("create_demo_accounts")
    call_command("load_demo_content")
    answer = Answer.objects.published().get(question__translation_of=None)
    assert answer.live_version.reviewer_name == "Dr Robin Reviewer"
    assert [t.action for t in answer.transitions.order_by("at")] == ["submit", "approve"]
    assert answer.question.topic.name == "Oncology"
    assert list(answer.citations.values_list("number", "source__pmid")) == [
        (1, "39450112"),
        (9, "37748491"),
        (10, ""),
        (11, "39276207"),
    ]
    # The published page numbers its citations 9, 10, 11, 1: AMA wants first-use order.
    assert [p.code for p in answer.citation_problems()] == ["order"]
    assert Disclaimer.objects.default().body.startswith("This question is drawn")


def test_demo_sources_carry_the_evidence_types_the_file_gives(settings):
    settings.DEBUG = True
    call_command("create_demo_accounts")
    call_command("load_demo_content")
    assert dict(Source.objects.values_list("pmid", "evidence_type")) == {
        "39450112": Source.EvidenceType.NARRATIVE_REVIEW,
        "37748491": Source.EvidenceType.NARRATIVE_REVIEW,  # "review": a Lancet Seminar
        "": Source.EvidenceType.PHASE_1,
        "39276207": Source.EvidenceType.SYSTEMATIC_REVIEW,
    }
    original = Answer.objects.get(question__translation_of=None)
    labels = [ref["evidence"] for ref in original.live_version.references]
    assert labels == [
        "Narrative review", "Narrative review", "Phase 1 trial",
        "Systematic review / meta-analysis",
    ]  # fmt: skip


def test_a_reference_the_file_gives_no_type_is_left_for_a_reviewer():
    assert _source_fields({"title": "A paper"})["evidence_type"] == Source.EvidenceType.NOT_SET


def test_demo_content_without_reviewer_stays_a_draft(capsys):
    call_command("load_demo_content")
    out = capsys.readouterr().out
    assert "Loaded as a draft" in out
    # A translation starts from an approved version: there is none to start from.
    assert "No translation loaded" in out
    assert not Question.objects.filter(language="es").exists()
    assert not Answer.objects.published().exists()
    assert Answer.objects.get().status == Answer.Status.DRAFT


def test_loading_twice_changes_nothing(settings):
    settings.DEBUG = True
    call_command("create_demo_accounts")
    call_command("load_demo_content")
    before = snapshot()
    assert before["Answer"][0] == 2  # the English answer and its Spanish translation
    call_command("load_demo_content")
    assert snapshot() == before


def test_demo_accounts_are_refused_without_debug(settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError, match="only with DEBUG=1"):
        call_command("create_demo_accounts")


def test_demo_accounts_can_sign_in_to_the_admin(client, settings):
    settings.DEBUG = True
    call_command("create_demo_accounts")
    call_command("create_demo_accounts")  # twice: nothing changes
    # django-axes counts sign-ins per client, so authenticate() needs a request.
    assert client.login(request=HttpRequest(), username="editor", password="editor-demo-pass")
    assert client.get("/admin/answers/answer/").status_code == 200


def load_demo(settings):
    settings.DEBUG = True
    call_command("create_demo_accounts")
    call_command("load_demo_content")


def test_the_spanish_translation_is_live_at_its_own_address(client, settings):
    load_demo(settings)
    original = Answer.objects.get(question__language="en-gb")
    spanish = Answer.objects.published().get(question__language="es")
    response = client.get(SPANISH_URL)
    assert response.status_code == 200
    assert response["Content-Language"] == "es"
    page = response.content.decode()
    assert re.search(r'<html[^>]* lang="es"', page)
    assert re.search(r"<h1>\s*" + re.escape(SPANISH_QUESTION) + r"\s*</h1>", page)
    assert "En la esclerosis múltiple (EM), el objetivo es" in page
    assert "Esta pregunta procede de preguntas habituales de los pacientes sobre Oncología" in page
    # Marked on the page as example content, in Spanish: the public update note...
    assert "Contenido de ejemplo: una traducción hecha para la demostración" in page
    # ...and the reviewer's bio.
    assert "Revisora ficticia de la demostración de qasite" in page
    assert "are-car-t-cell-therapies" not in spanish.get_absolute_url()
    assert spanish.get_absolute_url() == SPANISH_URL
    # It follows the English version on the site, and says so in its own approval.
    assert spanish.follows == original.live_version
    assert spanish.live_version.follows == original.live_version
    assert spanish.live_version.language == "es"
    assert spanish.question.translation_of == original.question
    assert spanish.question.topic.translation_of == original.question.topic
    assert spanish.live_version.topic_name == "Oncología"


def test_the_spanish_translation_is_approved_by_a_reviewer_who_reads_spanish(settings):
    load_demo(settings)
    spanish = Answer.objects.published().get(question__language="es")
    steps = [(t.action, t.user.username) for t in spanish.transitions.order_by("at")]
    assert steps == [("submit", "editor"), ("approve", "revisora")]
    version = spanish.live_version
    assert version.reviewer.contributor_profile.languages == ["es", "en-gb"]
    assert version.reviewer_name == "Dra. Lucía Revisora"
    # The translator is its writer, named with credentials and a declaration (JAMA).
    assert [a["display_name"] for a in version.authors] == ["Erin Editor"]
    assert version.authors[0]["disclosures"] == "None declared"
    # The English reviewers review English only: the approval in Spanish was hers to give.
    assert ContributorProfile.objects.get(user__username="reviewer").languages == ["en-gb"]
    spanish_default = Disclaimer.objects.default("es")
    assert spanish_default.translation_of == Disclaimer.objects.default()
    assert "{topic}" in spanish_default.body


def test_the_translation_cites_the_same_sources_at_the_same_places(settings):
    load_demo(settings)
    original = Answer.objects.get(question__language="en-gb").live_version
    spanish = Answer.objects.get(question__language="es").live_version
    assert [m.text for m in find_markers(spanish.research)] == ["[9]", "[10]", "[11]", "[1]"]
    assert Counter(m.text for m in find_markers(spanish.research)) == Counter(
        m.text for m in find_markers(original.research)
    )
    assert [(r["number"], r["source_id"]) for r in spanish.references] == [
        (r["number"], r["source_id"]) for r in original.references
    ]
    assert Source.objects.count() == 4  # shared, not copied
    assert [p.code for p in Answer.objects.get(question__language="es").citation_problems()] == [
        "order"
    ]  # as the English: 9, 10, 11, 1 is the published page's numbering


def test_the_translation_file_says_what_the_english_file_says():
    english = parse_answer_file(DEMO_FILE.read_text(encoding="utf-8"))
    spanish = parse_answer_file(DEMO_TRANSLATION_FILE.read_text(encoding="utf-8"))
    for section in ["topic", "question", "short answer", "what the research says",
                    "what to ask your doctor", "disclaimer"]:  # fmt: skip
        assert spanish[section], section
    assert spanish["topic"] == "Oncología"
    assert spanish["slug"] == "terapias-car-t-esclerosis-multiple"
    assert spanish["references"] == {}  # it cites the English answer's sources

    def between_markers(text):
        """Each stretch of text up to a marker: its numbers and its count of sentences."""
        stretches = re.split(r"\[\d+\]", text)
        return [
            (Counter(re.findall(r"\d+", stretch)), len(re.findall(r"[.?!:](\s|$)", stretch)))
            for stretch in stretches
        ]

    # Every figure (years, phase 1, 12 patients, CD19) and every marker where the English has
    # them: the same number of sentences before each marker.
    research = spanish["what the research says"], english["what the research says"]
    assert between_markers(research[0]) == between_markers(research[1])
    assert find_markers(spanish["short answer"]) == ()
    questions = [q for q in spanish["what to ask your doctor"].splitlines() if q.startswith("- ¿")]
    assert len(questions) == len(english["what to ask your doctor"].splitlines()) == 5
    assert spanish["disclaimer"].count("{topic}") == english["disclaimer"].count("{topic}") == 1
    assert 0 < len(spanish["update note"]) <= UPDATE_NOTE_LENGTH


def test_a_site_with_the_english_demo_only_gets_the_spanish_added(settings):
    settings.DEBUG = True
    call_command("create_demo_accounts")
    call_command("load_demo_content", translation="")  # the demo before translations
    original = Answer.objects.get()
    english_version = original.live_version
    call_command("load_demo_content")
    assert Answer.objects.published().get(question__language="es").follows == english_version
    original.refresh_from_db()
    assert original.live_version == english_version
    assert original.versions.count() == 1


def test_no_translation_is_loaded_once_the_english_text_on_the_site_changed(settings, capsys):
    settings.DEBUG = True
    call_command("create_demo_accounts")
    call_command("load_demo_content", translation="")
    original = Answer.objects.get()
    original.short_answer = "CAR-T cell therapy is not approved for MS yet."
    original._history_user = User.objects.get(username="editor")
    original.save()
    original.record_edit(original._history_user)
    original.transition("submit", original._history_user)
    original.transition("approve", User.objects.get(username="reviewer2"))
    capsys.readouterr()
    call_command("load_demo_content")
    # The file translates the text it was loaded with; it would not follow this version.
    assert "No translation loaded: the demo answer on the site is no longer the text of " in (
        capsys.readouterr().out
    )
    assert not Question.objects.filter(language="es").exists()
