"""
The take-down invariant under faults (ARCHITECTURE.md, "The take-down invariant"): once a
withdrawal commits, no layer answers that page with 200, and the pages still published go
on being served, with a real part broken as an operator would see it break.

Each test runs on its own copy of the template database (delivery/tests/sites.py: the demo
answer, which is withdrawn, and a second answer, which stays), in a PostgreSQL cluster of
the suite's own; gunicorn with two workers; its own redis-server; Varnish with
deploy/varnish/default.vcl where it says so. The withdrawal is made by another process, as
by a reviewer on another app server. A lagging PostgreSQL replica has its test with the
replicas (test_replicas.py: a lagging standby never shows the page from before a
publication, a withdrawal included).

Every test here failed against the release before the invariant held (1a49a30); CHANGELOG.md
says how to run them against any release.

Pages in every language keep the promise. The cheapest form of each fault is also run with
the demo answer's Spanish translation withdrawn ("es"): its page (/es/ask/…) is never served
again, while the English original stays on the site. Withdrawing the English original
("en-gb") takes the Spanish page down with it, and both are checked.
"""

import re
import threading
import time

import pytest

from delivery.tests.app_server import free_port, manage, running_app
from delivery.tests.redis_server import TcpSwitch, redis_server
from delivery.tests.sites import (
    OTHER,
    OTHER_QUESTION,
    QUESTION,
    always_served,
    demo_page,
    during,
    fetch,
    get,
    serving,
    statuses,
    taken_down_with,
    warm,
)
from delivery.tests.test_database_outage import ANSWER, signed_in

pytestmark = pytest.mark.servers


@pytest.mark.parametrize(
    ("cache", "language"), [("redis", "en-gb"), ("files", "en-gb"), ("files", "es")]
)
def test_postgresql_down_never_brings_back_a_withdrawn_answer(
    sites_cluster, tmp_path, cache, language
):
    withdrawn = demo_page(sites_cluster, language)
    gone = taken_down_with(sites_cluster, language)
    home = "/" if language == "en-gb" else f"/{language}/"  # it lists the withdrawn answer
    with redis_server(tmp_path / "redis") as redis:
        url = redis.url if cache == "redis" else ""
        with serving(sites_cluster, tmp_path, redis_url=url) as site:
            for path in (*(page.path for page in gone), ANSWER, OTHER, home):
                warm(site.url + path)
            site.withdraw(withdrawn.slug)
            for page in gone:
                assert statuses(fetch(site.url + page.path)) == {404}, page.path
            if language != "en-gb":
                # The original stays: its page, rendered again without the translation.
                assert statuses(fetch(site.url + ANSWER)) == {200}
            # The withdrawal left the other answer's page kept: it does not show the answer.
            kept = fetch(site.url + OTHER)
            assert {response.headers["X-Cache"] for response in kept} == {"hit"}
            # Every English page's interface key moved (a new catalogue, say): their kept
            # copies are out of date, and stand in only while the database is down.
            site.purge("l-en-gb")
            sites_cluster.stop()
            try:
                for page in gone:
                    responses = fetch(site.url + page.path)
                    assert statuses(responses) == {503}, page.path
                    assert not any(page.question in response.text for response in responses)
                # The other answer's copy from before the withdrawal links nowhere near it.
                other = fetch(site.url + OTHER)
                assert statuses(other) == {200}
                for response in other:
                    assert OTHER_QUESTION in response.text
                    assert response.headers["X-Cache"] == "stale"
                    assert response.headers["Cache-Control"] == "no-store"
                    assert "Qasite-Cache-Control" not in response.headers
                # Whole, even to a conditional request: a cache merges a 304 into its copy.
                etag = other[0].headers["ETag"]
                again = get(site.url + OTHER, **{"If-None-Match": etag})
                assert again.status_code == 200 and again.headers["X-Cache"] == "stale"
                if language != "en-gb":
                    original = fetch(site.url + ANSWER)
                    assert statuses(original) == {200}
                    assert all(QUESTION in response.text for response in original)
                # The home page's only copy lists the withdrawn answer: not served.
                listing = fetch(site.url + home, 8)
                assert statuses(listing) == {503}
                assert not any(withdrawn.question in response.text for response in listing)
            finally:
                sites_cluster.start()
            for page in gone:
                assert statuses(fetch(site.url + page.path)) == {404}, page.path
            listing = warm(site.url + home)
            assert withdrawn.question not in listing[-1].text
            if language == "en-gb":
                assert OTHER_QUESTION in listing[-1].text


