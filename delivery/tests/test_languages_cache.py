"""Pages in every language through the page cache, the WSGI front and the purges, with the
take-down promise kept per language: withdrawing a translation takes down its page (and
only it); withdrawing the original takes down every language's.

A page's language is in its address (/es/ask/<slug>/), which Django resolves against the
thread's active language (`i18n_patterns`); the page cache and the front resolve a path
before PathLanguage activates its language, so they resolve it in the path's own. The same
take-down under real faults (PostgreSQL down, Redis restored, a worker that missed the
message, Varnish in grace) is in test_takedown_faults.py, for a Spanish page too; through a
real Varnish in test_proxy_cache.py; from a lagging replica in test_replicas.py."""

import http.server
import io
import sys
import threading
import time

import pytest
import requests
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from django.test import RequestFactory
from django.utils import translation

from answers.models import Tombstone
from answers.testing import committed
from delivery import page_cache, proxy_purge, stored_pages
from delivery.generation import generation
from delivery.tests.app_server import database_url, running_app
from delivery.tests.translations import SPANISH_QUESTION, SPANISH_SHORT_ANSWER, SPANISH_SLUG

pytestmark = pytest.mark.django_db


def content_language(url, spanish_url):
    """The Content-Language of the pages these tests read: Spanish under /es/."""
    return "es" if url in (spanish_url, "/es/") else "en-GB"


def test_every_languages_pages_are_kept_whatever_the_last_request_spoke(
    client, demo_answer, spanish_answer
):
    """Each page is rendered once and then served from the page cache, in any order of
    languages, with the headers it was rendered with (its Content-Language too)."""
    english, spanish = demo_answer.get_absolute_url(), spanish_answer.get_absolute_url()
    seen = {}
    for url in (spanish, english, "/es/", "/", spanish, english, "/es/", "/"):
        response = client.get(url)
        assert response.status_code == 200, url
        seen.setdefault(url, []).append(response)
    for url, (first, again) in seen.items():
        assert (first["X-Cache"], again["X-Cache"]) == ("miss", "hit"), url
        assert again.content == first.content
        assert again["Content-Language"] == first["Content-Language"]
        assert again["Content-Language"] == content_language(url, spanish), url
        assert again.get("Vary") == first.get("Vary"), url
    assert SPANISH_SHORT_ANSWER in seen[spanish][1].content.decode()
    assert SPANISH_QUESTION in seen["/es/"][1].content.decode()


def test_a_page_has_one_address_the_one_its_take_down_purges(client, demo_answer, spanish_answer):
    """A page reachable at a second address would be a copy that no tombstone or purge of
    its address names: each page is at its own language's address only."""
    english, spanish = demo_answer.question.slug, spanish_answer.question.slug
    for path in (
        f"/en-gb/ask/{english}/", f"/es/ask/{english}/", f"/ar/ask/{english}/",
        f"/ask/{spanish}/", f"/ar/ask/{spanish}/", f"/ES/ask/{spanish}/",
    ):  # fmt: skip
        assert client.get(path).status_code == 404, path


class PurgeRecorder(http.server.BaseHTTPRequestHandler):
    """A stand-in for Varnish's purge interface: each BAN and PURGE it is sent, answered 200."""

    received = []

    def do_PURGE(self):
        if keys := self.headers.get("Xkey-Purge"):
            self.received.append(("KEYS", keys, self.path))
        else:
            self.received.append(("PURGE", self.headers["Host"], self.path))
        self.answer()

    def do_BAN(self):
        self.received.append(("BAN", self.headers.get("X-Ban-Url"), self.path))
        self.answer()

    def answer(self):
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def purges(settings):
    """What the app sends the proxies, as (method, host or keys or ban, path) in order."""
    PurgeRecorder.received = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), PurgeRecorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.PROXY_PURGE_URLS = [f"http://127.0.0.1:{server.server_address[1]}"]
    yield PurgeRecorder.received
    time.sleep(proxy_purge.SECOND_ROUND_SECONDS + 0.5)  # the purges' second round, answered
    server.shutdown()
    server.server_close()


def purged_paths(purges):
    return {path for method, _, path in purges if method == "PURGE"}


def test_withdrawing_a_translation_takes_down_its_page_only(
    client, demo_answer, spanish_answer, reviewer, purges
):
    english, spanish = demo_answer.get_absolute_url(), spanish_answer.get_absolute_url()
    assert spanish == f"/es/ask/{SPANISH_SLUG}/"
    for url in (english, spanish, english, spanish, "/es/"):
        assert client.get(url).status_code == 200  # kept: in memory and in the file cache
    with committed():
        spanish_answer.withdraw(reviewer, comment="A mistranslated dose.")
    assert list(Tombstone.objects.values_list("path", flat=True)) == [spanish]
    withdrawn_in = generation().current()
    assert generation().marks.get(spanish) == withdrawn_in
    # This process may know marks of earlier tests; none of the English page now.
    assert generation().marks.get(english, 0) < withdrawn_in
    assert stored_pages.find(SPANISH_SLUG, "es") is None  # no kept page to serve
    gone = client.get(spanish)
    assert gone.status_code == 404 and SPANISH_SHORT_ANSWER not in gone.content.decode()
    assert SPANISH_QUESTION not in client.get("/es/").content.decode()
    # The English page stays, rendered again (it no longer links the Spanish one) and kept.
    stays = [client.get(english) for _ in range(2)]
    assert [response.status_code for response in stays] == [200, 200]
    assert [response["X-Cache"] for response in stays] == ["miss", "hit"]
    assert spanish not in stays[-1].content.decode()
    # Varnish is told to drop the Spanish page on every host, the pages that show it by
    # their keys, and nothing of the English page.
    keys = {key for method, sent, _ in purges if method == "KEYS" for key in sent.split()}
    assert {f"a{spanish_answer.pk}", f"g{demo_answer.question_id}", "list-es"} <= keys
    assert f"a{demo_answer.pk}" not in keys and "list-en-gb" not in keys
    assert not any(method == "BAN" for method, _, _ in purges)
    assert {host for method, host, path in purges if path == spanish} >= {"localhost"}
    assert purged_paths(purges) == {spanish}


