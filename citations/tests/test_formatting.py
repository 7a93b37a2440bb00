"""References formatted by citeproc-py with the AMA style (Vancouver on request)."""

import pytest

from citations.formatting import format_reference, parse_author
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
