"""The shared page cache with two gunicorn workers: a page cached by one worker is replaced
for both by every event that changes it, at once."""

import gzip
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import redis
import requests
from django.db import connection

from answers.models import Answer
from answers.testing import publish
from delivery import page_cache
from delivery.tests.app_server import database_url, running_app
from delivery.tests.test_public_surface import ACCEPT_ENCODINGS, public_urls

pytestmark = [pytest.mark.servers, pytest.mark.django_db(transaction=True)]

REDIS_URL = "redis://127.0.0.1:6379/15"


class App(str):
    """The app's base URL, which can also count the pages its shared cache keeps."""

    def kept(self):
        if self.redis_url:
            keys = redis.Redis.from_url(self.redis_url).scan_iter(f"{self.prefix}:*")
            return len(list(keys))
        return len(list(Path(self.pages).glob("*.djcache")))


@pytest.fixture(params=["files", "redis"])
def app(request, settings):
    """gunicorn (2 workers) on the test database, sharing the page cache with this test."""
    env = {"DATABASE_URL": database_url(connection.settings_dict)}
    if request.param == "redis":
        # Its own keys and channel: another test run may share this Redis database.
        settings.CACHE_KEY_PREFIX = env["CACHE_KEY_PREFIX"] = f"qasite-test-{uuid.uuid4().hex}"
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": REDIS_URL,
                "KEY_PREFIX": settings.CACHE_KEY_PREFIX,
            }
        }
        settings.REDIS_URL = env["REDIS_URL"] = REDIS_URL
    else:
        env["PAGE_CACHE_DIR"] = settings.PAGE_CACHE_DIR
    page_cache.clear()
    with running_app(env, workers=2) as url:
        app = App(url)
        app.redis_url, app.pages = env.get("REDIS_URL"), settings.PAGE_CACHE_DIR
        app.prefix = settings.CACHE_KEY_PREFIX
        yield app
    page_cache.clear()


def fetch_all(url, times=8):
    """The page `times` over (both workers answer some): [(status, X-Cache, text)]."""
    return [
        (r.status_code, r.headers.get("X-Cache"), r.text)
        for r in (requests.get(url, timeout=10) for _ in range(times))
    ]


def warm(url):
    seen = fetch_all(url)
    assert {state for _, state, _ in seen} >= {"hit"}, "the page cache never answered"
    return seen[-1][2]


def test_approval_reaches_every_worker_at_once(app, demo_answer, editor, reviewer):
    page, home = app + demo_answer.get_absolute_url(), app + "/"
    assert "A newly approved short answer." not in warm(page)
    warm(home)
    demo_answer.short_answer = "A newly approved short answer."
    demo_answer.save()
    demo_answer.record_edit(editor)
    assert all("A newly approved" not in text for _, _, text in fetch_all(page))  # a draft
    publish(demo_answer, editor, reviewer)
    assert all("A newly approved short answer." in text for _, _, text in fetch_all(page))


def test_withdrawal_removes_the_page_from_every_worker_at_once(app, demo_answer, reviewer):
    page, home = app + demo_answer.get_absolute_url(), app + "/"
    warm(page)
    assert demo_answer.get_absolute_url() in warm(home)
    demo_answer.withdraw(reviewer, comment="Safety review")
    assert {status for status, _, _ in fetch_all(page)} == {404}
    assert all(demo_answer.get_absolute_url() not in text for _, _, text in fetch_all(home))


def test_retraction_notice_reaches_every_worker_at_once(app, demo_answer):
    page = app + demo_answer.get_absolute_url()
    assert "Retracted" not in warm(page)
    source = demo_answer.citations.get(number=10).source
    source.retraction_status = source.Retraction.RETRACTED
    source.retraction_notice_url = "https://example.org/retraction"
    source.save()
    assert all("https://example.org/retraction" in text for _, _, text in fetch_all(page))


