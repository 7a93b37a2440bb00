import pytest
from django.template.loader import render_to_string

from citations.markers import (
    CitedSource,
    Problem,
    RenumberFailed,
    check_citations,
    cited_numbers,
    first_use_numbering,
    marker_uses,
    parse_marker_body,
    reference_entry,
    renumber_markers,
)
from citations.models import Citation, Source

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


def test_citation_never_cited_is_an_error_that_does_not_block_saving():
    # A reviewer approves exactly what patients read: a numbered reference nothing points
    # to would mislead them, so it blocks submission and approval, not a draft's save.
    problems = check_citations("Claim [1].", cites((1, 101, "Used"), (2, 102, "Unused review")))
    assert problems == [
        Problem(
            Problem.ERROR,
            "Citation 2 (“Unused review”) is not cited in the text: cite it where it supports "
            "a sentence, or delete it.",
            "uncited",
        )
    ]
    assert not problems[0].blocks_saving


def test_a_cited_source_without_evidence_type_is_an_error_naming_it():
    untyped = CitedSource(2, 102, "Roe R · Aspirin", title="Aspirin", no_evidence_type=True)
    problems = check_citations("A [1]. B [2].", [*cites((1, 101, "Typed")), untyped])
    assert problems == [
        Problem(
            Problem.ERROR,
            "Set the evidence type of source “Aspirin” (cited as [2]) before approval.",
            "no-evidence-type",
        )
    ]
    assert not problems[0].blocks_saving


def test_a_source_without_evidence_type_shows_no_label_to_patients():
    entry = reference_entry(Citation(number=2, source=Source(pk=7, title="Aspirin")), uses=1)
    assert entry["evidence"] == ""
    html = render_to_string("citations/reference_list.html", {"references": [entry]})
    assert 'id="ref-2"' in html
    assert "evidence-type" not in html and "not set" not in html and "Other" not in html


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


SWAP = {1: 2, 2: 1}


def test_renumbering_leaves_a_bracket_in_link_text_alone():
    text = "Trial [2]. [see [2]](https://x.org) Review [1]."
    assert renumber_markers(text, SWAP) == "Trial [1]. [see [2]](https://x.org) Review [2]."


def test_renumbering_leaves_an_indented_code_block_alone():
    text = "Trial [2].\n\n    cite as [2]\n\nReview [1]."
    assert renumber_markers(text, SWAP) == "Trial [1].\n\n    cite as [2]\n\nReview [2]."


def test_renumbering_leaves_a_double_backtick_span_alone():
    text = "Trial [2] ``a [2] b`` and review [1]."
    assert renumber_markers(text, SWAP) == "Trial [1] ``a [2] b`` and review [2]."


def test_renumbering_leaves_a_fenced_block_alone():
    text = "Trial [2].\n\n```\nfenced [2] and [1]\n```\n\nReview [1]."
    assert renumber_markers(text, SWAP) == (
        "Trial [1].\n\n```\nfenced [2] and [1]\n```\n\nReview [2]."
    )


def test_renumbering_rewrites_markers_in_lists_quotes_and_headings():
    text = "# Trials [2]\n\n> A quote [1, 2].\n\n- one [2]\n\t- nested [1]\n"
    assert renumber_markers(text, SWAP) == (
        "# Trials [1]\n\n> A quote [1, 2].\n\n- one [1]\n\t- nested [2]\n"
    )


def test_a_marker_it_cannot_place_refuses_the_whole_text():
    # A tab-indented continuation line ending in spaces: markdown-it hands back its
    # content changed, so the marker cannot be found in the editor's text exactly.
    text = "Trial [2].\n\n* a point\n\tmore [2]  "
    with pytest.raises(RenumberFailed, match="Nothing was changed; renumber those markers"):
        renumber_markers(text, SWAP)


def test_a_marker_with_no_citation_refuses_renumbering():
    # Left as [3] it would name whichever citation is renumbered to 3.
    with pytest.raises(RenumberFailed, match=r"Marker \[3\] points to no citation"):
        renumber_markers("A [2]. B [1]. C [3].", SWAP)


def test_renumbering_that_would_change_what_is_a_marker_is_refused():
    # The text defines the link label [2], so "[see [2]](…)" is no link and its [2] is a
    # marker; renumbered to [1], it would become a link, and the marker would be lost.
    text = "[2]: https://x.org\n[see [2]](https://x.org) and [1]"
    with pytest.raises(RenumberFailed, match="would change which brackets are citation markers"):
        renumber_markers(text, SWAP)
    with pytest.raises(RenumberFailed, match="would change which brackets"):
        renumber_markers("[1-32]", {n: 2 * n for n in range(1, 33)})  # 32 numbers: not a marker
