"""The reference library from the editor's side: import, dedupe, integrity, retractions."""

import re
from pathlib import Path

import pytest
import requests
import responses
import yaml
from django.core.management import call_command
from django.urls import reverse

from answers.models import Answer, Question
from answers.testing import publish
from citations.models import Citation, Source
from desk.models import ReviewQueue

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[2] / "citations" / "tests" / "fixtures"
IMPORT = "/admin/citations/source/import/"


def fixture(name):
    return (FIXTURES / name).read_text(encoding="utf-8")


def cassette_body(name):
    return yaml.safe_load(fixture(name))["interactions"][0]["response"]["content"]


def read(client, text):
    return client.post(IMPORT, {"references": text})


def test_editor_pastes_ris_sees_the_records_and_adds_them(client, editor):
    client.force_login(editor)
    text = fixture("ris/pubmed_export_jour.ris") + "\n" + fixture("ris/pmc_export_jour.ris")
    preview = read(client, text)
    page = preview.content.decode()
    assert "Found 2 references" in page
    assert "Jung SI, Lee NK, Kang KW, Kim K, Lee DY. The effect of smartphone usage time" in page
    assert "Chelation: Harnessing and Enhancing Heavy Metal Detoxification—A Review" in page
    assert not Source.objects.exists()  # nothing saved before confirmation
    payload = preview.context["payload"]
    response = client.post(IMPORT, {"payload": payload, "chosen": ["0", "1"]}, follow=True)
    assert "Added 2 sources" in response.content.decode()
    source = Source.objects.get(pmid="26957754")
    assert source.doi == "10.1589/jpts.28.186"
    assert source.history.first().history_change_reason == "Imported"
    assert source.history.first().history_user == editor


def test_an_import_leaves_the_evidence_type_not_set_unless_pubmed_says_it(client, editor):
    client.force_login(editor)
    # Publication types "Journal Article" only: nothing says what kind of study it is.
    preview = read(client, fixture("medline/pubmed_medline_aheadofprint.txt"))
    row = preview.content.decode().split('id="import-preview"')[1]
    assert "<td>— not set —<br><small>Journal Article</small></td>" in row
    client.post(IMPORT, {"payload": preview.context["payload"], "chosen": ["0"]})
    source = Source.objects.get(pmid="37195739")
    assert source.evidence_type == Source.EvidenceType.NOT_SET
    form = client.get(source.get_absolute_url()).content.decode()
    assert '<option value="" selected>— not set —</option>' in form
    assert '<option value="other">Other</option>' in form  # there, but not chosen
    listed = client.get(reverse("admin:citations_source_changelist")).content.decode()
    assert '<td class="field-evidence_type">— not set —</td>' in listed
    # The filter finds the sources still waiting for one.
    assert '<a href="?evidence_type__exact=">— not set —</a>' in listed
    Source.objects.create(title="A typed trial", evidence_type=Source.EvidenceType.RCT)
    untyped = client.get(
        reverse("admin:citations_source_changelist"), {"evidence_type__exact": ""}
    ).content.decode()
    assert source.title in untyped and "A typed trial" not in untyped


def test_only_ticked_records_are_added(client, editor):
    client.force_login(editor)
    preview = read(client, fixture("medline/pubmed_medline_4records.txt"))
    client.post(IMPORT, {"payload": preview.context["payload"], "chosen": ["2"]})
    assert list(Source.objects.values_list("pmid", flat=True)) == ["14871861"]


def test_duplicate_points_to_the_existing_source(client, editor, demo_answer):
    client.force_login(editor)
    existing = Source.objects.get(pmid="37748491")
    ris = (
        "TY  - JOUR\nTI  - CAR T-cell therapy in autoimmune diseases\n"
        "DO  - 10.1016/S0140-6736(23)01126-1\nER  - \n"
    )
    page = read(client, ris).content.decode()
    assert "Already in the library:" in page
    assert existing.get_absolute_url() in page
    assert 'name="chosen"' not in page


def test_adding_a_duplicate_by_hand_links_to_the_existing_source(client, editor, demo_answer):
    client.force_login(editor)
    existing = Source.objects.get(pmid="37748491")
    response = client.post(
        reverse("admin:citations_source_add"),
        {"kind": "article-journal", "title": "Copy", "doi": "doi:10.1016/S0140-6736(23)01126-1",
         "evidence_type": "other", "retraction_status": ""},
    )  # fmt: skip
    page = response.content.decode()
    assert "The library already has a source with this DOI" in page
    assert f'<a href="{existing.get_absolute_url()}">' in page
    assert Source.objects.count() == 4