def test_topic_rename_reaches_every_worker_at_once(app, demo_answer):
    topic = demo_answer.question.topic
    home, topic_page = app + "/", app + topic.get_absolute_url()
    warm(home)
    warm(topic_page)
    topic.name = "Neurology and cancer"
    topic.save()
    assert all("Neurology and cancer" in text for _, _, text in fetch_all(home))
    assert all("Neurology and cancer" in text for _, _, text in fetch_all(topic_page))


def test_a_published_disclaimer_change_reaches_every_worker(app, demo_answer, editor, reviewer):
    page = app + demo_answer.get_absolute_url()
    warm(page)
    disclaimer = demo_answer.effective_disclaimer()
    disclaimer.body = "Read with your doctor: general information about {topic}."
    disclaimer.save()
    Answer.objects.sharing(disclaimer).record_shared_edit(editor, "Changed the disclaimer")
    assert all("Read with your doctor" not in text for _, _, text in fetch_all(page))
    publish(demo_answer, editor, reviewer)
    assert all("Read with your doctor" in text for _, _, text in fetch_all(page))


SECURITY_HEADERS = (
    "Content-Security-Policy",
    "X-Frame-Options",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cache-Control",
    "ETag",
)


def same_header(name, one, other):
    if name == "Content-Security-Policy":  # django-csp orders directives differently
        return set(one.split("; ")) == set(other.split("; "))  # in each process
    return one == other


def test_a_page_from_memory_is_the_page_django_rendered(app, demo_answer, client, settings):
    """Rendered by a worker's short public stack, kept, served from memory: the same page
    and headers as the whole middleware stack renders."""
    url = demo_answer.get_absolute_url()
    plain = {"Accept-Encoding": "identity"}  # as the test client asks (gzip: its own test)
    seen = [requests.get(app + url, headers=plain, timeout=10) for _ in range(8)]
    assert seen[0].headers["X-Cache"] == "miss" and seen[-1].headers["X-Cache"] == "hit"
    settings.PUBLIC_PAGE_CACHE = False  # in this process only: render it here, uncached
    rendered = client.get(url, headers={"host": app.removeprefix("http://")})
    for response in seen:
        assert response.content == rendered.content
        for name in SECURITY_HEADERS:
            assert same_header(name, response.headers[name], rendered[name]), name
    head = requests.head(app + url, headers=plain, timeout=10)
    assert head.status_code == 200 and head.content == b"" and head.headers["X-Cache"] == "hit"
    again = requests.get(
        app + url, headers={**plain, "If-None-Match": rendered["ETag"]}, timeout=10
    )
    assert again.status_code == 304 and again.headers["X-Cache"] == "hit"


def test_only_public_pages_skip_the_session_middleware(app, demo_answer):
    """The admin, behind the same front, still has its sessions and CSRF."""
    session = requests.Session()
    login = session.get(app + "/admin/login/", timeout=10)
    assert login.status_code == 200 and "csrftoken" in session.cookies
    page = session.get(app + demo_answer.get_absolute_url(), timeout=10)
    assert "Set-Cookie" not in page.headers
    # A path no public view matches goes to the whole stack: CommonMiddleware adds the slash.
    moved = session.get(app + "/ask/no-such-answer", timeout=10, allow_redirects=False)
    assert moved.status_code == 301 and moved.headers["Location"].endswith("/no-such-answer/")


def test_public_pages_are_compressed_for_clients_that_take_gzip(app, demo_answer):
    url = app + demo_answer.get_absolute_url()
    for _ in range(4):
        packed = requests.get(url, headers={"Accept-Encoding": "gzip"}, timeout=10, stream=True)
        raw = packed.raw.read()
        plain = requests.get(url, headers={"Accept-Encoding": "identity"}, timeout=10)
        assert packed.headers["Content-Encoding"] == "gzip"
        assert "Content-Encoding" not in plain.headers
        assert gzip.decompress(raw) == plain.content and len(raw) < len(plain.content) / 2
        assert "Accept-Encoding" in packed.headers["Vary"]
    assert packed.headers["X-Cache"] == plain.headers["X-Cache"] == "hit"
    admin = requests.get(app + "/admin/login/", headers={"Accept-Encoding": "gzip"}, timeout=10)
    assert "Content-Encoding" not in admin.headers  # pages with CSRF tokens: never (BREACH)


