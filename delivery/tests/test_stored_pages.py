"""The answer page kept rendered with its version (delivery/stored_pages.py), with the page
cache off: one read while nothing it shows has changed, and rendered again the moment
something has."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from answers.models import PublishedVersion
from answers.testing import committed, publish
from delivery import page_cache, stored_pages
from delivery.tests.translations import translate

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_page_cache(settings):
    settings.PUBLIC_PAGE_CACHE = False


def read(client, url, **headers):
    """The response, and the queries it took (without the savepoints only tests have: each
    test runs in a transaction)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
    return response, len([q for q in queries if "SAVEPOINT" not in q["sql"]])


def test_the_kept_page_is_the_rendered_page_in_one_query(client, demo_answer):
    url = demo_answer.get_absolute_url()
    rendered, rendered_queries = read(client, url)
    kept, kept_queries = read(client, url)
    assert (rendered_queries, kept_queries) == (5, 1)
    assert kept.content == rendered.content
    assert kept["ETag"] == rendered["ETag"]
    assert kept["Content-Security-Policy"] == rendered["Content-Security-Policy"]
    assert "Dr Robin Reviewer" in kept.content.decode()


def test_the_read_is_a_statement_postgresql_planned_once(demo_answer):
    slug = demo_answer.question.slug
    assert stored_pages.find(slug, "en-gb").html == "" and stored_pages.find(
        slug, "en-gb", with_page=False
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = {row[0] for row in cursor.fetchall()}
    assert {stored_pages.READ_PAGE, stored_pages.READ_VALIDATORS} <= {
        statement.replace("$1", "%s").replace("$2", "%s") for statement in prepared
    }


def test_a_conditional_read_of_a_kept_page_is_one_query_without_the_page(client, demo_answer):
    url = demo_answer.get_absolute_url()
    etag = client.get(url)["ETag"]
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers={"if-none-match": etag})
    assert response.status_code == 304 and len(queries) == 1
    assert "page_html" not in queries.captured_queries[0]["sql"]
    changed, count = read(client, url, if_none_match='"an-older-copy"')
    assert changed.status_code == 200 and "Dr Robin Reviewer" in changed.content.decode()
    assert count == 2  # the validators, then the page


def test_a_retraction_notice_reaches_the_kept_page_at_once(client, demo_answer):
    url = demo_answer.get_absolute_url()
    before = client.get(url)
    assert "retracted" not in before.content.decode()
    source = demo_answer.citations.get(number=10).source
    source.retraction_status = source.Retraction.RETRACTED
    source.retraction_notice_url = "https://example.org/retraction"
    source.save()
    after = client.get(url)
    assert "This paper has been retracted" in after.content.decode()
    assert after["ETag"] != before["ETag"]
    assert client.get(url, headers={"if-none-match": before["ETag"]}).status_code == 200
    source.retraction_status = ""
    source.save()
    assert "retracted" not in client.get(url).content.decode()


def test_a_topic_change_reaches_the_links_on_the_kept_page(client, demo_answer):
    url = demo_answer.get_absolute_url()
    client.get(url)
    topic = demo_answer.question.topic
    topic.slug = "neurology"
    topic.save()
    assert 'href="/topics/neurology/"' in client.get(url).content.decode()


def test_the_day_the_review_falls_overdue_the_kept_page_says_so(client, demo_answer, monkeypatch):
    url = demo_answer.get_absolute_url()
    assert "due for a new medical review" not in client.get(url).content.decode()
    due = demo_answer.live_version.next_review_due
    monkeypatch.setattr(timezone, "localdate", lambda *args: due + datetime.timedelta(days=1))
    # The page cache's clock turns too (it reads the date once a day).
    monkeypatch.setattr(page_cache, "today", lambda: (due + datetime.timedelta(days=1)).isoformat())
    assert "due for a new medical review" in client.get(url).content.decode()


