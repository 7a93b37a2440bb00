"""
Purging the reverse-proxy caches in front of the app (Varnish, see deploy/varnish/), the
way Wagtail's frontend-cache module does: when public pages change, each proxy in
`PROXY_PURGE_URLS` is asked to drop what it keeps.

- Every publication event bans every public page (`BAN`, `X-Ban-Url: ^/`): a publication can
  change the answer's page, its topic, the home page, the sitemap and the feed, and the
  proxy refills from the app's own page cache.
- A take-down also purges the pages taken down (`PURGE`, for each host the site answers
  to; the VCL drops both the http and the https copy), so that they are gone at once, stale
  copies in grace included, whatever the ban matches.

Each answer is checked: a proxy that refuses or cannot be reached is tried again, for about
a minute, and logged as an error if it never answers.
"""

import logging
import threading
import time

import requests
from django.conf import settings

log = logging.getLogger(__name__)

# A page rendered from the old rows just before the commit can reach the proxy just after
# the ban, which applies only to what the proxy held: a second round a moment later drops it.
SECOND_ROUND_SECONDS = 1.0
# Waits between tries of what a proxy did not confirm: about a minute in all.
RETRY_SECONDS = (1, 2, 4, 8, 15, 30)


def purge(taken_down=()):
    """Ban every public page and purge the pages `taken_down`, at each proxy; again a moment
    later, and again while a proxy does not confirm."""
    if not settings.PROXY_PURGE_URLS:
        return
    requests_ = _requests(taken_down)
    failed = _send(requests_)
    thread = threading.Thread(target=_follow_up, args=(requests_, failed), daemon=True)
    thread.start()


def _requests(taken_down):
    """(method, proxy, path, headers) for each request one round sends."""
    rounds = []
    for proxy in settings.PROXY_PURGE_URLS:
        proxy = proxy.rstrip("/")
        for path in taken_down:
            for host in purge_hosts():
                rounds.append(("PURGE", proxy, path, {"Host": host}))
        rounds.append(("BAN", proxy, "/", {"X-Ban-Url": "^/"}))
    return rounds


def purge_hosts():
    """The host names pages are kept under: ALLOWED_HOSTS without wildcards (the VCL keeps
    pages under the host lower-cased, without a port). A wildcard's pages go by the ban."""
    hosts = settings.ALLOWED_HOSTS
    if settings.DEBUG and not hosts:
        hosts = ["localhost", "127.0.0.1", "[::1]"]
    return [host.lower() for host in hosts if host and not host.startswith((".", "*"))]


def _send(requests_):
    """Send each request; returns those the proxy did not answer with 200."""
    failed = []
    for request in requests_:
        method, proxy, path, headers = request
        try:
            response = requests.request(method, proxy + path, headers=headers, timeout=2)
            if response.status_code != 200:
                log.warning("Proxy %s refused %s %s: HTTP %s", proxy, method, path,
                            response.status_code)  # fmt: skip
                failed.append(request)
        except requests.RequestException as error:
            log.warning("Proxy %s could not be sent %s %s: %s", proxy, method, path, error)
            failed.append(request)
    return failed


def _follow_up(requests_, failed):
    time.sleep(SECOND_ROUND_SECONDS)
    failed = _send([r for r in requests_ if r not in failed]) + _send(failed)
    for wait in RETRY_SECONDS:
        if not failed:
            return
        time.sleep(wait)
        failed = _send(failed)
    for method, proxy, path, _ in failed:
        log.error("Proxy %s never confirmed %s %s: it may still serve that page", proxy,
                  method, path)  # fmt: skip
