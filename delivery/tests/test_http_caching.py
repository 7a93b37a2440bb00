"""The answer page over HTTP: constant queries, conditional GET, caching, security headers."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from answers.models import Answer, Question
from answers.testing import committed, publish
from citations.models import Citation, Source
from delivery import page_cache

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    page_cache.clear()
    yield
    page_cache.clear()


def answer_with_citations(count, demo_answer, editor, reviewer):
    research = " ".join(f"Finding {n} [{n}]." for n in range(1, count + 1))
    answer = Answer.objects.create(
        question=Question.objects.create(
            text=f"A question with {count} citations?", slug=f"cited-{count}",
            topic=demo_answer.question.topic,
        ),
        short_answer="Short.", research=research,
    )  # fmt: skip
    for n in range(1, count + 1):
        source = Source.objects.create(
            evidence_type="rct", title=f"Study {count}-{n}", authors="Doe J", year=2020
        )
        Citation.objects.create(answer=answer, number=n, source=source)
    answer.record_snapshots()
    publish(answer, editor, reviewer)
    return answer


def queries_for(client, url):
    """Queries for one GET, without the savepoints only tests have (each runs in a
    transaction)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len([query for query in queries if "SAVEPOINT" not in query["sql"]])


def rendered_then_kept(client, url):
    """Queries for the first read of a page (rendered and kept with its version), then for
    a read the page cache cannot answer (the kept rendering)."""
    rendered = queries_for(client, url)
    page_cache.clear()
    return rendered, queries_for(client, url)


def test_answer_page_takes_the_same_small_number_of_queries_for_1_and_30_citations(
    client, demo_answer, editor, reviewer
):
    one = answer_with_citations(1, demo_answer, editor, reviewer)
    thirty = answer_with_citations(30, demo_answer, editor, reviewer)
    # Find the live version; render it (the answer, its notices, the languages it is on the
    # site in); keep it. Then one read.
    assert rendered_then_kept(client, one.get_absolute_url()) == (5, 1)
    assert rendered_then_kept(client, thirty.get_absolute_url()) == (5, 1)
    page = client.get(thirty.get_absolute_url()).content.decode()
    assert page.count('<li id="ref-') == 30


def test_conditional_get_answers_304(client, demo_answer):
    url = demo_answer.get_absolute_url()
    first = client.get(url)
    etag = first["ETag"]
    assert etag.startswith('"')
    assert client.get(url, headers={"if-none-match": etag}).status_code == 304
    assert client.get(url, headers={"if-none-match": '"stale"'}).status_code == 200


PUBLIC_PAGES = ["/", "/topics/oncology/", "/about/", "/feed/", "/sitemap.xml",
                "/sitemap-answers.xml", "/robots.txt", "/policies/editorial/"]  # fmt: skip


def test_no_public_page_says_when_it_changed(client, demo_answer):
    """A second is too coarse to tell two changes apart (an approval and a retraction
    notice in the same second), and the overdue notice changes a page without any row
    changing: only the ETag, which follows every change, is a validator."""
    for url in [demo_answer.get_absolute_url(), *PUBLIC_PAGES]:
        response = client.get(url)
        assert response.status_code == 200 and response["ETag"], url
        assert "Last-Modified" not in response, url
        since = {"if-modified-since": "Mon, 01 Jan 2035 00:00:00 GMT"}
        assert client.get(url, headers=since).status_code == 200, url


def test_browsers_and_cdns_revalidate_and_only_our_proxy_keeps_pages(client, demo_answer):
    """No cache we cannot purge may keep a page that can be taken down: browsers and CDNs
    ask each time (answered 304 when nothing changed); Varnish, which the app purges, keeps
    pages for PROXY_CACHE_SECONDS."""
    with committed():  # a policy page's first visit saves the policy, as it commits at once
        client.get("/policies/editorial/")
    for url in [demo_answer.get_absolute_url(), *PUBLIC_PAGES, "/search/?q=sclerosis"]:
        response = client.get(url)
        assert response["Cache-Control"] == "public, no-cache", url
        assert response["Qasite-Cache-Control"] == (
            "max-age=300, stale-while-revalidate=300, stale-if-error=86400"
        ), url