def test_a_new_release_renders_the_page_again(client, demo_answer, monkeypatch):
    url = demo_answer.get_absolute_url()
    client.get(url)
    PublishedVersion.objects.update(page_html="<p>rendered by the previous release</p>")
    assert read(client, url)[0].content == b"<p>rendered by the previous release</p>"
    monkeypatch.setattr(stored_pages, "_release", "the-next-release")
    again, queries = read(client, url)
    assert queries == 5 and "Dr Robin Reviewer" in again.content.decode()


def test_approval_and_withdrawal_need_no_kept_page_cleared(
    client, demo_answer, editor, reviewer, second_reviewer
):
    url = demo_answer.get_absolute_url()
    client.get(url)
    demo_answer.short_answer = "A newly approved short answer."
    demo_answer.save()
    demo_answer.record_edit(editor)
    assert "A newly approved" not in client.get(url).content.decode()  # still a draft
    demo_answer.transition("submit", editor)
    demo_answer.transition("approve", second_reviewer)
    assert "A newly approved short answer." in client.get(url).content.decode()
    demo_answer.transition("withdraw", second_reviewer, comment="Under review again.")
    assert client.get(url).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_a_page_that_cannot_be_kept_is_still_served(client, demo_answer):
    url = demo_answer.get_absolute_url()
    with connection.cursor() as cursor:  # as on a read-only replica
        cursor.execute("SET default_transaction_read_only = on")
        try:
            for _ in range(2):
                response = client.get(url)
                assert response.status_code == 200
                assert "Dr Robin Reviewer" in response.content.decode()
            kept = PublishedVersion.objects.get().page_key
        finally:
            cursor.execute("SET default_transaction_read_only = off")
    assert kept == ""


def kept_key(answer):
    return PublishedVersion.objects.get(pk=answer.live_version_id).page_key


def test_the_english_page_is_rendered_again_once_its_spanish_translation_is_published(
    client, demo_answer, editor, reviewer
):
    """The page links its translations (hreflang, the language switcher): a translation
    published or withdrawn changes it without a new approval of its own."""
    url = demo_answer.get_absolute_url()
    before = client.get(url)
    key = kept_key(demo_answer)
    assert read(client, url)[1] == 1  # kept
    spanish = translate(demo_answer, editor, reviewer)
    spanish_url = f"http://testserver{spanish.get_absolute_url()}"
    assert spanish_url not in before.content.decode()
    after, queries = read(client, url)
    assert queries > 1 and kept_key(demo_answer) != key  # rendered again, and kept
    assert spanish_url in after.content.decode()
    assert after["ETag"] != before["ETag"]
    assert client.get(url, headers={"if-none-match": before["ETag"]}).status_code == 200
    assert read(client, url)[1] == 1
    with committed():
        spanish.withdraw(reviewer, comment="Under review again.")
    gone = client.get(url)
    assert gone.status_code == 200 and spanish_url not in gone.content.decode()


def test_the_spanish_page_is_rendered_again_once_its_original_is_approved_again(
    client, demo_answer, editor, reviewer, second_reviewer
):
    """A translation's page says when its original was approved again since the version
    it follows: that approval changes the page, though the translation's is the same."""
    spanish = translate(demo_answer, editor, reviewer)
    url = spanish.get_absolute_url()
    before = client.get(url)
    key = kept_key(spanish)
    assert read(client, url)[1] == 1  # kept
    demo_answer.short_answer = "A newly approved short answer."
    demo_answer._history_user = editor
    demo_answer.save()
    demo_answer.record_edit(editor)
    assert read(client, url)[1] == 1  # a draft of the original changes nothing
    publish(demo_answer, editor, second_reviewer)
    after, queries = read(client, url)
    assert queries > 1 and kept_key(spanish) != key  # rendered again, and kept
    assert after.content != before.content
    assert after["ETag"] != before["ETag"]
    assert client.get(url, headers={"if-none-match": before["ETag"]}).status_code == 200
    assert read(client, url)[1] == 1