def test_withdrawing_the_original_takes_down_every_languages_page(
    client, demo_answer, spanish_answer, reviewer, purges
):
    english, spanish = demo_answer.get_absolute_url(), spanish_answer.get_absolute_url()
    for url in (english, spanish, english, spanish):
        client.get(url)
    with committed():
        demo_answer.withdraw(reviewer, comment="New safety data.")
    assert set(Tombstone.objects.values_list("path", flat=True)) == {english, spanish}
    for url in (english, spanish):
        assert client.get(url).status_code == 404, url
    assert purged_paths(purges) == {english, spanish}
    spanish_answer.refresh_from_db()
    assert spanish_answer.live_version_id is None


def test_a_spanish_question_moved_leaves_a_tombstone_at_its_old_spanish_address(
    client, spanish_answer
):
    """A copy kept at the old address must not outlive what happens to the page at its new
    one (delivery/receivers.py): the tombstone names the old address, prefix and all."""
    old = spanish_answer.get_absolute_url()
    client.get(old)
    question = spanish_answer.question
    question.slug = "terapias-car-t-em"
    with committed():
        question.save()
    assert list(Tombstone.objects.values_list("path", flat=True)) == [old]
    assert client.get(old).status_code == 404
    assert client.get("/es/ask/terapias-car-t-em/").status_code == 200


def call(application, path):
    """`application` (a WSGI callable) asked for `path` in this process: (status, headers,
    body). Database connections are left open, as Django's test client leaves them, so that
    the test's transaction goes on."""
    environ = RequestFactory().get(path, HTTP_ACCEPT_ENCODING="gzip").environ
    environ.update({"wsgi.input": io.BytesIO(b""), "wsgi.errors": sys.stderr})
    started = {}

    def start_response(status, headers, exc_info=None):
        started.update(status=status, headers=dict(headers))

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        response = application(environ, start_response)
        body = b"".join(response)
        getattr(response, "close", lambda: None)()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return int(started["status"].split()[0]), started["headers"], body


def test_the_front_sends_each_language_to_the_public_stack_and_leaves_no_language_behind(
    demo_answer, spanish_answer
):
    """qasite.wsgi's application: a Spanish page is a public page (the short stack
    compresses it and the page cache keeps it), whatever language the thread spoke before;
    and after it the thread speaks none of its own."""
    from qasite.wsgi import application

    english, spanish = demo_answer.get_absolute_url(), spanish_answer.get_absolute_url()
    translation.activate("es")  # as a thread that served a Spanish page would be left
    try:
        status, headers, _ = call(application, english)
        assert status == 200 and headers["X-Cache"] == "miss"
        assert headers["Content-Encoding"] == "gzip" and headers["Content-Language"] == "en-GB"
        assert translation.get_language() == "en-gb"
        for expected in ("miss", "hit"):
            status, headers, _ = call(application, spanish)
            assert status == 200 and headers["X-Cache"] == expected
            assert headers["Content-Encoding"] == "gzip" and headers["Content-Language"] == "es"
            assert translation.get_language() == "en-gb"
    finally:
        translation.deactivate()
        page_cache.clear()


@pytest.mark.servers
@pytest.mark.django_db(transaction=True)
def test_one_worker_serves_every_language_from_memory_with_the_headers_it_rendered(
    demo_answer, spanish_answer, settings
):
    """gunicorn with one worker: the same thread serves English and Spanish pages in turn;
    each is kept by the front and served from memory with the headers of its rendering."""
    env = {
        "DATABASE_URL": database_url(connection.settings_dict),
        "PAGE_CACHE_DIR": settings.PAGE_CACHE_DIR,
    }
    english, spanish = demo_answer.get_absolute_url(), spanish_answer.get_absolute_url()
    with running_app(env, workers=1) as app:
        seen = {}
        for _ in range(3):
            for url in (spanish, english, "/es/", "/"):
                response = requests.get(app + url, timeout=10)
                assert response.status_code == 200, url
                seen.setdefault(url, []).append(response)
        for url, (first, *again) in seen.items():
            assert first.headers["X-Cache"] == "miss", url
            for response in again:
                assert response.headers["X-Cache"] == "hit", url
                assert response.content == first.content
                for name in ("Content-Language", "Vary", "Content-Encoding", "ETag"):
                    assert response.headers.get(name) == first.headers.get(name), (url, name)
            assert first.headers["Content-Language"] == content_language(url, spanish), url
            assert first.headers["Content-Encoding"] == "gzip", url  # the public stack's
    page_cache.clear()