def test_a_site_may_let_browsers_keep_pages_a_while(client, demo_answer, settings):
    settings.PUBLIC_CACHE_SECONDS = 60
    assert client.get("/about/")["Cache-Control"] == "public, max-age=60"


def test_publishing_a_new_version_changes_the_page_at_once(client, demo_answer, editor, reviewer):
    url = demo_answer.get_absolute_url()
    old = client.get(url)
    assert "A new short answer." not in old.content.decode()
    demo_answer.short_answer = "A new short answer."
    demo_answer._history_user = editor
    demo_answer.save()
    demo_answer.record_edit(editor)
    assert client.get(url, headers={"if-none-match": old["ETag"]}).status_code == 304  # not yet
    publish(demo_answer, editor, reviewer)
    new = client.get(url, headers={"if-none-match": old["ETag"]})
    assert new.status_code == 200 and new["ETag"] != old["ETag"]
    assert "A new short answer." in new.content.decode()


def test_withdrawing_removes_the_page_at_once_even_when_cached(client, demo_answer, reviewer):
    url = demo_answer.get_absolute_url()
    etag = client.get(url)["ETag"]
    client.get(url)  # now in the app cache
    demo_answer.transition("withdraw", reviewer, comment="New safety data")
    assert client.get(url).status_code == 404
    assert client.get(url, headers={"if-none-match": etag}).status_code == 404


def test_a_new_retraction_notice_changes_the_etag(client, demo_answer):
    url = demo_answer.get_absolute_url()
    etag = client.get(url)["ETag"]
    source = Source.objects.get(pmid="37748491")
    source.retraction_status = Source.Retraction.RETRACTED
    source.save()
    response = client.get(url, headers={"if-none-match": etag})
    assert response.status_code == 200
    assert "This paper has been retracted" in response.content.decode()


def test_security_headers_on_public_pages(client, demo_answer):
    response = client.get(demo_answer.get_absolute_url())
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "default-src 'self'" in csp
    assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_staff_preview_is_never_cached(client, editor, demo_answer):
    client.force_login(editor)
    response = client.get(demo_answer.get_preview_url())
    assert "private" in response["Cache-Control"] and "ETag" not in response


@pytest.mark.parametrize("url", ["/", "/topics/oncology/", "/search/?q=finding"])
def test_listing_pages_take_the_same_queries_for_1_and_6_answers(
    client, demo_answer, editor, reviewer, url
):
    answer_with_citations(1, demo_answer, editor, reviewer)
    few = queries_for(client, url)
    for count in range(2, 7):
        answer_with_citations(count, demo_answer, editor, reviewer)
    assert queries_for(client, url) == few


def test_head_requests_get_the_same_headers_without_a_body(client, demo_answer):
    response = client.head(demo_answer.get_absolute_url())
    assert response.status_code == 200 and response.content == b""
    assert response["ETag"] == client.get(demo_answer.get_absolute_url())["ETag"]


def test_a_page_cache_hit_costs_no_query(client, demo_answer):
    url = demo_answer.get_absolute_url()
    for page in [url, "/", "/topics/oncology/", "/about/", "/feed/", "/sitemap.xml"]:
        first = client.get(page)
        assert first.status_code == 200 and first["X-Cache"] == "miss", page
        with CaptureQueriesContext(connection) as queries:
            again = client.get(page)
        assert again["X-Cache"] == "hit" and len(queries) == 0, page
        assert again.content == first.content


def test_a_conditional_request_on_a_miss_does_not_read_the_page(client, demo_answer):
    url = demo_answer.get_absolute_url()
    etag = client.get(url)["ETag"]
    page_cache.clear()  # a miss: another server, or the cache restarted
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers={"if-none-match": etag})
    assert response.status_code == 304
    assert len(queries) <= 2
    assert not any(
        column in query["sql"]
        for query in queries.captured_queries
        for column in ("research_html", "page_html")
    )