@pytest.mark.parametrize("language", ["en-gb", "es"])
def test_redis_restored_from_an_older_snapshot_never_brings_back_a_withdrawn_answer(
    sites_cluster, tmp_path, language
):
    withdrawn = demo_page(sites_cluster, language)
    gone = taken_down_with(sites_cluster, language)
    with redis_server(tmp_path / "redis") as redis:
        prefix = {"CACHE_KEY_PREFIX": "faults"}
        with serving(sites_cluster, tmp_path, redis_url=redis.url, **prefix) as site:
            for path in (*(page.path for page in gone), OTHER):
                warm(site.url + path)
            redis.client().save()  # the snapshot: the generation and pages from before
            site.withdraw(withdrawn.slug)
            for page in gone:
                assert statuses(fetch(site.url + page.path)) == {404}, page.path
            redis.kill()
            redis.start()  # from its data directory: the snapshot
            assert redis.client().dbsize() > 2, "the snapshot holds no pages"
            restored = int(redis.client().get("faults:generation"))
            # Long enough for every worker to reconnect and read the restored generation.
            during(
                8,
                *(never_served_check(site.url + page.path, page.question) for page in gone),
                always_served(site.url + OTHER),
            )
            # and Redis was put right, not believed
            assert int(redis.client().get("faults:generation")) > restored
            if language != "en-gb":
                assert statuses(fetch(site.url + ANSWER)) == {200}  # the original stays


def test_redis_down_then_restarted_empty_never_brings_back_a_withdrawn_answer(
    sites_cluster, tmp_path
):
    with redis_server(tmp_path / "redis") as redis:
        with serving(sites_cluster, tmp_path, redis_url=redis.url) as site:
            warm(site.url + ANSWER)
            warm(site.url + OTHER)
            redis.kill()
            site.withdraw()  # its message cannot reach Redis
            during(1, never_served_check(site.url + ANSWER), always_served(site.url + OTHER))
            # PostgreSQL goes too, while Redis is still down: published pages are still
            # served from the workers' memory, and the withdrawn one is still not.
            sites_cluster.stop()
            try:
                during(2, never_served_check(site.url + ANSWER), always_served(site.url + OTHER))
            finally:
                sites_cluster.start()
            redis.start()  # empty
            during(6, never_served_check(site.url + ANSWER), always_served(site.url + OTHER))


def test_redis_failed_over_to_a_replica_that_missed_the_withdrawal(sites_cluster, tmp_path):
    with (
        redis_server(tmp_path / "primary") as primary,
        redis_server(tmp_path / "replica", "--replicaof", "127.0.0.1", str(primary.port))
        as replica,
    ):  # fmt: skip
        switch = TcpSwitch(primary.port)  # the address the app servers know Redis by
        try:
            with serving(sites_cluster, tmp_path, redis_url=switch.url) as site:
                warm(site.url + ANSWER)
                warm(site.url + OTHER)
                wait_for(lambda: replica.client().dbsize() == primary.client().dbsize() > 2)
                replica.client().replicaof("no", "one")  # it falls behind from here
                site.withdraw()
                assert statuses(fetch(site.url + ANSWER)) == {404}
                switch.switch(replica.port)  # the failover: the replica becomes Redis
                during(8, never_served_check(site.url + ANSWER), always_served(site.url + OTHER))
        finally:
            switch.close()


# The original's withdrawal, which takes its Spanish translation down with it (the Spanish
# page's own withdrawal is run under the other faults and in test_languages_cache.py: each
# case costs ~12 s of the suite's budget).
@pytest.mark.parametrize("language", ["en-gb"])
def test_workers_that_missed_the_message_never_serve_a_withdrawn_answer(
    sites_cluster, tmp_path, language
):
    withdrawn = demo_page(sites_cluster, language)
    gone = taken_down_with(sites_cluster, language)
    with redis_server(tmp_path / "redis") as redis:
        with serving(sites_cluster, tmp_path, redis_url=redis.url) as site:
            for path in (*(page.path for page in gone), OTHER):
                warm(site.url + path)
            # Another app server, which reaches neither this Redis nor this machine's
            # page-cache directory: no message from it ever reaches these workers.
            elsewhere = {
                **site.env,
                "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0",
                "PAGE_CACHE_DIR": str(tmp_path / "another-machine"),
            }
            load_url = site.url + withdrawn.path
            with running_app(elsewhere, workers=1) as admin, Load(load_url) as load:
                reviewer = signed_in(admin, "reviewer", "reviewer-demo-pass")
                url = withdraw_url(admin, site, withdrawn.slug)
                form = reviewer.get(url, timeout=10)
                time.sleep(1)  # the workers busy, serving it from memory
                withdrawn_response = reviewer.post(
                    url,
                    {
                        "csrfmiddlewaretoken": field(form.text, "csrfmiddlewaretoken"),
                        "version": field(form.text, "version"),
                        "comment": "New safety data",
                    },
                    headers={"Referer": url},
                    timeout=30,
                    allow_redirects=False,  # to the answer's page, which says it is withdrawn
                )
                returned = time.monotonic()
                time.sleep(2)
                assert withdrawn_response.status_code == 302
                answer_page = reviewer.get(
                    admin + withdrawn_response.headers["Location"], timeout=10
                )
                assert "Withdrawn" in answer_page.text
            assert load.statuses(until=returned - 2) == {200}  # served from memory until then
            assert load.statuses(since=returned) == {404}, "served after the withdrawal returned"
            during(
                1,
                *(never_served_check(site.url + page.path, page.question) for page in gone),
                always_served(site.url + OTHER),
            )
            if language != "en-gb":
                assert statuses(fetch(site.url + ANSWER)) == {200}  # the original stays