def test_tampered_import_payload_is_refused(client, editor):
    client.force_login(editor)
    response = client.post(IMPORT, {"payload": "e30:forged", "chosen": ["0"]}, follow=True)
    assert "The import form was changed or is too old" in response.content.decode()
    assert not Source.objects.exists()


def test_unreadable_text_gets_a_clear_message(client, editor):
    client.force_login(editor)
    page = read(client, "Some notes about a paper I read").content.decode()
    assert "This is not a format qasite reads" in page
    assert "Some notes about a paper I read" in page  # the text stays in the box


@responses.activate
def test_editor_adds_a_source_by_doi(client, editor):
    responses.get(
        "https://api.crossref.org/works/10.1371/journal.pone.0033693",
        body=cassette_body("crossref/works_10.1371_journal.pone.0033693.yaml"),
    )
    client.force_login(editor)
    preview = read(client, "doi:10.1371/journal.pone.0033693")
    assert "Found 1 reference" in preview.content.decode()
    client.post(IMPORT, {"payload": preview.context["payload"], "chosen": ["0"]})
    source = Source.objects.get()
    assert source.doi == "10.1371/journal.pone.0033693"
    assert source.container_title == "PLoS ONE"
    assert source.retraction_status == Source.Retraction.CORRECTED


@responses.activate
def test_lookup_timeout_saves_nothing_and_says_so(client, editor):
    responses.get(
        "https://api.crossref.org/works/10.1371/journal.pone.0033693",
        body=requests.exceptions.ReadTimeout(),
    )
    client.force_login(editor)
    page = read(client, "10.1371/journal.pone.0033693").content.decode()
    assert "Crossref did not answer within 10 seconds. Nothing was saved" in page
    assert not Source.objects.exists()


@responses.activate
def test_editor_adds_sources_by_pmid(client, editor):
    responses.get(
        re.compile(r"https://eutils\.ncbi\.nlm\.nih\.gov/entrez/eutils/efetch\.fcgi.*"),
        body=fixture("eutils/efetch_pubmed_2records.xml"),
    )
    client.force_login(editor)
    preview = read(client, "12091962\nPMID: 9997\n")
    client.post(IMPORT, {"payload": preview.context["payload"], "chosen": ["0", "1"]})
    review = Source.objects.get(pmid="12091962")
    assert review.evidence_type == Source.EvidenceType.NARRATIVE_REVIEW
    assert review.publication_types == ["Journal Article", "Review"]
    assert Source.objects.get(pmid="9997").doi == "10.1016/0005-2795(76)90109-4"


def test_source_page_shows_where_it_is_cited(client, editor, demo_answer):
    client.force_login(editor)
    source = Source.objects.get(pmid="37748491")
    page = client.get(source.get_absolute_url()).content.decode()
    assert "1 answer:" in page
    assert reverse("admin:answers_answer_change", args=[demo_answer.pk]) in page


def test_check_citations_reports_the_demo_order_as_a_warning(demo_answer, capsys):
    call_command("check_citations")  # warnings only: exits normally
    out = capsys.readouterr().out
    assert "WARNING: Citations are not numbered in order of first use" in out
    assert "the text cites 9, 10, 11, 1" in out
    assert "1 answer checked: 0 errors, 1 warnings." in out


def test_check_citations_exits_non_zero_on_errors(demo_answer, capsys):
    demo_answer.citations.get(number=10).delete()
    with pytest.raises(SystemExit) as exit_info:
        call_command("check_citations")
    assert exit_info.value.code == 1
    assert "ERROR: Marker [10] points to no citation" in capsys.readouterr().out


def test_renumbering_rewrites_markers_and_numbers_in_one_revision(
    client, editor, demo_answer, reviewer
):
    client.force_login(editor)
    revisions = demo_answer.history.count()
    change = reverse("admin:answers_answer_change", args=[demo_answer.pk])
    assert "Renumber by order of first use" in client.get(change).content.decode()
    response = client.post(
        reverse("admin:answers_answer_renumber", args=[demo_answer.pk]),
        {"version": demo_answer.version},
        follow=True,
    )
    assert "Citations renumbered by order of first use" in response.content.decode()
    demo_answer.refresh_from_db()
    assert re.findall(r"\[(\d+)\]", demo_answer.research) == ["1", "2", "3", "4"]
    numbers = dict(demo_answer.citations.values_list("source__pmid", "number"))
    assert numbers == {"37748491": 1, "": 2, "39276207": 3, "39450112": 4}
    assert [p.code for p in demo_answer.citation_problems()] == []
    # One new answer revision for the renumbering, one for going back to draft.
    reasons = list(
        demo_answer.history.order_by("-history_id").values_list("history_change_reason", flat=True)
    )[: demo_answer.history.count() - revisions]
    assert reasons == ["Edited: back to draft", "Renumbered citations by order of first use"]
    assert demo_answer.status == Answer.Status.DRAFT  # the live page waits for approval


