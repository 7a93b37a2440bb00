from citations.markers import Problem, check_citations, cited_numbers, parse_marker_body

DEMO_TEXT = "Lancet review [9]. Phase 1 trial [10]. Review [11]. Narrative review [1]."


def test_cited_numbers_in_order_of_first_use():
    assert cited_numbers(DEMO_TEXT + " Again [9-10].") == [9, 10, 11, 1]


def test_marker_bodies():
    assert parse_marker_body("9") == [9]
    assert parse_marker_body("9, 10") == [9, 10]
    assert parse_marker_body("9-11") == [9, 10, 11]
    assert parse_marker_body("11-9") is None


def test_no_problems_when_markers_and_citations_match():
    citations = [(1, 101, "a"), (9, 109, "b"), (10, 110, "c"), (11, 111, "d")]
    assert check_citations(DEMO_TEXT, citations) == []


def test_marker_without_citation_is_an_error_naming_the_marker():
    problems = check_citations("Claim [12].", [(1, 101, "Some review")])
    errors = [p for p in problems if p.is_error]
    assert [p.message for p in errors] == [
        "Marker [12] points to no citation of this answer. Add citation 12 or correct the marker."
    ]


def test_citation_never_cited_is_a_warning():
    problems = check_citations("Claim [1].", [(1, 101, "Used"), (2, 102, "Unused review")])
    assert problems == [
        Problem(Problem.WARNING, "Citation 2 (“Unused review”) is never cited in the text.")
    ]


def test_same_source_under_two_numbers_is_an_error():
    problems = check_citations("A [1]. B [2].", [(1, 101, "Lancet"), (2, 101, "Lancet")])
    assert [p.level for p in problems] == [Problem.ERROR]
    assert "Citations 1 and 2 are the same source" in problems[0].message


def test_marker_in_code_span_is_not_a_citation():
    assert cited_numbers("Type `[3]` to cite.") == []