def withdraw_url(admin, site, slug):
    pk = manage(site.env, "shell", "-c", ANSWER_PK.format(slug=slug)).stdout.split()[-1]
    return f"{admin}/admin/answers/answer/{pk}/workflow/withdraw/"


ANSWER_PK = """
from answers.models import Answer
print(Answer.objects.get(question__slug="{slug}").pk)
"""


def field(html, name):
    return re.search(rf'name="{name}" value="([^"]+)"', html).group(1)


@pytest.mark.proxy
@pytest.mark.parametrize("language", ["en-gb"])  # as for the workers above
def test_varnish_in_grace_never_brings_back_a_withdrawn_answer(sites_cluster, tmp_path, language):
    withdrawn = demo_page(sites_cluster, language)
    gone = taken_down_with(sites_cluster, language)
    with redis_server(tmp_path / "redis") as redis:
        with serving(
            sites_cluster, tmp_path, redis_url=redis.url, varnish=True, PROXY_CACHE_SECONDS="1"
        ) as site:
            for path in (*(page.path for page in gone), OTHER):
                get(site.varnish + path)
                assert get(site.varnish + path).headers["X-Cache"] == "HIT", path
            time.sleep(1.5)  # past max-age: Varnish keeps them in grace
            site.withdraw(withdrawn.slug)
            never_served = [
                never_served_check(site.varnish + page.path, page.question) for page in gone
            ]
            during(1, *never_served)
            sites_cluster.stop()
            try:
                during(2, *never_served, always_served(site.varnish + OTHER))
            finally:
                sites_cluster.start()
            during(2, *never_served, always_served(site.varnish + OTHER))
            for page in gone:
                assert get(site.varnish + page.path).status_code == 404, page.path
            if language != "en-gb":
                assert get(site.varnish + ANSWER).status_code == 200  # the original stays


class Load:
    """Requests of `url`, four at a time, until the block ends: (started, status) each."""

    def __init__(self, url):
        self.url, self.seen, self.running = url, [], True

    def __enter__(self):
        self.threads = [threading.Thread(target=self.run, daemon=True) for _ in range(4)]
        for thread in self.threads:
            thread.start()
        return self

    def run(self):
        while self.running:
            started = time.monotonic()
            self.seen.append((started, get(self.url).status_code))

    def __exit__(self, *exc):
        self.running = False
        for thread in self.threads:
            thread.join(10)

    def statuses(self, since=float("-inf"), until=float("inf")):
        return {status for started, status in self.seen if since <= started <= until}


@pytest.mark.proxy
def test_varnish_keeps_no_copy_of_a_withdrawn_page_that_no_purge_reached(sites_cluster, tmp_path):
    """The purge is lost; the database is down once Varnish must ask the app again: the
    app's 503 for the page taken down, and for a page linking to it, says that no cache may
    put its own older copy in its place."""
    with redis_server(tmp_path / "redis") as redis:
        with serving(
            sites_cluster, tmp_path, redis_url=redis.url, varnish=True, PROXY_CACHE_SECONDS="1"
        ) as site:
            plain = {"Accept-Encoding": "identity"}
            for path in (ANSWER, OTHER, "/"):
                for headers in ({}, plain):
                    get(site.varnish + path, **headers)
                    assert get(site.varnish + path, **headers).headers["X-Cache"] == "HIT"
            site.withdraw(PROXY_PURGE_URLS="")  # no purge reaches Varnish
            time.sleep(2.5)  # past max-age and stale-while-revalidate: Varnish asks the app
            sites_cluster.stop()
            try:
                during(
                    2,
                    never_served_check(site.varnish + ANSWER),
                    never_served_check(site.varnish + ANSWER, **plain),
                    never_served_check(site.varnish + "/"),
                    always_served(site.varnish + OTHER),
                )
            finally:
                sites_cluster.start()


def never_served_check(url, question=QUESTION, **headers):
    """No worker (nor Varnish) answers `url` with 200 or shows the withdrawn answer's
    `question`."""

    def check():
        responses = fetch(url, 8, **headers)
        assert 200 not in statuses(responses), f"{url} answered {statuses(responses)}"
        assert not any(question in response.text for response in responses)

    return check


def wait_for(condition, seconds=30):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)