def test_retracted_source_blocks_submission_and_shows_on_the_live_page(
    client, editor, reviewer, demo_answer
):
    source = Source.objects.get(pmid="37748491")
    source.retraction_status = Source.Retraction.RETRACTED
    source.retraction_notice_url = "https://doi.org/10.1016/example-notice"
    source.save()
    page = client.get(demo_answer.get_absolute_url()).content.decode()
    ref9 = page[page.index('<li id="ref-9"') : page.index('<li id="ref-10"')]
    assert "This paper has been retracted" in ref9
    assert '<a href="https://doi.org/10.1016/example-notice">read the notice</a>' in ref9
    client.force_login(reviewer)
    due_list = client.get(reverse("admin:desk_reviewqueue_changelist"))
    assert "1 answer in the review queue" in due_list.content.decode()
    assert "[9] Retracted" in due_list.content.decode()
    flagged = client.get(reverse("admin:answers_answer_changelist"), {"review": "flagged"})
    assert "Are CAR-T cell therapies" in flagged.content.decode()
    demo_answer.transition("withdraw", reviewer, comment="Retracted source")
    with pytest.raises(Exception, match="has been retracted"):
        demo_answer.transition("submit", editor)


def test_reference_list_links_back_to_every_place_it_is_cited(
    client, demo_answer, editor, reviewer
):
    demo_answer.research += " The Lancet review also covers lupus [9]."
    demo_answer._history_user = editor
    demo_answer.save()
    demo_answer.record_edit(editor)
    publish(demo_answer, editor, reviewer)
    page = client.get(demo_answer.get_absolute_url()).content.decode()
    ref9 = page[page.index('<li id="ref-9"') : page.index('<li id="ref-10"')]
    assert '<a href="#cite-9-1" aria-label="Back to citation 9, use a">↑<sup>a</sup></a>' in ref9
    assert '<a href="#cite-9-2" aria-label="Back to citation 9, use b"><sup>b</sup></a>' in ref9
    assert 'id="cite-9-2"' in page
    ref1 = page[page.index('<li id="ref-1"') : page.index('<li id="ref-9"')]
    assert '<a href="#cite-1-1" aria-label="Back to citation 1">↑</a>' in ref1
    assert "Narrative review" in ref1  # the evidence label


@responses.activate
def test_check_retractions_marks_sources_and_lists_answers_needing_review(
    editor, reviewer, demo_answer, capsys
):
    retracted = "10.1016/s0140-6736(20)31180-6"
    notice = "10.1016/s0140-6736(20)31324-6"
    for doi, name in [
        (retracted, "crossref/works_retracted_10.1016_s0140-6736(20)31180-6.json"),
        (notice, "crossref/works_retraction_notice_10.1016_s0140-6736(20)31324-6.json"),
    ]:
        responses.get(f"https://api.crossref.org/works/{doi}", body=fixture(name))
    responses.get(
        "https://api.crossref.org/works/10.1371/journal.pone.0033693",
        body=cassette_body("crossref/works_10.1371_journal.pone.0033693.yaml"),
    )
    for source in Source.objects.exclude(doi=""):  # the demo DOIs: no recorded answers here
        responses.get(
            f"https://api.crossref.org/works/{source.doi}",
            body=requests.exceptions.ConnectTimeout(),
        )
    paper = Source.objects.create(
        title="Hydroxychloroquine registry analysis", doi=retracted,
        evidence_type=Source.EvidenceType.OBSERVATIONAL,
    )  # fmt: skip
    Source.objects.create(title="Retraction notice", doi=notice)
    Source.objects.create(title="Methylphenidate study", doi="10.1371/journal.pone.0033693")
    question = Question.objects.create(
        text="Does hydroxychloroquine help in COVID-19?", slug="hcq",
        topic=demo_answer.question.topic,
    )  # fmt: skip
    citing = Answer.objects.create(question=question, short_answer="No.", research="Data [1].")
    Citation.objects.create(answer=citing, number=1, source=paper)
    publish(citing, editor, reviewer)

    with pytest.raises(SystemExit) as exit_info:
        call_command("check_retractions")
    assert exit_info.value.code == 1
    out = capsys.readouterr().out
    paper.refresh_from_db()
    assert paper.retraction_status == Source.Retraction.RETRACTED
    assert paper.retraction_notice_url == f"https://doi.org/{notice}"
    assert Source.objects.get(doi=notice).retraction_status == Source.Retraction.NONE
    corrected = Source.objects.get(doi="10.1371/journal.pone.0033693")
    assert corrected.retraction_status == Source.Retraction.CORRECTED
    assert "NEEDS REVIEW: Does hydroxychloroquine help in COVID-19?" in out
    assert "CAR-T" not in out.split("NEEDS REVIEW")[-1]
    assert list(ReviewQueue.objects.needing_review()) == [citing]
    assert (
        paper.history.first().history_change_reason == "check_retractions: Crossref update notice"
    )
    history_before = paper.history.count()
    with pytest.raises(SystemExit):
        call_command("check_retractions")  # a second run changes nothing
    assert paper.history.count() == history_before


