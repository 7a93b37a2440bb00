"""A form larger than the server reads gets a page that says so, and nothing is saved."""

from urllib.parse import urlencode

import pytest
from django.urls import reverse

from answers.models import Answer

pytestmark = pytest.mark.django_db

FORM = "application/x-www-form-urlencoded"
HUGE = "Ask about the side effects of each treatment.\n" * 70_000  # 3.2 MB


@pytest.mark.parametrize("debug", [True, False], ids=["DEBUG on", "DEBUG off"])
def test_oversized_save_gets_a_413_page_and_saves_nothing(
    client, editor, demo_answer, settings, debug
):
    settings.DEBUG = debug
    client.force_login(editor)
    revisions = demo_answer.history.count()
    url = reverse("admin:answers_answer_change", args=[demo_answer.pk])

    response = client.post(
        url,
        {"doctor_questions": HUGE, "short_answer": demo_answer.short_answer, "_save": "Save"},
    )

    assert response.status_code == 413
    html = response.content.decode()
    assert "<h1>Your form was too large to send</h1>" in html
    assert (
        "the site accepts at most 2.5\xa0MB at a time. <strong>Nothing was saved.</strong>" in html
    )
    assert "your text may still be in the form" in html
    assert "Bad Request" not in html
    answer = Answer.objects.get()
    assert answer.doctor_questions == demo_answer.doctor_questions
    assert answer.history.count() == revisions


def test_the_page_names_the_size_that_was_sent(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    body = urlencode({"username": "x" * 5_000, "password": "y"})  # 5,020 bytes
    response = client.post("/admin/login/", body, content_type=FORM)
    assert response.status_code == 413
    assert "It held 4.9\xa0KB; the site accepts at most 1000\xa0bytes" in response.content.decode()


def test_a_form_within_the_limit_reaches_the_view(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = urlencode({"username": "x" * 5_000, "password": "y"})
    response = client.post("/admin/login/", body, content_type=FORM)
    assert response.status_code == 200
    assert "Please enter the correct username and password" in response.content.decode()


def test_oversized_live_preview_says_so_in_the_preview(client, editor):
    client.force_login(editor)
    response = client.post(
        "/admin/markdown-preview/",
        {"content": HUGE},
        headers={"X-Requested-With": "XMLHttpRequest"},
    )
    assert response.status_code == 413
    assert response.content.decode().startswith(
        "<p><strong>No preview:</strong> the text is too large to send ("
    )
    assert "the limit is 2.5\xa0MB).</p>" in response.content.decode()


def test_oversized_live_preview_is_known_by_its_address_too(client, editor):
    """django-markdownx's script says it is an XMLHttpRequest, but a proxy or another version
    of it may not: the preview pane shows whatever comes back, so never the 413 page."""
    client.force_login(editor)
    response = client.post(reverse("markdown-preview") + "?field=research", {"content": HUGE})

    assert response.status_code == 413
    html = response.content.decode()
    assert html.startswith("<p><strong>No preview:</strong> the text is too large to send (3.")
    assert html.endswith("MB; the limit is 2.5\xa0MB).</p>")
    assert "<html" not in html
    assert "Your form was too large to send" not in html