def test_each_client_gets_the_encoding_it_takes_whoever_asked_first(app, demo_answer):
    url = app + demo_answer.get_absolute_url()
    question = demo_answer.question.text.encode()
    # The ones a loose reading gets wrong first, while nothing is kept yet.
    for header in ["nogzip", "gzip;q=0", *ACCEPT_ENCODINGS]:
        gzipped = ACCEPT_ENCODINGS[header]
        for _ in range(4):  # kept, then served from either worker
            response = requests.get(
                url, headers={"Accept-Encoding": header}, timeout=10, stream=True
            )
            body = response.raw.read()  # as sent, not decoded
            assert (response.headers.get("Content-Encoding") == "gzip") is gzipped, header
            assert question in (gzip.decompress(body) if gzipped else body), header
    assert response.headers["X-Cache"] == "hit"


def test_a_conditional_request_is_answered_in_front_from_the_kept_page(app, demo_answer):
    url = app + demo_answer.get_absolute_url()
    pages = fetch_all(url)
    # Four at a time, so that both workers serve it and keep it in memory.
    with ThreadPoolExecutor(4) as pool:
        kept = list(pool.map(lambda _: requests.get(url, timeout=10), range(16)))
    etag = kept[-1].headers["ETag"]
    for _ in range(8):
        again = requests.get(url, headers={"If-None-Match": etag}, timeout=10)
        assert again.status_code == 304 and again.content == b""
        assert again.headers["X-Cache"] == "hit" and again.headers["ETag"] == etag
        assert again.headers["Cache-Control"] == "public, no-cache"
        # Before Django: only what a 304 repeats of the page's headers, nothing Django adds.
        assert "Content-Security-Policy" not in again.headers
    other = requests.get(url, headers={"If-None-Match": '"another"'}, timeout=10)
    assert other.status_code == 200 and other.text == pages[-1][2]
    since = {"If-Modified-Since": "Mon, 01 Jan 2035 00:00:00 GMT"}
    assert requests.get(url, headers=since, timeout=10).status_code == 200


def test_a_host_not_allowed_is_refused_and_keeps_nothing(app, demo_answer):
    for path in public_urls(demo_answer):
        assert requests.get(app + path, timeout=10).status_code == 200, path
    fetch_all(app + demo_answer.get_absolute_url())  # and in both workers' memory
    kept = app.kept()
    for path in public_urls(demo_answer):
        for number in range(4):
            host = {"Host": f"evil-{number}.attacker.test"}
            refused = requests.get(app + path, headers=host, timeout=10, allow_redirects=False)
            assert refused.status_code == 400, path
            assert demo_answer.question.text not in refused.text
    assert app.kept() == kept


def test_tracking_parameters_keep_no_pages_of_their_own(app, demo_answer):
    url = app + demo_answer.get_absolute_url()
    first = fetch_all(url)
    kept = app.kept()
    states = set()
    for number in range(2000):
        tracked = requests.get(f"{url}?utm_source={uuid.uuid4().hex}&fbclid={number}", timeout=10)
        assert tracked.status_code == 200 and tracked.text == first[-1][2]
        states.add(tracked.headers["X-Cache"])
    assert states == {"hit"}
    assert app.kept() == kept
    junk = requests.get(f"{url}?x={uuid.uuid4().hex}", timeout=10, allow_redirects=False)
    assert junk.status_code == 301 and junk.headers["Location"] == demo_answer.get_absolute_url()
    assert app.kept() == kept
