"""References formatted by citeproc-py with the AMA style (Vancouver on request)."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from citations.formatting import format_reference, parse_author, split_names
from citations.models import Source

pytestmark = pytest.mark.django_db

DEMO_AMA = {
    "39450112": "Vukovic J, Abazovic D, Vucetic D, Medenica S. CAR-engineered T cell therapy as "
    "an emerging strategy for treating autoimmune diseases. <i>Front Med (Lausanne)</i>. "
    "2024;11:1447147. doi:10.3389/fmed.2024.1447147",
    "37748491": "Schett G, Mackensen A, Mougiakakos D. CAR T-cell therapy in autoimmune "
    "diseases. <i>Lancet</i>. 2023;402(10416):2034-2044. doi:10.1016/S0140-6736(23)01126-1",
    "": "Wang W, Tian D, Qin C, et al. Anti-BCMA CAR-T cells in progressive multiple sclerosis. "
    "<i>Cell</i>. Published online October 15, 2025. Accessed December 7, 2026. "
    "https://www.cell.com/cell/fulltext/S0092-8674(25)01088-8",
    "39276207": "Konitsioti AM, Prüss H, Laurent S, Fink GR, Heesen C, Warnke C. Chimeric "
    "antigen receptor T-cell therapy for autoimmune diseases of the central nervous system: a "
    "systematic literature review. <i>J Neurol</i>. 2024;271(10):6526-6542. "
    "doi:10.1007/s00415-024-12642-4",
}


@pytest.mark.parametrize("pmid", list(DEMO_AMA))
def test_demo_references_in_ama_style(demo_answer, pmid):
    source = Source.objects.get(pmid=pmid) if pmid else Source.objects.get(title__startswith="Anti")
    assert source.formatted == DEMO_AMA[pmid]


def test_vancouver_is_a_site_setting(demo_answer, settings):
    source = Source.objects.get(pmid="37748491")
    assert format_reference(source, "vancouver") == (
        "Schett G, Mackensen A, Mougiakakos D. CAR T-cell therapy in autoimmune diseases. "
        "Lancet. 2023;402(10416):2034–44. doi:10.1016/S0140-6736(23)01126-1"
    )
    settings.CITATION_STYLE = "vancouver"
    source.save()
    assert source.formatted.endswith("2023;402(10416):2034–44. doi:10.1016/S0140-6736(23)01126-1")


def test_formatted_text_is_refreshed_when_the_source_changes(demo_answer):
    source = Source.objects.get(pmid="37748491")
    source.volume, source.pages = "403", "1-10"
    source.save()
    assert "2023;403(10416):1-10." in Source.objects.get(pk=source.pk).formatted


def test_more_than_six_authors_become_three_and_et_al():
    source = Source(
        title="Big trial", container_title="NEJM", year=2020, volume="1", pages="1-2",
        authors="; ".join(f"Author{i} A" for i in range(8)),
    )  # fmt: skip
    assert format_reference(source).startswith("Author0 A, Author1 A, Author2 A, et al. Big trial.")


def test_organisation_authors_stay_whole():
    assert parse_author("World Health Organization") == {"literal": "World Health Organization"}
    assert parse_author("de Hoon MJ") == {"family": "de Hoon", "given": "M. J."}
    assert parse_author("Brukner Č") == {"family": "Brukner", "given": "Č."}


def test_hostile_source_fields_are_escaped():
    source = Source(
        title='<img src=x onerror="alert(1)">Title',
        authors="<script>alert(2)</script>",
        container_title="<b>J</b>",
        journal_abbreviation="<i>J</i>",
        url="javascript:alert(3)",
        year=2020,
    )
    html = format_reference(source)
    assert "<img" not in html and "<script" not in html and "<b>" not in html
    assert "&lt;i&gt;J&lt;/i&gt;" in html
    assert "javascript:" not in html
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html


def test_every_configured_style_exists():
    source = Source(title="T", authors="Doe J", container_title="J", year=2020)
    for style in ("ama", "vancouver"):
        assert "Doe J" in format_reference(source, style)


# What AMA's reference types print (issue 25)


def test_a_title_keeps_italic_superscript_and_subscript_and_escapes_the_rest():
    source = Source(
        authors="Doe J", year=2020, volume="1", pages="1-2", container_title="J Infect",
        title="<i>Mycobacterium tuberculosis</i> in CO<sub>2</sub> and Ca<sup>2+</sup> "
        '<script>alert(1)</script> <b onmouseover="x">bold</b>',
    )  # fmt: skip
    html = format_reference(source)
    assert "<i>Mycobacterium tuberculosis</i> in CO<sub>2</sub> and Ca<sup>2+</sup>" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script" not in html
    assert "&lt;b onmouseover" in html and "<b " not in html


def test_markup_that_does_not_pair_up_prints_as_typed():
    source = Source(authors="Doe J", title="An <i>unclosed tag", year=2020, container_title="J")
    assert "An &lt;i&gt;unclosed tag" in format_reference(source)


@pytest.mark.parametrize(
    ("authors", "printed"),
    [
        # A list cut short has more authors than it names: AMA 3.6.1 prints three, "et al".
        ("Wang W; Tian D; Qin C; Li X; et al", "Wang W, Tian D, Qin C, et al."),
        ("Wang W; Tian D; Qin C; et al.", "Wang W, Tian D, Qin C, et al."),
        ("Wang W; et al", "Wang W, et al."),
        ("Wang W; Tian D; Qin C; Li X", "Wang W, Tian D, Qin C, Li X."),
    ],
)
def test_et_al_typed_into_the_author_list_is_understood(authors, printed):
    source = Source(authors=authors, title="T", year=2020, volume="1", container_title="J")
    assert format_reference(source).startswith(printed + " T.")


def test_et_al_is_never_an_author():
    assert split_names("Wang W; Tian D; et al") == (["Wang W", "Tian D"], True)
    assert split_names("Wang W; Tian D") == (["Wang W", "Tian D"], False)
    # A list of none but "et al" names nobody (the source's label starts with its year).
    assert str(Source(authors="et al", title="T", year=2020)) == "2020 · T"


def test_a_hand_typed_page_range_is_written_out():
    source = Source(authors="Doe J", title="T", container_title="Lancet", year=2023,
                    volume="402", pages="2034-44")  # fmt: skip
    assert "2023;402:2034-2044." in format_reference(source)
    assert "2023;402:2034–44." in format_reference(source, "vancouver")  # NLM: ranges short


def test_apostrophes_print_as_the_style_gives_them():
    source = Source(kind="book", authors="Loscalzo J", title="Harrison's Principles",
                    publisher="McGraw Hill", year=2022, edition="21")  # fmt: skip
    assert "<i>Harrison’s Principles</i>. 21st ed. McGraw Hill; 2022." in format_reference(source)


def test_an_online_first_article_prints_its_online_date_until_it_has_an_issue():
    source = Source(authors="Polack FP", title="Safety", container_title="NEJM",
                    journal_abbreviation="N Engl J Med", year=2020,
                    published_online=date(2020, 12, 10), doi="10.1056/NEJMoa2034577")  # fmt: skip
    assert "<i>N Engl J Med</i>. Published online December 10, 2020. doi:" in format_reference(
        source
    )
    source.volume, source.issue, source.pages = "383", "27", "2603-2615"
    assert "<i>N Engl J Med</i>. 2020;383(27):2603-2615. doi:" in format_reference(source)


def test_a_web_page_prints_its_dates_and_no_title_twice():
    source = Source(kind="webpage", title="About multiple sclerosis", year=2024, month=5, day=17,
                    container_title="Centers for Disease Control and Prevention",
                    url="https://www.cdc.gov/ms/about/", accessed=date(2026, 12, 7))  # fmt: skip
    assert format_reference(source) == (
        "About multiple sclerosis. Centers for Disease Control and Prevention. May 17, 2024. "
        "Accessed December 7, 2026. https://www.cdc.gov/ms/about/"
    )


def test_a_chapter_prints_its_book_with_editors_and_edition():
    source = Source(kind="chapter", authors="Goodin DS", title="Multiple sclerosis",
                    editors="Loscalzo J; Fauci AS", container_title="Harrison's Principles of "
                    "Internal Medicine", edition="21", publisher="McGraw Hill", year=2022,
                    pages="3460-74")  # fmt: skip
    assert format_reference(source) == (
        "Goodin DS. Multiple sclerosis. In: Loscalzo J, Fauci AS, eds. <i>Harrison’s Principles "
        "of Internal Medicine</i>. 21st ed. McGraw Hill; 2022:3460-3474."
    )


def test_a_day_needs_its_month_and_a_real_date():
    source = Source(title="T", year=2023, month=2, day=30)
    with pytest.raises(ValidationError) as refused:
        source.full_clean()
    assert refused.value.message_dict["day"] == ["February 2023 has no day 30."]
    source.month = None
    with pytest.raises(ValidationError) as refused:
        source.full_clean()
    assert refused.value.message_dict["day"] == ["Give the month too, or leave the day empty."]


def test_a_chapter_needs_its_book():
    source = Source(kind="chapter", title="T", year=2023)
    with pytest.raises(ValidationError) as refused:
        source.full_clean()
    assert (
        "Give the title of the book or proceedings"
        in refused.value.message_dict["container_title"][0]
    )


def test_page_ranges_of_a_list_and_past_a_hundred_are_written_out():
    source = Source(authors="Doe J", title="T", container_title="J", year=2023, volume="1",
                    pages="123-45, 150-5, 99-3")  # fmt: skip
    assert "2023;1:123-145, 150-155, 99-103." in format_reference(source)


def test_et_al_after_the_last_name_without_a_semicolon_is_understood():
    source = Source(authors="Schett G; Mackensen A; Mougiakakos D et al", title="T",
                    container_title="J", year=2023, volume="1")  # fmt: skip
    assert format_reference(source).startswith("Schett G, Mackensen A, Mougiakakos D, et al. T.")


def test_a_book_title_keeps_its_italic_and_prints_its_ampersand_once():
    source = Source(kind="chapter", authors="Doe J", title="Culture",
                    container_title="Handbook of <i>Mycobacterium</i> Research",
                    publisher="John Wiley & Sons", year=2019)  # fmt: skip
    # The species set roman in the italic book title (CSL's flip-flop, as citeproc-js).
    assert format_reference(source) == (
        "Doe J. Culture. In: <i>Handbook of </i>Mycobacterium<i> Research</i>. "
        "John Wiley &amp; Sons; 2019."
    )
