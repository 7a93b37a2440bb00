import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from answers.models import Answer
from citations.models import Citation, Source, normalize_doi

pytestmark = pytest.mark.django_db


def make_source(**fields):
    defaults = {"title": "A study", "authors": "Doe J"}
    return Source.objects.create(**{**defaults, **fields})


@pytest.mark.parametrize(
    "typed",
    [
        "10.1016/S0140-6736(23)01126-1",
        "doi:10.1016/S0140-6736(23)01126-1",
        "https://doi.org/10.1016/S0140-6736(23)01126-1",
        "  http://dx.doi.org/10.1016/S0140-6736(23)01126-1 ",
    ],
)
def test_doi_is_stored_without_resolver_prefix(typed):
    assert normalize_doi(typed) == "10.1016/S0140-6736(23)01126-1"


def test_database_refuses_second_source_with_same_doi_in_other_case():
    make_source(doi="10.1016/S0140-6736(23)01126-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_source(doi="https://doi.org/10.1016/s0140-6736(23)01126-1")


def test_database_refuses_second_source_with_same_pmid():
    make_source(pmid="37748491")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_source(pmid="37748491", title="Another")


def test_sources_without_doi_or_pmid_are_not_duplicates():
    make_source()
    make_source(title="Second")
    assert Source.objects.filter(doi="", pmid="").count() == 2


def test_duplicate_doi_validation_names_the_existing_source():
    make_source(doi="10.1007/s00415-024-12642-4", title="Chimeric antigen receptor review")
    duplicate = Source(title="Copy", doi="doi:10.1007/S00415-024-12642-4")
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert "already has a source with this DOI" in error.value.message_dict["doi"][0]
    assert "Chimeric antigen receptor review" in error.value.message_dict["doi"][0]


def test_pmid_must_be_digits():
    with pytest.raises(ValidationError) as error:
        Source(title="x", pmid="PMID 123").full_clean()
    assert "digits only" in error.value.message_dict["pmid"][0]


def test_malformed_doi_is_explained():
    with pytest.raises(ValidationError) as error:
        Source(title="x", doi="not a doi").full_clean()
    assert "does not look like a DOI" in error.value.message_dict["doi"][0]


def test_citation_number_is_unique_within_an_answer(demo_answer):
    source = make_source()
    with pytest.raises(IntegrityError), transaction.atomic():
        Citation.objects.create(answer=demo_answer, number=9, source=source)


def test_duplicate_citation_number_message_is_plain(demo_answer):
    citation = Citation(answer=demo_answer, number=9, source=make_source())
    with pytest.raises(ValidationError) as error:
        citation.full_clean()
    assert error.value.messages == [
        "Two citations of this answer have the same number; each number can be used once."
    ]


def test_same_number_in_another_answer_is_fine(demo_answer):
    other = Answer.objects.create(
        question=demo_answer.question.__class__.objects.create(
            text="Other?", slug="other", topic=demo_answer.question.topic
        ),
        short_answer="Short.",
        research="Text [9].",
    )
    Citation.objects.create(answer=other, number=9, source=make_source())
    assert Citation.objects.filter(number=9).count() == 2


def test_every_model_keeps_history_with_change_reason():
    source = make_source(title="First title")
    source.title = "Second title"
    source._change_reason = "Fixed typo"
    source.save()
    titles = [(h.title, h.history_change_reason) for h in source.history.order_by("history_id")]
    assert titles == [("First title", None), ("Second title", "Fixed typo")]
