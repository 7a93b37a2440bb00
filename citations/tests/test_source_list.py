"""Admin → Sources: what the editor sees in the list, and that a page of it costs a page's
work at 25,000 sources and 750,000 citations (issue 25)."""

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from answers.models import Answer, Question, Topic
from citations.models import Citation, Source

pytestmark = pytest.mark.django_db

LIST = "/admin/citations/source/"
AUTOCOMPLETE = "/admin/autocomplete/"
CITATION_SOURCE = {"app_label": "citations", "model_name": "citation", "field_name": "source"}
ROW = re.compile(
    r'<th class="field-reference_title"><a [^>]*>(?P<title>[^<]*)</a></th>.*?'
    r'<td class="field-cited_in">(?P<cited_in>[^<]*)</td>',
    re.DOTALL,
)


def rows(response):
    assert response.status_code == 200
    return [(m["title"], m["cited_in"]) for m in ROW.finditer(response.content.decode())]


def autocomplete(client, term):
    response = client.get(AUTOCOMPLETE, {**CITATION_SOURCE, "term": term})
    assert response.status_code == 200
    return [result["text"] for result in json.loads(response.content)["results"]]


def sort_link(client, column):
    """The `?o=` of a column's header link, as the editor clicks it."""
    page = client.get(LIST).content.decode()
    return re.search(rf'column-{column}">.*?<a href="\?o=([^"]*)"', page, re.DOTALL)[1]


def make_answer(topic, number):
    question = Question.objects.create(
        text=f"Question {number}?", slug=f"question-{number}", topic=topic
    )
    return Answer.objects.create(question=question, short_answer="Short.", research="Text [1].")


@pytest.fixture
def library():
    """Aspirin is cited by three answers, twice in the first; statins by one; beta blockers
    by none."""
    topic = Topic.objects.create(name="Cardiology", slug="cardiology")
    first, second, third = (make_answer(topic, number) for number in range(3))
    aspirin = Source.objects.create(
        title="Aspirin after a heart attack", authors="Roe R", year=2019
    )
    statins = Source.objects.create(title="Statins in older adults", authors="Poe P", year=2021)
    Source.objects.create(title="Beta blockers revisited", authors="Moe M", year=2019)
    Citation.objects.create(answer=first, number=1, source=aspirin)
    Citation.objects.create(answer=first, number=2, source=aspirin)
    Citation.objects.create(answer=first, number=3, source=statins)
    Citation.objects.create(answer=second, number=1, source=aspirin)
    Citation.objects.create(answer=third, number=1, source=aspirin)


def test_cited_in_counts_answers_and_a_source_cited_twice_in_one_answer_once(
    client, editor, library
):
    client.force_login(editor)
    assert rows(client.get(LIST)) == [
        ("Aspirin after a heart attack", "3 answers"),
        ("Beta blockers revisited", "0 answers"),
        ("Statins in older adults", "1 answer"),
    ]


def test_year_filter_offers_the_library_years_and_lists_that_year_only(client, editor, library):
    client.force_login(editor)
    page = client.get(LIST).content.decode()
    assert 'href="?year=2019"' in page
    assert 'href="?year=2021"' in page
    assert 'href="?year=2020"' not in page
    assert rows(client.get(LIST, {"year": "2019"})) == [
        ("Aspirin after a heart attack", "3 answers"),
        ("Beta blockers revisited", "0 answers"),
    ]


def test_search_finds_a_source_by_title_with_its_count(client, editor, library):
    client.force_login(editor)
    assert rows(client.get(LIST, {"q": "statins"})) == [("Statins in older adults", "1 answer")]


def test_editor_sorts_the_list_by_cited_in(client, editor, library):
    client.force_login(editor)
    cited_in = sort_link(client, "cited_in")
    least_cited_first = client.get(LIST, {"o": cited_in})
    assert [cited for _, cited in rows(least_cited_first)] == ["0 answers", "1 answer", "3 answers"]
    most_cited_first = client.get(LIST, {"o": f"-{cited_in}"})
    assert [cited for _, cited in rows(most_cited_first)] == ["3 answers", "1 answer", "0 answers"]


def test_citation_autocomplete_searches_and_lists_by_title(client, editor, library):
    client.force_login(editor)
    assert autocomplete(client, "") == [
        "Roe R · 2019 · Aspirin after a heart attack",
        "Moe M · 2019 · Beta blockers revisited",
        "Poe P · 2021 · Statins in older adults",
    ]
    assert autocomplete(client, "older") == ["Poe P · 2021 · Statins in older adults"]


def test_list_never_joins_the_sources_to_all_their_citations(client, editor, library):
    """The counts are a subquery per source shown; the count of rows and the year filter
    read the sources alone. A join of sources to citations, grouped, made every page count
    all 750,000 citations (1.0–1.3 s at 100,000 answers)."""
    client.force_login(editor)
    by_cited_in = {"o": f"-{sort_link(client, 'cited_in')}"}
    for params in ({}, {"year": "2019"}, {"q": "aspirin"}, by_cited_in):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(LIST, params).status_code == 200
        on_sources = [q["sql"] for q in captured if '"citations_source"' in q["sql"]]
        assert on_sources
        for sql in on_sources:
            assert 'JOIN "citations_citation"' not in sql, sql
            if '"citations_citation"' in sql:  # only inside the per-source subquery
                assert re.search(
                    r'\(SELECT COUNT\(DISTINCT U0\."answer_id"\) .* FROM "citations_citation" U0 '
                    r'WHERE U0\."source_id" = \("citations_source"\."id"\)',
                    sql,
                ), sql
        assert len(captured) <= 12


def test_counts_are_computed_for_the_rows_of_the_page_never_for_every_source(
    client, editor, library
):
    """PostgreSQL runs the per-source count after the page's sort and LIMIT: for the 100
    rows of page 1, and for page 2 the 100 rows it skips as well (its OFFSET), but never for
    all 250 sources."""
    Source.objects.bulk_create(
        Source(title=f"Trial {number:03}", authors="Doe J", year=2020) for number in range(247)
    )
    client.force_login(editor)
    for page, counted in ((1, 100), (2, 200)):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(LIST, {"p": str(page)} if page > 1 else {})
        assert len(rows(response)) == 100
        (page_query,) = [q["sql"] for q in captured if "COUNT(DISTINCT" in q["sql"]]
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + page_query)
            plan = cursor.fetchone()[0][0]["Plan"]
        assert subplan_loops(plan) == [counted]


def subplan_loops(node):
    """How many times each subquery of a plan ran."""
    loops = [node["Actual Loops"]] if node.get("Parent Relationship") == "SubPlan" else []
    for child in node.get("Plans", []):
        loops += subplan_loops(child)
    return loops
