"""The report rate limit as production counts it: across the workers of gunicorn, in files
under a lock or in Redis, and from the address the proxies saw."""

import multiprocessing
import re
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
import requests
from django.db import connection
from django.test import RequestFactory

from delivery.tests.app_server import database_url, running_app
from reports.models import Report
from reports.rate_limit import LockedFileCache, client_ip

REDIS_URL = "redis://127.0.0.1:6379/14"


@pytest.mark.parametrize(
    "remote, forwarded, client",
    [
        ("192.0.2.1", "", "192.0.2.1"),  # straight to the app: no proxy to trust
        ("192.0.2.1", "203.0.113.5", "192.0.2.1"),  # an untrusted peer's header is ignored
        ("127.0.0.1", "203.0.113.5", "203.0.113.5"),  # nginx → Varnish → app
        ("127.0.0.1", "10.1.1.1, 203.0.113.5", "203.0.113.5"),  # the client wrote 10.1.1.1
        ("127.0.0.1", "203.0.113.5, 127.0.0.1", "203.0.113.5"),  # two local hops
        ("127.0.0.1", "nonsense", "127.0.0.1"),  # not a proxy's writing: stop at the last
        ("127.0.0.1", "", "127.0.0.1"),
        ("::1", "2001:db8::7", "2001:db8::7"),
    ],
)
def test_the_client_is_the_address_the_nearest_trusted_proxy_saw(remote, forwarded, client):
    request = RequestFactory().post("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == client


def _count(location, times):
    cache = LockedFileCache(location, {})
    for _ in range(times):
        if not cache.add("count", 1, 60):
            cache.incr("count")


def test_the_file_counter_loses_no_count_between_processes(tmp_path):
    """Django's own file cache reads then writes: processes counting at once lose counts.
    LockedFileCache counts under a lock."""
    context = multiprocessing.get_context("fork")  # no database in the children
    workers = [context.Process(target=_count, args=(str(tmp_path), 100)) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    assert LockedFileCache(str(tmp_path), {}).get("count") == 400


def test_the_file_counter_keeps_its_window(tmp_path):
    cache = LockedFileCache(str(tmp_path), {})
    cache.add("count", 1, 1)
    assert cache.incr("count") == 2  # the window is not pushed back by counting
    time.sleep(1.1)
    assert cache.get("count") is None
    with pytest.raises(ValueError):
        cache.incr("count")


@pytest.fixture(params=["files", "redis"])
def app(request, settings, tmp_path):
    """gunicorn (2 workers) on the test database, counting reports in files or Redis."""
    env = {"DATABASE_URL": database_url(connection.settings_dict), "REPORTS_RATE_LIMIT": "5/h"}
    if request.param == "redis":
        redis.Redis.from_url(REDIS_URL).flushdb()
        env["REDIS_URL"] = REDIS_URL
    else:
        env["PAGE_CACHE_DIR"] = str(tmp_path)
    with running_app(env, workers=2) as url:
        yield url


def post_report(url, text):
    session = requests.Session()
    form = session.get(url, timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    data = {"csrfmiddlewaretoken": token, "kind": "other", "text": text}
    return session.post(url, data, headers={"Referer": url}, timeout=10, allow_redirects=False)


@pytest.mark.servers
@pytest.mark.django_db(transaction=True)
def test_the_limit_holds_across_workers_sending_at_once(app, demo_answer):
    url = f"{app}/ask/{demo_answer.question.slug}/report/"
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda n: post_report(url, f"Report {n}").status_code, range(12)))
    assert sorted(statuses) == [302] * 5 + [429] * 7
    assert Report.objects.count() == 5
