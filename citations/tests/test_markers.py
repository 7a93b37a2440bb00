from citations.markers import (
    CitedSource,
    Problem,
    check_citations,
    cited_numbers,
    first_use_numbering,
    marker_uses,
    parse_marker_body,
    renumber_markers,
)

DEMO_TEXT = "Lancet review [9]. Phase 1 trial [10]. Review [11]. Narrative review [1]."
IN_ORDER = "Lancet review [1]. Phase 1 trial [2]. Review [3]. Narrative review [4]."


def cites(*rows):
    return [CitedSource(*row) for row in rows]


def codes(problems):
    return [(p.level, p.code) for p in problems]


def test_cited_numbers_in_order_of_first_use():
    assert cited_numbers(DEMO_TEXT + " Again [9-10].") == [9, 10, 11, 1]


def test_marker_uses_count_every_occurrence():
    assert marker_uses("A [1]. B [1, 2]. C [1-3].") == {1: 3, 2: 2, 3: 1}


def test_marker_bodies():
    assert parse_marker_body("9") == [9]
    assert parse_marker_body("9, 10") == [9, 10]
    assert parse_marker_body("9-11") == [9, 10, 11]
    assert parse_marker_body("11-9") is None


def test_no_problems_when_markers_and_citations_match_in_first_use_order():
    assert (
        check_citations(IN_ORDER, cites((1, 1, "a"), (2, 2, "b"), (3, 3, "c"), (4, 4, "d"))) == []
    )


def test_marker_without_citation_is_an_error_naming_the_marker():
    problems = check_citations("Claim [1]. Other [12].", cites((1, 101, "Some review")))
    errors = [p for p in problems if p.is_error]
    assert [p.message for p in errors] == [
        "Marker [12] points to no citation of this answer. Add citation 12 or correct the marker."
    ]
    assert errors[0].blocks_saving


def test_citation_never_cited_is_a_warning():
    problems = check_citations("Claim [1].", cites((1, 101, "Used"), (2, 102, "Unused review")))
    assert problems == [
        Problem(
            Problem.WARNING,
            "Citation 2 (“Unused review”) is never cited in the text.",
            "uncited",
        )
    ]


def test_same_source_under_two_numbers_is_an_error():
    problems = check_citations("A [1]. B [2].", cites((1, 101, "Lancet"), (2, 101, "Lancet")))
    assert codes(problems) == [(Problem.ERROR, "duplicate-source")]
    assert "Citations 1 and 2 are the same source" in problems[0].message


def test_numbers_out_of_first_use_order_are_a_warning():
    problems = check_citations(
        DEMO_TEXT, cites((1, 1, "a"), (9, 9, "b"), (10, 10, "c"), (11, 11, "d"))
    )
    assert codes(problems) == [(Problem.WARNING, "order")]
    assert "the text cites 9, 10, 11, 1" in problems[0].message


def test_retracted_source_is_an_error_that_does_not_block_saving():
    problems = check_citations("A [1].", cites((1, 1, "Surgisphere", "retracted")))
    assert codes(problems) == [(Problem.ERROR, "retracted")]
    assert not problems[0].blocks_saving
    assert "Citation 1 (“Surgisphere”) has been retracted" in problems[0].message


def test_expression_of_concern_is_a_warning():
    problems = check_citations("A [1].", cites((1, 1, "Paper", "concern")))
    assert codes(problems) == [(Problem.WARNING, "concern")]


def test_marker_in_code_span_is_not_a_citation():
    assert cited_numbers("Type `[3]` to cite.") == []


def test_first_use_numbering_puts_uncited_last():
    assert first_use_numbering(DEMO_TEXT, [1, 9, 10, 11, 12]) == {9: 1, 10: 2, 11: 3, 1: 4, 12: 5}


def test_renumber_markers_rewrites_every_form_but_not_code_or_links():
    mapping = {9: 1, 10: 2, 11: 3, 1: 4}
    text = "A [9]. B [9, 10]. C [9-11]. D [1]. `[9]` and [9](https://x.example) stay."
    assert renumber_markers(text, mapping) == (
        "A [1]. B [1, 2]. C [1-3]. D [4]. `[9]` and [9](https://x.example) stay."
    )


def test_renumbered_ranges_stay_compact_or_split():
    assert renumber_markers("[1-3]", {1: 3, 2: 1, 3: 2}) == "[1-3]"
    assert renumber_markers("[1-3]", {1: 1, 2: 5, 3: 2}) == "[1, 2, 5]"
