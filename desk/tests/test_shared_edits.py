"""Shared records (sources, questions, topics, disclaimers) edited under live answers: the
editor is told, the answers wait for re-approval, patients keep the approved text."""

import pytest
from django.urls import reverse

from answers.models import Answer, Disclaimer
from citations.models import Source

pytestmark = pytest.mark.django_db


def form_data(client, url, **changes):
    """The admin change form at `url` as a browser would post it, with `changes` applied."""
    form = client.get(url).context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = value
    for name, value in changes.items():
        if value is False:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def save(client, obj, **changes):
    response = client.post(
        change_url(obj), form_data(client, change_url(obj), **changes), follow=True
    )
    assert response.status_code == 200
    assert "errornote" not in response.content.decode(), response.content.decode()
    return response.content.decode()


def test_saving_a_cited_source_names_the_published_answers_it_affects(client, demo_answer, editor):
    source = demo_answer.citations.get(number=10).source
    client.force_login(editor)
    page = save(client, source, title="A corrected title")
    assert "This change affects 1 published answer on the site" in page
    assert change_url(demo_answer) in page
    # Where it really went: back to draft, not into the reviewers' queue.
    assert "Each is a draft again, waiting to be submitted for review" in page
    assert "patients keep seeing the approved text" in page
    assert "queue" not in page.split('class="messagelist"')[1].split("</ul>")[0]
    demo_answer.refresh_from_db()
    assert demo_answer.status == Answer.Status.DRAFT
    assert demo_answer.transitions.first().comment.startswith("Changed the source")
    # Patients keep the approved record; the answer's page says it differs.
    assert "A corrected title" not in client.get(demo_answer.get_absolute_url()).content.decode()
    answer_page = client.get(change_url(demo_answer)).content.decode()
    assert "This draft differs from the live version" in answer_page


def test_saving_a_source_without_patient_visible_change_says_nothing(client, demo_answer, editor):
    source = demo_answer.citations.get(number=10).source
    client.force_login(editor)
    page = save(client, source, notes="Registry checked.")
    assert "This change affects" not in page
    demo_answer.refresh_from_db()
    assert demo_answer.status == Answer.Status.PUBLISHED


@pytest.mark.parametrize("kind", ["question", "topic", "disclaimer"])
def test_saving_any_shared_record_names_the_answers(kind, client, demo_answer, editor):
    obj = {
        "question": demo_answer.question,
        "topic": demo_answer.question.topic,
        "disclaimer": demo_answer.effective_disclaimer(),
    }[kind]
    field, value = {
        "question": ("text", "Is CAR-T used for MS today?"),
        "topic": ("name", "Neuro-oncology"),
        "disclaimer": ("body", "General information about {topic}, not advice."),
    }[kind]
    client.force_login(editor)
    page = save(client, obj, **{field: value})
    assert "This change affects 1 published answer" in page
    demo_answer.refresh_from_db()
    assert demo_answer.status == Answer.Status.DRAFT and demo_answer.is_published


def test_answers_in_review_go_back_to_draft_and_are_named(client, demo_answer, editor):
    demo_answer.withdraw(
        Answer.objects.get(pk=demo_answer.pk).live_version.reviewer, comment="Pause"
    )
    demo_answer.submit(editor)
    client.force_login(editor)
    page = save(client, demo_answer.question, text="Reworded?")
    assert "1 answer went back from review to draft" in page
    demo_answer.refresh_from_db()
    assert demo_answer.status == Answer.Status.DRAFT


def test_reviewers_queue_lists_answers_changed_since_approval(
    client, demo_answer, editor, reviewer
):
    queue = reverse("admin:desk_reviewqueue_changelist")
    client.force_login(reviewer)
    assert demo_answer.question.text[:40] not in client.get(queue).content.decode()
    client.force_login(editor)
    save(client, demo_answer.citations.get(number=1).source, title="Renamed")
    client.force_login(reviewer)
    page = client.get(queue).content.decode()
    assert demo_answer.question.text[:40] in page  # shortened in the list
    assert "patients see the approved version" in page


@pytest.mark.parametrize("model", [Source, Disclaimer])
def test_change_page_submits_every_affected_answer_in_one_step(
    model, client, demo_answer, editor, reviewer
):
    obj = (
        demo_answer.citations.get(number=1).source
        if model is Source
        else demo_answer.effective_disclaimer()
    )
    field = "title" if model is Source else "body"
    client.force_login(editor)
    save(client, obj, **{field: "Changed {topic}"})
    page = client.get(change_url(obj)).content.decode()
    assert "Answers waiting to be submitted again" in page
    assert "Submit this answer for review" in page
    submit_url = reverse(
        f"admin:{obj._meta.app_label}_{obj._meta.model_name}_submit_affected", args=[obj.pk]
    )
    page = client.post(submit_url, follow=True).content.decode()
    assert "Submitted 1 answer for review" in page
    demo_answer.refresh_from_db()
    assert demo_answer.status == Answer.Status.IN_REVIEW
    assert "Answers waiting to be submitted again" not in page
    # A reviewer cannot submit for the editors.
    client.force_login(reviewer)
    assert client.post(submit_url).status_code == 403


def test_site_default_disclaimer_cannot_be_deleted_while_answers_rely_on_it(
    client, demo_answer, django_user_model
):
    disclaimer = demo_answer.effective_disclaimer()
    topic = demo_answer.question.topic
    topic.disclaimer = None
    topic.save()
    assert disclaimer.is_default
    admin = django_user_model.objects.create_superuser("root", password="x")
    client.force_login(admin)
    delete_url = reverse("admin:answers_disclaimer_delete", args=[disclaimer.pk])
    page = client.post(delete_url, {"post": "yes"}, follow=True).content.decode()
    assert "answers rely on it" in page
    assert Disclaimer.objects.filter(pk=disclaimer.pk).exists()
    changelist = client.get(reverse("admin:answers_disclaimer_changelist")).content.decode()
    assert "delete_selected" not in changelist


def test_disclaimer_without_topic_saves_with_a_notice(client, demo_answer, editor):
    client.force_login(editor)
    page = save(client, demo_answer.effective_disclaimer(), body="General information only.")
    assert "does not mention {topic}" in page
    assert Disclaimer.objects.filter(body="General information only.").exists()
