"""What a patient sees: the answer page and the home page, published answers only."""

import re

import pytest
from django.urls import reverse

from answers.models import Answer, Question
from answers.testing import publish
from citations.models import Citation, Source

pytestmark = pytest.mark.django_db


def page_of(client, answer):
    response = client.get(answer.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_demo_answer_page_reads_in_the_order_of_the_design(client, demo_answer):
    page = page_of(client, demo_answer)
    page = page[page.index("<main") :]
    landmarks = [
        "<h1>Are CAR-T cell therapies currently being used to treat Multiple Sclerosis",
        "CAR-T cell therapy is a type of treatment",
        ">What the research says</h2>",
        ">What to ask your doctor</h2>",
        ">References</h2>",
        "This question is drawn from common patient questions",
    ]
    positions = [page.index(landmark) for landmark in landmarks]
    assert positions == sorted(positions)


def test_markers_link_to_references_with_the_same_number(client, demo_answer):
    page = page_of(client, demo_answer)
    markers = re.findall(r'<a href="#ref-(\d+)" id="cite-\d+-1" aria-label="Reference (\d+)"', page)
    assert markers == [("9", "9"), ("10", "10"), ("11", "11"), ("1", "1")]
    entries = re.findall(r'<li id="ref-(\d+)" value="(\d+)">', page)
    assert entries == [("1", "1"), ("9", "9"), ("10", "10"), ("11", "11")]


def test_references_link_to_doi_and_pubmed(client, demo_answer):
    page = page_of(client, demo_answer)
    ref9 = page[page.index('<li id="ref-9"') : page.index('<li id="ref-10"')]
    assert '<a href="https://doi.org/10.1016/S0140-6736(23)01126-1">DOI</a>' in ref9
    assert '<a href="https://pubmed.ncbi.nlm.nih.gov/37748491/">PubMed</a>' in ref9
    assert "Schett G, Mackensen A, Mougiakakos D. CAR T-cell therapy in autoimmune diseases." in (
        ref9
    )
    assert "2023;402(10416):2034-2044." in ref9
    ref11 = page[page.index('<li id="ref-11"') :]
    assert '<a href="https://doi.org/10.1007/s00415-024-12642-4">DOI</a>' in ref11
    ref10 = page[page.index('<li id="ref-10"') : page.index('<li id="ref-11"')]
    assert "DOI</a>" not in ref10
    assert '<a href="https://www.cell.com/cell/fulltext/S0092-8674(25)01088-8">Source</a>' in ref10


def test_doctor_questions_are_a_list(client, demo_answer):
    page = page_of(client, demo_answer)
    section = page[page.index(">What to ask your doctor</h2>") : page.index(">References</h2>")]
    assert section.count("<li>") == 5


def test_disclaimer_names_the_topic(client, demo_answer):
    page = page_of(client, demo_answer)
    assert "common patient questions about Oncology and answered" in page
    assert "{topic}" not in page


def test_topic_name_in_disclaimer_is_escaped(client, demo_answer, editor, reviewer):
    topic = demo_answer.question.topic
    topic.name = "<script>alert(1)</script>"
    topic.save()
    Answer.objects.sharing(topic).record_shared_edit(editor, "Renamed the topic")
    publish(demo_answer, editor, reviewer)  # the re-review refreshes the page
    page = page_of(client, demo_answer)
    assert "<script>alert(1)</script>" not in page
    assert "about &lt;script&gt;alert(1)&lt;/script&gt; and answered" in page


@pytest.fixture
def new_answer(demo_answer):
    question = Question.objects.create(
        text="Is CAR-T used for lupus?", slug="car-t-lupus", topic=demo_answer.question.topic
    )
    return Answer.objects.create(
        question=question, short_answer="Only in trials.", research="Early results [1]."
    )


def assert_invisible(client, answer):
    assert client.get(answer.get_absolute_url()).status_code == 404
    home = client.get(reverse("public:home")).content.decode()
    # A hidden answer has no live text to print, but its link would still leak.
    assert answer.get_absolute_url() not in home
    assert answer.question.text not in home


def test_draft_is_invisible(client, new_answer):
    assert_invisible(client, new_answer)


def test_answer_in_review_is_invisible(client, new_answer, editor):
    Citation.objects.create(answer=new_answer, number=1, source=Source.objects.get(pmid="39450112"))
    new_answer.transition("submit", editor)
    assert new_answer.status == Answer.Status.IN_REVIEW
    assert_invisible(client, new_answer)


def test_sent_back_answer_is_invisible(client, new_answer, editor, reviewer):
    Citation.objects.create(answer=new_answer, number=1, source=Source.objects.get(pmid="39450112"))
    new_answer.transition("submit", editor)
    new_answer.transition("send_back", reviewer, comment="Cite the trial itself.")
    assert_invisible(client, new_answer)


def test_withdrawn_answer_leaves_the_site_at_once(client, demo_answer, reviewer):
    assert client.get(demo_answer.get_absolute_url()).status_code == 200
    demo_answer.transition("withdraw", reviewer, comment="New safety data")
    assert_invisible(client, demo_answer)


def test_question_without_answer_is_not_found(client, demo_answer):
    question = Question.objects.create(
        text="Unanswered?", slug="unanswered", topic=demo_answer.question.topic
    )
    assert client.get(question.get_absolute_url()).status_code == 404
    assert client.get("/ask/no-such-question/").status_code == 404


def test_staff_do_not_see_drafts_on_the_public_page_either(client, editor, new_answer):
    client.force_login(editor)
    assert client.get(new_answer.get_absolute_url()).status_code == 404


def test_home_lists_topics_and_recently_reviewed_answers(client, demo_answer):
    page = client.get(reverse("public:home")).content.decode()
    assert '<a href="/topics/oncology/">Oncology</a> <span class="meta">1 answer</span>' in page
    assert f'<a href="{demo_answer.get_absolute_url()}">Are CAR-T cell therapies' in page
    assert 'role="search"' in page and 'name="q"' in page


def test_home_without_answers_says_so(client, db):
    assert "No answers have been published yet." in client.get("/").content.decode()


def test_hostile_source_fields_are_escaped_on_the_page(client, demo_answer, editor, reviewer):
    source = demo_answer.citations.get(number=10).source
    source.title = '<img src=x onerror="alert(1)">Title'
    source.authors = "<script>alert(2)</script>"
    source.url = "javascript:alert(3)"
    source.save()
    Answer.objects.sharing(source).record_shared_edit(editor, "Changed the source")
    publish(demo_answer, editor, reviewer)  # the re-review refreshes the page
    page = page_of(client, demo_answer)
    assert "<img" not in page and "<script>alert(2)" not in page
    assert "javascript:" not in page
    assert '&lt;img src=x onerror="alert(1)"&gt;Title' in page  # shown as text
