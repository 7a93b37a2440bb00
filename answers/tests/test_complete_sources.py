"""`complete_sources`: what a source's reference lacks, from its kept import or from Crossref
and PubMed (recorded answers: tests/fixtures of citations), never over what an editor
wrote; an answer citing a completed source is approved again before patients read it."""

from datetime import date

import pytest
import responses
from django.core.management import CommandError, call_command

from answers.models import Answer
from answers.testing import publish
from citations.importers import read_export
from citations.models import Source
from citations.tests.test_importers import fixture_text
from citations.tests.test_lookups import PLOS_DOI, serve_efetch, serve_not_found, serve_plos

pytestmark = pytest.mark.django_db


@pytest.fixture
def http():
    """Answers HTTP requests; an unregistered request raises ConnectionError."""
    with responses.RequestsMock() as mock:
        yield mock


def complete(*args):
    call_command("complete_sources", *args, stdout=(out := _Out()), stderr=out)
    return out.text


class _Out:
    def __init__(self):
        self.text = ""

    def write(self, text):
        self.text += text + "\n"

    def flush(self):
        pass


def test_a_source_typed_by_hand_is_completed_from_crossref_by_its_doi(http):
    serve_plos(http)
    source = Source.objects.create(
        title="Methylphenidate exposure", authors="Sadasivan S", container_title="PLoS ONE",
        year=2012, volume="7", issue="3", pages="e33693", doi=PLOS_DOI,
    )  # fmt: skip
    assert "Sadasivan S · 2012 · Methylphenidate exposure: month, day, published_online" in (
        complete()
    )
    source.refresh_from_db()
    assert (source.month, source.day, source.published_online) == (3, 21, date(2012, 3, 21))
    assert source.title == "Methylphenidate exposure"  # the editor's, not Crossref's
    assert source.imported_record["format"] == "crossref"
    assert source.history.first().history_change_reason == (
        "complete_sources: filled from its kept import or Crossref"
    )


def test_sources_with_a_pmid_are_completed_from_pubmed_in_one_request(http):
    serve_efetch(http, "9997,12091962")
    flavo = Source.objects.create(title="Magnetic studies", pmid="9997", year=1976)
    aids = Source.objects.create(title="AIDS behind walls", pmid="12091962", year=1990)
    complete()
    flavo.refresh_from_db(), aids.refresh_from_db()
    assert (flavo.month, flavo.day, flavo.volume, flavo.pages) == (9, 28, "446", "179-191")
    assert flavo.journal_abbreviation == "Biochim Biophys Acta"
    assert (aids.volume, aids.issue) == ("17", "1")
    assert len(http.calls) == 1


def test_a_kept_import_is_read_again_without_asking_anyone(http):
    [record] = read_export(fixture_text("medline/pubmed_medline_aheadofprint.txt"))
    source = Source.objects.create(**record)
    Source.objects.filter(pk=source.pk).update(published_online=None, month=None, day=None)
    assert "1 sources completed" in complete("--offline")
    source.refresh_from_db()
    assert (source.month, source.day, source.published_online) == (5, 17, date(2023, 5, 17))
    assert "Published online May 17, 2023. doi:10.1091/mbc.E22-12-0560" in source.formatted
    assert not http.calls


def test_what_an_editor_wrote_is_never_replaced(http):
    serve_plos(http)
    source = Source.objects.create(
        title="T", container_title="PLoS ONE", journal_abbreviation="PLOS One", year=2012,
        month=4, volume="7", doi=PLOS_DOI,
    )  # fmt: skip
    complete()
    source.refresh_from_db()
    assert (source.journal_abbreviation, source.month, source.day) == ("PLOS One", 4, None)


def test_a_dry_run_saves_nothing(http):
    serve_plos(http)
    source = Source.objects.create(title="T", year=2012, doi=PLOS_DOI)
    assert "1 sources would be completed" in complete("--dry-run")
    source.refresh_from_db()
    assert source.month is None and source.history.count() == 1


def test_a_failed_lookup_is_reported_and_the_rest_completed(http):
    serve_not_found(http)
    serve_plos(http)
    Source.objects.create(title="Gone", year=2012, doi="10.1371/notarealdoi")
    found = Source.objects.create(title="T", year=2012, doi=PLOS_DOI)
    with pytest.raises(CommandError, match="1 lookups failed"):
        complete()
    found.refresh_from_db()
    assert found.month == 3


def test_a_live_answer_keeps_its_approved_reference_until_it_is_approved_again(
    demo_answer, editor, reviewer
):
    """The state before issue 25: the Cell paper's reference was approved without its
    online date; completing it from its kept import sends the answer back for approval."""
    cell = Source.objects.get(title__startswith="Anti-BCMA")
    cell.imported_record = {
        "format": "csl-json",
        "record": {"type": "article-journal", "title": cell.title, "container-title": "Cell",
                   "available-date": {"date-parts": [[2025, 10, 15]]}, "URL": cell.url},
    }  # fmt: skip
    cell.published_online = None
    cell.save()
    Answer.objects.sharing(cell).record_shared_edit(editor, "The online date was lost")
    answer = Answer.objects.get(pk=demo_answer.pk)
    publish(answer, editor, reviewer)
    approved = [r["html"] for r in answer.live_version.references if "Anti-BCMA" in r["html"]]
    assert "Published online 2025." in approved[0]
    complete("--offline")
    answer.refresh_from_db()
    assert answer.status == Answer.Status.DRAFT and answer.differs_from_live()
    live = [r["html"] for r in answer.live_version.references if "Anti-BCMA" in r["html"]]
    assert live == approved  # patients read what was approved
    assert "Published online October 15, 2025." in Source.objects.get(pk=cell.pk).formatted
