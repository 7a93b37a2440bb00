"""Two sites sharing one Redis server (or one Redis database) never touch each other's
pages: each names its keys and its channel by its own prefix (drawn from its SECRET_KEY
unless CACHE_KEY_PREFIX says otherwise) and, for the channel, by its database number."""

import contextlib

import pytest

from delivery.tests.redis_server import redis_server
from delivery.tests.sites import OTHER, fetch, serving, statuses, warm
from delivery.tests.test_database_outage import ANSWER

pytestmark = pytest.mark.servers


def test_a_take_down_on_one_site_leaves_the_other_sites_pages_kept(sites_cluster, tmp_path):
    with redis_server(tmp_path / "redis") as server, contextlib.ExitStack() as stack:
        base = f"redis://127.0.0.1:{server.port}"
        one, same_database, other_database = (
            stack.enter_context(serving(sites_cluster, tmp_path, redis_url=url, SECRET_KEY=key))
            for url, key in [
                (f"{base}/0", "the first site's secret key, long and random enough"),
                (f"{base}/0", "the second site's secret key, long and random enough"),
                (f"{base}/1", "the first site's secret key, long and random enough"),
            ]
        )
        for site in (one, same_database, other_database):
            for path in (ANSWER, OTHER):
                warm(site.url + path)
        one.withdraw()
        assert statuses(fetch(one.url + ANSWER)) == {404}
        for site in (same_database, other_database):
            for path in (ANSWER, OTHER):
                kept = fetch(site.url + path, 8)
                assert statuses(kept) == {200}
                assert {page.headers["X-Cache"] for page in kept} == {"hit"}, (site.url, path)
