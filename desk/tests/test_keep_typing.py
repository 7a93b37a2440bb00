"""The server's half of "no typed word is lost" (desk/keep_typing.py): the session check a
save asks first, the autosaved copy of what one person typed, and the cookie that confirms a
save to the form's script. Chromium drives the whole of it in test_browser_keep_typing.py."""

import json
import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from answers.models import Answer, Question
from desk.keep_typing import SAVED_COOKIE
from desk.models import Autosave
from desk.tests.test_hostile_input import FormFields

pytestmark = pytest.mark.django_db

TEXTS = {
    "short_answer": "Not yet: it is being tried in trials only.",
    "research": "Two small trials are under way [1].\n\nNothing is approved.",
    "doctor_questions": "Is there a trial near me?",
    "change_reason": "Trials update",
}


def autosave_url(answer):
    return reverse("keep_typing:autosave", args=[answer.pk])


def change_url(answer):
    return reverse("admin:answers_answer_change", args=[answer.pk])


def stored(answer):
    """The answer's row, its revisions and its workflow steps, as stored."""
    row = Answer.objects.filter(pk=answer.pk).values().get()
    return row, answer.history.count(), answer.transitions.count()


def form_data(client, url):
    """The answer form's fields, as a browser sends them (the panels above it have fields of
    their own)."""
    html = client.get(url).content.decode()
    parser = FormFields()
    parser.feed(html[html.rindex("<form", 0, html.index('id="answer_form"')) :])
    return parser.data


