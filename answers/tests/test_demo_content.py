import pytest
from django.core.management import call_command
from django.http import HttpRequest

from answers.demo_content import _source_fields
from answers.models import Answer, Disclaimer, Question, Topic
from citations.models import Citation, Source

pytestmark = pytest.mark.django_db

MODELS = [Topic, Disclaimer, Question, Answer, Source, Citation]


def snapshot():
    return {model.__name__: (model.objects.count(), model.history.count()) for model in MODELS}


def test_demo_content_is_submitted_and_approved_by_the_demo_accounts(settings):
    settings.DEBUG = True
    call_command("create_demo_accounts")
    call_command("load_demo_content")
    answer = Answer.objects.published().get()
    assert answer.live_version.reviewer_name == "Dr Robin Reviewer"
    assert [t.action for t in answer.transitions.order_by("at")] == ["submit", "approve"]
    assert answer.question.topic.name == "Oncology"
    assert list(answer.citations.values_list("number", "source__pmid")) == [
        (1, "39450112"),
        (9, "37748491"),
        (10, ""),
        (11, "39276207"),
    ]
    # The published page numbers its citations 9, 10, 11, 1: AMA wants first-use order.
    assert [p.code for p in answer.citation_problems()] == ["order"]
    assert Disclaimer.objects.default().body.startswith("This question is drawn")


def test_demo_sources_carry_the_evidence_types_the_file_gives(settings):
    settings.DEBUG = True
    call_command("create_demo_accounts")
    call_command("load_demo_content")
    assert dict(Source.objects.values_list("pmid", "evidence_type")) == {
        "39450112": Source.EvidenceType.NARRATIVE_REVIEW,
        "37748491": Source.EvidenceType.NARRATIVE_REVIEW,  # "review": a Lancet Seminar
        "": Source.EvidenceType.PHASE_1,
        "39276207": Source.EvidenceType.SYSTEMATIC_REVIEW,
    }
    labels = [ref["evidence"] for ref in Answer.objects.get().live_version.references]
    assert labels == [
        "Narrative review", "Narrative review", "Phase 1 trial",
        "Systematic review / meta-analysis",
    ]  # fmt: skip


def test_a_reference_the_file_gives_no_type_is_left_for_a_reviewer():
    assert _source_fields({"title": "A paper"})["evidence_type"] == Source.EvidenceType.NOT_SET


def test_demo_content_without_reviewer_stays_a_draft(capsys):
    call_command("load_demo_content")
    assert "Loaded as a draft" in capsys.readouterr().out
    assert not Answer.objects.published().exists()
    assert Answer.objects.get().status == Answer.Status.DRAFT


def test_loading_twice_changes_nothing(settings):
    settings.DEBUG = True
    call_command("create_demo_accounts")
    call_command("load_demo_content")
    before = snapshot()
    call_command("load_demo_content")
    assert snapshot() == before


def test_demo_accounts_are_refused_without_debug(settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError, match="only with DEBUG=1"):
        call_command("create_demo_accounts")


def test_demo_accounts_can_sign_in_to_the_admin(client, settings):
    settings.DEBUG = True
    call_command("create_demo_accounts")
    call_command("create_demo_accounts")  # twice: nothing changes
    # django-axes counts sign-ins per client, so authenticate() needs a request.
    assert client.login(request=HttpRequest(), username="editor", password="editor-demo-pass")
    assert client.get("/admin/answers/answer/").status_code == 200
