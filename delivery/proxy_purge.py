"""
Purging the reverse-proxy caches in front of the app (Varnish, see deploy/varnish/), the
way Wagtail's frontend-cache module does: when public pages change, each proxy in
`PROXY_PURGE_URLS` is asked to drop what it keeps.

- Every publication event purges the surrogate keys it moved (`PURGE` with `Xkey-Purge:
  a12 g7 tl3 list-en-gb`; answers/publication.py): Varnish's xkey module drops every page
  carrying any of them (the answer's page, its translations', its topic's, the lists that
  show it), on every host, and nothing else.
- A take-down also purges the pages taken down by their address (`PURGE`, for each host
  the site answers to; the VCL drops both the http and the https copy): their pages carry
  the answer's key already, and this holds even for a copy kept without it.

Each answer is checked: a proxy that refuses or cannot be reached is tried again, for about
a minute, and logged as an error if it never answers.
"""

import logging
import threading
import time

import requests
from django.conf import settings

from answers.publication import EVERY_PAGE

log = logging.getLogger(__name__)

# A page rendered from the old rows just before the commit can reach the proxy just after
# the ban, which applies only to what the proxy held: a second round a moment later drops it.
SECOND_ROUND_SECONDS = 1.0
# Waits between tries of what a proxy did not confirm: about a minute in all.
RETRY_SECONDS = (1, 2, 4, 8, 15, 30)
# Keys sent in one request, so that a header stays well under Varnish's limit (8 KB).
KEYS_PER_REQUEST = 200


def purge(keys=(), taken_down=()):
    """Purge the pages carrying `keys` and the pages `taken_down`, at each proxy; again a
    moment later, and again while a proxy does not confirm."""
    if not settings.PROXY_PURGE_URLS or not (keys or taken_down):
        return
    requests_ = _requests(keys, taken_down)
    failed = _send(requests_)
    thread = threading.Thread(target=_follow_up, args=(requests_, failed), daemon=True)
    thread.start()
    _following_up[:] = [*(t for t in _following_up if t.is_alive()), thread]


_following_up = []


def wait():
    """Wait for the second rounds and retries sent so far (a command that purges, before
    it exits)."""
    while _following_up:
        _following_up.pop().join()


def _requests(keys, taken_down):
    """(method, proxy, path, headers) for each request one round sends."""
    keys = list(keys)
    rounds = []
    for proxy in settings.PROXY_PURGE_URLS:
        proxy = proxy.rstrip("/")
        for path in taken_down:
            for host in purge_hosts():
                rounds.append(("PURGE", proxy, path, {"Host": host}))
        for start in range(0, len(keys), KEYS_PER_REQUEST):
            batch = " ".join(keys[start : start + KEYS_PER_REQUEST])
            rounds.append(("PURGE", proxy, "/", {"Xkey-Purge": batch}))
        if EVERY_PAGE in keys:
            # Every page, the copies kept before pages carried keys too (a first deployment).
            rounds.append(("BAN", proxy, "/", {"X-Ban-Url": "^/"}))
    return rounds


def purge_hosts():
    """The host names pages are kept under: ALLOWED_HOSTS without wildcards (the VCL keeps
    pages under the host lower-cased, without a port). A wildcard's pages go by their keys."""
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
