"""Editors write answers with inline citations in the admin."""

import pytest
from django.urls import reverse

from answers.models import Answer, Question, Topic
from citations.models import Citation, Source

pytestmark = pytest.mark.django_db


@pytest.fixture
def question(db):
    topic = Topic.objects.create(name="Cardiology", slug="cardiology")
    return Question.objects.create(
        text="Does aspirin prevent a first heart attack?", slug="aspirin", topic=topic
    )


@pytest.fixture
def sources(db):
    return [
        Source.objects.create(
            title="Aspirin trial", authors="Doe J", doi="10.1000/a1",
            evidence_type=Source.EvidenceType.RCT,
        ),
        Source.objects.create(
            title="Aspirin meta-analysis", authors="Roe R", pmid="123",
            evidence_type=Source.EvidenceType.SYSTEMATIC_REVIEW,
        ),
    ]  # fmt: skip


def answer_post(question, research, citations, **extra):
    data = {
        "question": question.pk,
        "short_answer": "For most people without heart disease, no.",
        "research": research,
        "doctor_questions": "Should I take aspirin?\nWhat about bleeding?",
        "change_reason": "First draft",
        "citations-TOTAL_FORMS": len(citations),
        "citations-INITIAL_FORMS": 0,
        "citations-MIN_NUM_FORMS": 0,
        "citations-MAX_NUM_FORMS": 1000,
        "authorships-TOTAL_FORMS": 0,
        "authorships-INITIAL_FORMS": 0,
        "authorships-MIN_NUM_FORMS": 0,
        "authorships-MAX_NUM_FORMS": 1000,
    }
    for index, (number, source) in enumerate(citations):
        data[f"citations-{index}-number"] = number
        data[f"citations-{index}-source"] = source.pk
        data[f"citations-{index}-locator"] = ""
    data.update(extra)
    return data


def test_add_page_has_markdown_editors_with_live_preview(client, editor):
    client.force_login(editor)
    page = client.get(reverse("admin:answers_answer_add")).content.decode()
    assert page.count('class="markdownx-preview"') == 3  # the three sections
    for section in ("short_answer", "research", "doctor_questions"):
        assert f'data-markdownx-urls-path="/admin/markdown-preview/?field={section}"' in page
    assert "citations-TOTAL_FORMS" in page
    assert "Reason for this change" in page


def test_editor_adds_answer_with_citations(client, editor, question, sources):
    client.force_login(editor)
    response = client.post(
        reverse("admin:answers_answer_add"),
        answer_post(
            question,
            "Trials show little benefit [1] and some harm [2].",
            [
                (1, sources[0]),
                (2, sources[1]),
            ],
        ),  # fmt: skip
        follow=True,
    )
    assert response.status_code == 200
    answer = Answer.objects.get(question=question)
    assert answer.author == editor
    assert [(c.number, c.source.title) for c in answer.citations.all()] == [
        (1, "Aspirin trial"),
        (2, "Aspirin meta-analysis"),
    ]
    assert "[1]" in answer.research and answer.build_version().research_html.count("#ref-1") == 1
    assert answer.history.first().history_change_reason == "First draft"
    assert answer.history.first().history_user == editor


def test_marker_without_citation_refuses_save_and_keeps_the_text(client, editor, question, sources):
    client.force_login(editor)
    research = "Trials show little benefit [1] and a new finding [7]."
    response = client.post(
        reverse("admin:answers_answer_add"), answer_post(question, research, [(1, sources[0])])
    )
    page = response.content.decode()
    assert response.status_code == 200
    message = "Marker [7] points to no citation of this answer."
    research_row = page[page.index("field-research") : page.index("field-doctor_questions")]
    assert message in research_row  # on the field the editor typed it in
    assert page.count(message) == 2  # and above the citations table
    assert research in page  # what the editor typed is still in the form
    assert "For most people without heart disease, no." in page
    assert not Answer.objects.exists()


def test_uncited_citation_saves_with_a_warning(client, editor, question, sources):
    # A draft may be mid-edit: the save keeps it; submission and approval refuse it.
    client.force_login(editor)
    response = client.post(
        reverse("admin:answers_answer_add"),
        answer_post(question, "Little benefit [1].", [(1, sources[0]), (2, sources[1])]),
        follow=True,
    )
    page = response.content.decode()
    assert (
        "Citation 2 (“Roe R · Aspirin meta-analysis”) is not cited in the text: cite it where "
        "it supports a sentence, or delete it." in page
    )
    assert Citation.objects.filter(answer__question=question).count() == 2
    answer = Answer.objects.get(question=question)
    refusal = answer.refusal("submit", editor)
    assert "Citation 2 (“Roe R · Aspirin meta-analysis”) is not cited in the text" in refusal