PLOS_DOI = "10.1371/journal.pone.0033693"


def serve_plos_record():
    responses.get(
        f"https://api.crossref.org/works/{PLOS_DOI}",
        body=cassette_body("crossref/works_10.1371_journal.pone.0033693.yaml"),
    )


@responses.activate
def test_check_retractions_fails_when_a_doi_could_not_be_checked(demo_answer, capsys):
    unreachable = list(Source.objects.exclude(doi="").values_list("doi", flat=True))
    for doi in unreachable:
        responses.get(
            f"https://api.crossref.org/works/{doi}", body=requests.exceptions.ConnectTimeout()
        )
    serve_plos_record()
    plos = Source.objects.create(title="Methylphenidate study", doi=PLOS_DOI)

    with pytest.raises(SystemExit) as exit_info:
        call_command("check_retractions")

    assert exit_info.value.code == 1  # no answer cites a flagged source: the failures decide
    out, err = capsys.readouterr()
    assert f"1 DOIs checked, {len(unreachable)} not reachable; 0 published answers" in out
    assert "NEEDS REVIEW" not in out
    assert f"Not checked: {unreachable[0]}: Crossref did not answer within" in err
    assert (
        f"{len(unreachable)} of {len(unreachable) + 1} DOIs could not be checked, so a "
        "retraction may have been missed. Run check_retractions again later." in err
    )
    plos.refresh_from_db()
    assert plos.retraction_status == Source.Retraction.CORRECTED  # what could be checked was
    assert plos.retraction_checked_at is not None
    assert not Source.objects.filter(doi__in=unreachable, retraction_checked_at__isnull=False)


@responses.activate
def test_check_retractions_passes_when_every_doi_was_checked_and_none_is_flagged(capsys):
    serve_plos_record()
    Source.objects.create(title="Methylphenidate study", doi=PLOS_DOI)

    call_command("check_retractions")  # no SystemExit: status 0

    out, err = capsys.readouterr()
    assert "1 DOIs checked, 0 not reachable; 0 published answers" in out
    assert err == ""


@pytest.mark.parametrize(
    "text, message",
    [
        ("[" * 50_000 + "]" * 50_000, "This does not read as CSL-JSON"),
        (
            "\n".join([fixture("ris/pubmed_export_jour.ris")] * 201),
            "This export holds 201 references; import at most 200 at a time.",
        ),
        ("@a{" * 50_000, "This does not read as BibTeX: no entry could be parsed."),
        ("TY  - JOUR\n" * 40_000, "Ensure this value has at most 300000 characters"),
    ],
    ids=["deeply-nested-json", "too-many-records", "broken-bibtex", "too-long"],
)
def test_hostile_or_huge_pastes_get_a_message_not_an_error(client, editor, text, message):
    client.force_login(editor)
    response = read(client, text)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Source.objects.exists()


def test_source_page_shows_the_reference_as_patients_see_it(client, editor, demo_answer):
    source = demo_answer.citations.get(number=10).source
    source.title = "<b>Bold</b> claims"
    source.save()
    client.force_login(editor)
    page = client.get(source.get_absolute_url()).content.decode()
    preview = re.search(
        r'field-reference_preview.*?<div class="readonly">(.*?)</div>', page, re.DOTALL
    ).group(1)
    assert "<i>Cell</i>" in preview  # the journal in italics, not "&lt;i&gt;" as text
    assert "&lt;i&gt;" not in preview
    assert "&lt;b&gt;Bold&lt;/b&gt; claims" in preview and "<b>Bold</b>" not in page