def page_settings(response):
    match = re.search(
        r'<script id="keep-typing-settings" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert match, "the change form carries no settings for its script"
    return json.loads(match.group(1))


def test_autosave_keeps_the_text_and_leaves_the_answer_alone(client, editor, demo_answer):
    before = stored(demo_answer)
    client.force_login(editor)

    response = client.post(autosave_url(demo_answer), {**TEXTS, "started_from": 3})

    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    kept = Autosave.objects.get()
    assert (kept.user, kept.answer, kept.fields, kept.started_from) == (
        editor, demo_answer, TEXTS, 3
    )  # fmt: skip
    assert response.json()["saved_at"] == kept.saved_at.isoformat()
    assert stored(demo_answer) == before  # no save, no revision, no step, same status


def test_a_second_autosave_replaces_the_first(client, editor, demo_answer):
    client.force_login(editor)
    client.post(autosave_url(demo_answer), {**TEXTS, "started_from": 3})
    client.post(autosave_url(demo_answer), {**TEXTS, "research": "Later text.", "started_from": 3})

    assert list(Autosave.objects.values_list("fields__research", flat=True)) == ["Later text."]


def test_only_the_texts_sent_are_kept(client, editor, demo_answer):
    """The script sends the fields the person changed: putting them back leaves the others
    as they are stored then, whoever changed them since."""
    client.force_login(editor)
    client.post(autosave_url(demo_answer), {"research": "Only this.", "started_from": 3})

    assert Autosave.objects.get().fields == {"research": "Only this."}


def test_texts_are_kept_as_typed_with_line_endings_normalised(client, editor, demo_answer):
    client.force_login(editor)
    client.post(
        autosave_url(demo_answer), {**TEXTS, "research": "  Indented\r\nnext  ", "started_from": 3}
    )

    assert Autosave.objects.get().fields["research"] == "  Indented\nnext  "


def test_autosave_needs_the_csrf_token(editor, demo_answer):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(editor)

    refused = browser.post(autosave_url(demo_answer), {**TEXTS, "started_from": 3})
    assert refused.status_code == 403
    assert not Autosave.objects.exists()

    form = browser.get(change_url(demo_answer)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    accepted = browser.post(
        autosave_url(demo_answer), {**TEXTS, "started_from": 3}, headers={"X-CSRFToken": token}
    )
    assert accepted.status_code == 200
    assert Autosave.objects.count() == 1


def test_signed_out_autosave_is_refused_with_json_not_a_sign_in_page(client, demo_answer):
    response = client.post(autosave_url(demo_answer), {**TEXTS, "started_from": 3})

    assert response.status_code == 403
    assert response.json()["signed_out"] is True
    assert "kept in this browser" in response.json()["error"]
    assert not Autosave.objects.exists()


@pytest.mark.parametrize("who", ["visitor", "other_staff"])
def test_people_who_may_not_change_answers_keep_nothing(request, client, who, demo_answer):
    client.force_login(request.getfixturevalue(who))

    response = client.post(autosave_url(demo_answer), {**TEXTS, "started_from": 3})

    assert response.status_code == 403
    assert not Autosave.objects.exists()


def test_autosave_of_a_missing_answer_is_not_found(client, editor, demo_answer):
    client.force_login(editor)
    missing = reverse("keep_typing:autosave", args=[demo_answer.pk + 1])

    assert client.post(missing, {**TEXTS, "started_from": 3}).status_code == 404


def test_autosave_is_a_post_only(client, editor, demo_answer):
    client.force_login(editor)

    assert client.get(autosave_url(demo_answer)).status_code == 405


def test_a_text_over_the_forms_limit_is_refused_with_its_field(client, editor, demo_answer):
    client.force_login(editor)
    limit = settings.MARKDOWN_MAX_CHARS

    response = client.post(
        autosave_url(demo_answer), {**TEXTS, "research": "a" * (limit + 1), "started_from": 3}
    )

    assert response.status_code == 400
    assert response.json()["error"] == (
        f"Not kept on the server. What the research says: This text is {limit + 1:,} "
        f"characters long; the limit is {limit:,}. Shorten it or split the answer."
    )
    assert not Autosave.objects.exists()


def test_a_reason_over_its_limit_is_refused(client, editor, demo_answer):
    client.force_login(editor)

    response = client.post(
        autosave_url(demo_answer), {**TEXTS, "change_reason": "x" * 101, "started_from": 3}
    )

    assert response.status_code == 400
    assert "Reason for this change: Ensure this value has at most 100" in response.json()["error"]
    assert not Autosave.objects.exists()


@pytest.mark.parametrize("character", ["\x07", "\x00", "\ufffe"])
def test_control_characters_are_refused_saying_where(client, editor, demo_answer, character):
    client.force_login(editor)

    response = client.post(
        autosave_url(demo_answer),
        {**TEXTS, "doctor_questions": f"First?\nSec{character}ond?", "started_from": 3},
    )

    assert response.status_code == 400
    assert response.json()["error"] == (
        "Not kept on the server. What to ask your doctor: This text contains a character "
        f"that cannot be shown on a page (U+{ord(character):04X}) at line 2, character 4. "
        "Remove it: it may be invisible, so delete and retype the text around it."
    )
    assert not Autosave.objects.exists()


def test_each_person_keeps_and_discards_their_own_copy(client, editor, reviewer, demo_answer):
    client.force_login(editor)
    client.post(autosave_url(demo_answer), {**TEXTS, "started_from": 3})
    client.force_login(reviewer)
    client.post(autosave_url(demo_answer), {**TEXTS, "research": "Mine.", "started_from": 3})

    assert page_settings(client.get(change_url(demo_answer)))["server_copy"]["texts"] == {
        **TEXTS, "research": "Mine."
    }  # fmt: skip
    client.post(reverse("keep_typing:discard", args=[demo_answer.pk]))
    assert page_settings(client.get(change_url(demo_answer)))["server_copy"] is None

    client.force_login(editor)
    assert page_settings(client.get(change_url(demo_answer)))["server_copy"] == {
        "texts": TEXTS,
        "started_from": "3",
        "saved_at": Autosave.objects.get(user=editor).saved_at.isoformat(),
    }


def test_change_and_add_forms_tell_the_script_whose_copy_and_where(client, editor, demo_answer):
    client.force_login(editor)

    change = page_settings(client.get(change_url(demo_answer)))
    assert (change["user"], change["key"], change["server_copy"]) == (
        editor.pk,
        str(demo_answer.pk),
        None,
    )
    assert change["fields"] == ["short_answer", "research", "doctor_questions", "change_reason"]
    assert change["autosave_url"] == autosave_url(demo_answer)
    assert change["session_url"] == reverse("keep_typing:session")

    add = page_settings(client.get(reverse("admin:answers_answer_add")))
    assert (add["key"], add["server_copy"]) == ("add", None)
    assert "autosave_url" not in add  # the add form keeps its copy in the browser only


def test_saving_the_answer_drops_that_persons_copy_and_confirms_it(
    client, editor, reviewer, demo_answer
):
    Autosave.objects.create(user=editor, answer=demo_answer, fields=TEXTS, started_from=3)
    Autosave.objects.create(user=reviewer, answer=demo_answer, fields=TEXTS, started_from=3)
    client.force_login(editor)
    data = form_data(client, change_url(demo_answer))
    version = data["edit_version"][0]
    data["research"] = [data["research"][0] + "\n\nA new trial started in 2025 [1]."]

    response = client.post(change_url(demo_answer), {**data, "_continue": "Save"})

    assert response.status_code == 302
    assert "A new trial started in 2025" in Answer.objects.get().research
    assert list(Autosave.objects.values_list("user__username", flat=True)) == ["robin"]
    cookie = response.cookies[SAVED_COOKIE]
    assert cookie.value == f"{editor.pk}:{demo_answer.pk}:{version}"
    assert cookie["path"] == "/admin/"


def test_a_refused_save_keeps_the_copy_and_confirms_nothing(client, editor, demo_answer):
    Autosave.objects.create(user=editor, answer=demo_answer, fields=TEXTS, started_from=3)
    client.force_login(editor)
    data = form_data(client, change_url(demo_answer))
    data["research"] = ["A marker with no citation [99]."]

    response = client.post(change_url(demo_answer), {**data, "_continue": "Save"})

    assert response.status_code == 200  # the form again, with its errors
    assert Autosave.objects.count() == 1
    assert SAVED_COOKIE not in response.cookies


def test_an_added_answer_confirms_the_add_form(client, editor, demo_answer):
    client.force_login(editor)
    question = Question.objects.create(
        text="Is CAR-T approved for MS?", slug="car-t-approved", topic=demo_answer.question.topic
    )
    data = form_data(client, reverse("admin:answers_answer_add"))
    data.update(question=[question.pk], short_answer=["Not yet."], research=["Not approved."])

    response = client.post(reverse("admin:answers_answer_add"), {**data, "_save": "Save"})

    assert response.status_code == 302
    assert response.cookies[SAVED_COOKIE].value == f"{editor.pk}:add:"


def test_session_check_says_whether_the_person_is_signed_in(client, editor):
    url = reverse("keep_typing:session")
    assert client.get(url).json() == {"signed_in": False}

    client.force_login(editor)
    answer = client.get(url)
    assert answer["Cache-Control"].startswith("max-age=0")
    assert answer.json()["signed_in"] is True
    assert answer.json()["user"] == editor.pk
    assert answer.json()["csrf_token"]


def test_session_check_of_a_non_staff_account_says_signed_out(client, visitor):
    client.force_login(visitor)

    assert client.get(reverse("keep_typing:session")).json() == {"signed_in": False}


def test_sign_in_page_says_why_after_an_expired_session(client):
    message = "Your session expired; sign in again and your unsaved text will be offered back."
    expired = client.get(reverse("admin:login"), {"next": "/admin/", "session": "expired"})
    assert message in expired.content.decode()
    assert 'name="next" value="/admin/"' in expired.content.decode()

    assert message not in client.get(reverse("admin:login")).content.decode()