def test_a_source_without_evidence_type_saves_with_a_warning(client, editor, question, sources):
    sources[1].evidence_type = Source.EvidenceType.NOT_SET
    sources[1].save()
    client.force_login(editor)
    response = client.post(
        reverse("admin:answers_answer_add"),
        answer_post(question, "Little benefit [1, 2].", [(1, sources[0]), (2, sources[1])]),
        follow=True,
    )
    message = (
        "Set the evidence type of source “Aspirin meta-analysis” (cited as [2]) before approval."
    )
    assert message in response.content.decode()
    answer = Answer.objects.get(question=question)
    assert message in answer.refusal("submit", editor)


def test_same_source_twice_refuses_save(client, editor, question, sources):
    client.force_login(editor)
    response = client.post(
        reverse("admin:answers_answer_add"),
        answer_post(question, "A [1]. B [2].", [(1, sources[0]), (2, sources[0])]),
    )
    assert "Citations 1 and 2 are the same source" in response.content.decode()
    assert not Answer.objects.exists()


def test_duplicate_citation_numbers_refuse_save(client, editor, question, sources):
    client.force_login(editor)
    response = client.post(
        reverse("admin:answers_answer_add"),
        answer_post(question, "A [1].", [(1, sources[0]), (1, sources[1])]),
    )
    assert "Please correct the duplicate data for number" in response.content.decode()
    assert not Answer.objects.exists()


def test_short_answer_with_markers_is_refused(client, editor, question, sources):
    client.force_login(editor)
    response = client.post(
        reverse("admin:answers_answer_add"),
        answer_post(question, "A [1].", [(1, sources[0])], short_answer="Yes, it works [1]."),
    )
    assert "The short answer is plain language without citation markers" in (
        response.content.decode()
    )
    assert not Answer.objects.exists()


def change_post(answer, **changes):
    """The answer's change form as the browser would post it, with `changes` applied."""
    answer.refresh_from_db()
    citations = list(answer.citations.order_by("number"))
    data = answer_post(
        answer.question,
        answer.research,
        [],
        short_answer=answer.short_answer,
        doctor_questions=answer.doctor_questions,
        edit_version=answer.version,
        **{
            "citations-TOTAL_FORMS": len(citations),
            "citations-INITIAL_FORMS": len(citations),
        },
    )
    for index, citation in enumerate(citations):
        data[f"citations-{index}-id"] = citation.pk
        data[f"citations-{index}-answer"] = answer.pk
        data[f"citations-{index}-number"] = citation.number
        data[f"citations-{index}-source"] = citation.source_id
        data[f"citations-{index}-locator"] = citation.locator
    authorships = list(answer.authorships.all())
    data["authorships-TOTAL_FORMS"] = data["authorships-INITIAL_FORMS"] = len(authorships)
    for index, authorship in enumerate(authorships):
        data[f"authorships-{index}-id"] = authorship.pk
        data[f"authorships-{index}-answer"] = answer.pk
        data[f"authorships-{index}-order"] = authorship.order
        data[f"authorships-{index}-contributor"] = authorship.contributor_id
    data.update(changes)
    return data


def test_editor_changes_answer_and_removes_a_citation(client, editor, demo_answer):
    client.force_login(editor)
    url = reverse("admin:answers_answer_change", args=[demo_answer.pk])
    data = change_post(demo_answer, research=demo_answer.research.replace(" [1].", "."))
    data["citations-0-DELETE"] = "on"  # citation 1, now uncited
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    assert list(demo_answer.citations.values_list("number", flat=True)) == [9, 10, 11]
    assert Citation.history.filter(number=1, history_type="-").count() == 1


def test_every_model_has_a_history_page(client, editor, demo_answer):
    client.force_login(editor)
    objects = [
        ("answers", "answer", demo_answer),
        ("answers", "question", demo_answer.question),
        ("answers", "topic", demo_answer.question.topic),
        ("answers", "disclaimer", demo_answer.effective_disclaimer()),
        ("citations", "source", demo_answer.citations.first().source),
    ]
    for app, model, obj in objects:
        response = client.get(reverse(f"admin:{app}_{model}_history", args=[obj.pk]))
        assert response.status_code == 200, model
        assert f"View history: {obj}" in response.content.decode()
        assert len(response.context["page_obj"]) >= 1


