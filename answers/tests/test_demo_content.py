import pytest
from django.core.management import call_command

from answers.models import Answer, Disclaimer, Question, Topic
from citations.models import Citation, Source

pytestmark = pytest.mark.django_db

MODELS = [Topic, Disclaimer, Question, Answer, Source, Citation]


def snapshot():
    return {model.__name__: (model.objects.count(), model.history.count()) for model in MODELS}


def test_demo_content_loads_a_published_answer_with_four_citations():
    call_command("load_demo_content")
    answer = Answer.objects.published().get()
    assert answer.question.topic.name == "Oncology"
    assert list(answer.citations.values_list("number", "source__pmid")) == [
        (1, "39450112"),
        (9, "37748491"),
        (10, ""),
        (11, "39276207"),
    ]
    assert answer.citation_problems() == []
    assert Disclaimer.objects.default().body.startswith("This question is drawn")


def test_loading_twice_changes_nothing():
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
    assert client.login(username="editor", password="editor-demo-pass")
    assert client.get("/admin/answers/answer/").status_code == 200
