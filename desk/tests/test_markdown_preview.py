"""The admin's live preview endpoint answers staff only; image upload is off."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PREVIEW = "/admin/markdown-preview/"


def test_preview_url_is_the_one_the_widget_posts_to(settings):
    assert reverse("markdown-preview") == PREVIEW == settings.MARKDOWNX_URLS_PATH


def test_anonymous_preview_is_refused_and_renders_nothing(client):
    response = client.post(PREVIEW, {"content": "**bold** [1]"})
    assert response.status_code == 403
    assert b"bold" not in response.content and b"<strong>" not in response.content


def test_signed_in_non_staff_preview_is_refused(client, visitor):
    client.force_login(visitor)
    response = client.post(PREVIEW, {"content": "**bold**"})
    assert response.status_code == 403
    assert b"<strong>" not in response.content


def test_staff_preview_uses_the_public_renderer(client, editor):
    client.force_login(editor)
    response = client.post(PREVIEW, {"content": "Claim [1].\n\n<script>alert(1)</script>"})
    html = response.content.decode()
    assert response.status_code == 200
    assert '<sup class="citation"><a href="#ref-1"' in html
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_staff_preview_without_content_is_empty(client, editor):
    client.force_login(editor)
    response = client.post(PREVIEW, {})
    assert response.status_code == 200 and response.content == b""


def test_oversized_preview_is_refused_with_a_message(client, editor, settings):
    settings.MARKDOWN_MAX_CHARS = 100
    client.force_login(editor)
    response = client.post(PREVIEW, {"content": "x" * 101})
    html = response.content.decode()
    assert html.startswith("<p><strong>No preview:</strong> This text is 101 characters long")
    assert "the limit is 100" in html and "xxx" not in html


def test_over_dense_preview_is_refused_with_the_save_message(client, editor):
    client.force_login(editor)
    response = client.post(PREVIEW, {"content": "[" * 5_000})
    html = response.content.decode()
    assert "No preview:</strong> This text has 5,000 line breaks, list markers and" in html
    assert "[[[" not in html


def test_unprintable_character_in_preview_is_named_and_placed(client, editor):
    client.force_login(editor)
    response = client.post(PREVIEW, {"content": "Fine.\r\n\r\nSee [x](https://x.org/\x01)."})
    html = response.content.decode()
    assert "No preview:</strong> This text contains a character" in html
    assert "(U+0001) at line 3, character 23" in html
    assert "<a " not in html


def test_preview_only_accepts_post(client, editor):
    client.force_login(editor)
    assert client.get(PREVIEW).status_code == 405


def test_markdownx_own_endpoints_are_not_served(client, editor):
    client.force_login(editor)
    for url in [
        "/markdownx/markdownify/",
        "/markdownx/upload/",
        "/admin/markdown-upload-disabled/",
    ]:
        response = client.post(url, {"content": "**x**", "image": "x"})
        assert response.status_code == 404, url