def test_source_autocomplete_finds_sources_by_doi(client, editor, demo_answer):
    client.force_login(editor)
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "term": "10.1007/s00415",
            "app_label": "citations",
            "model_name": "citation",
            "field_name": "source",
        },
    )
    assert [r["text"] for r in response.json()["results"]] == [
        "Konitsioti AM · 2024 · Chimeric antigen receptor T-cell therapy for autoimmune "
        "diseases of the central…"
    ]


def test_lists_have_columns_filters_and_search(client, editor, demo_answer):
    client.force_login(editor)
    answers = client.get(reverse("admin:answers_answer_changelist"), {"q": "CAR-T"})
    page = answers.content.decode()
    assert "Are CAR-T cell therapies" in page and "Oncology" in page
    assert "By status" in page
    sources = client.get(reverse("admin:citations_source_changelist"), {"q": "Lancet"})
    assert "CAR T-cell therapy in autoimmune diseases" in sources.content.decode()
    assert "1 answer" in sources.content.decode()


def test_the_answer_list_search_finds_words_of_the_text_and_the_question(
    client, demo_answer, editor
):
    other = Answer.objects.create(
        question=Question.objects.create(
            text="Is walking good after a stroke?", slug="walking", topic=demo_answer.question.topic
        ),
        short_answer="Yes, with a physiotherapist's plan.",
        research="Gait training trials found better balance.",
    )
    client.force_login(editor)

    def found(term):
        page = client.get(reverse("admin:answers_answer_changelist"), {"q": term})
        assert page.status_code == 200
        text = page.content.decode()
        return {
            a.pk for a in (demo_answer, other) if f"/admin/answers/answer/{a.pk}/change/" in text
        }

    assert found("rituximab") == {demo_answer.pk}  # a word of the research only
    assert found("balance") == {other.pk}  # stemmed: "balanced" would match too
    assert found("walking good") == {other.pk}  # the question's words
    assert found('"gait training"') == {other.pk}
    assert found("physiotherapist -balance") == set()  # websearch syntax
    assert found("_") == set()  # LIKE's wildcards are matched as themselves
    found("no\x00such")  # Django's search form refuses a NUL: a page, never an error


def test_list_checkboxes_are_the_element_django_renders(admin_client, demo_answer):
    """RevisionAdmin writes each row's action checkbox itself (Django's widget templates
    cost 0.7 ms a row): the element must stay the one the admin's actions script reads."""
    from django.contrib import admin

    from desk.admin.answer import AnswerAdmin

    ours = AnswerAdmin(Answer, admin.site).action_checkbox(demo_answer)
    assert ours == admin.ModelAdmin.action_checkbox(AnswerAdmin(Answer, admin.site), demo_answer)
    # A superuser may delete, so the list has the actions and their checkboxes.
    page = admin_client.get(reverse("admin:answers_answer_changelist")).content.decode()
    assert ours in page and 'id="action-toggle"' in page


def test_the_answer_list_search_follows_each_edit_and_works_in_a_subquery(
    client, demo_answer, editor
):
    """The draft's stored search vector (migration 0023) is PostgreSQL's to keep: a save
    of new text is found by its new words and no longer by the old ones."""
    from answers.search import DraftMatches

    client.force_login(editor)
    url = reverse("admin:answers_answer_changelist")
    change_url = reverse("admin:answers_answer_change", args=[demo_answer.pk])
    assert change_url in client.get(url, {"q": "rituximab"}).content.decode()
    demo_answer.research = demo_answer.research.replace("rituximab", "ocrelizumab")
    demo_answer.save()
    assert change_url not in client.get(url, {"q": "rituximab"}).content.decode()
    assert change_url in client.get(url, {"q": "ocrelizumab"}).content.decode()
    # As a subquery (an admin action's queryset can become one): on the inner table, which
    # is then "U0" (the outer query has no answers table to fall back on).
    inner = Answer.objects.filter(DraftMatches("ocrelizumab")).values("pk")
    cited = Citation.objects.filter(answer__in=inner)
    assert set(cited) == set(demo_answer.citations.all()) and cited.exists()
