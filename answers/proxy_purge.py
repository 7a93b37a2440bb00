"""
Purging the reverse-proxy caches in front of the app (Varnish, see deploy/varnish/), the
way Wagtail's frontend-cache module does: when a public page changes, each proxy in
`PROXY_PURGE_URLS` is asked to drop the public pages it keeps.

One BAN drops them all (a publication can change the answer's page, its topic, the home
page, the sitemap and the feed); the proxy then refills from the app's own page cache.
"""

import logging
import threading

import requests
from django.conf import settings

log = logging.getLogger(__name__)


# A page rendered from the old rows just before the commit can reach the proxy just after
# the ban, which applies only to what the proxy held: a second ban a moment later drops it.
SECOND_BAN_SECONDS = 1.0


def purge_all():
    """Ban every public page from each proxy, and again a moment later."""
    if not settings.PROXY_PURGE_URLS:
        return
    _ban()
    timer = threading.Timer(SECOND_BAN_SECONDS, _ban)
    timer.daemon = True
    timer.start()


def _ban():
    for proxy in settings.PROXY_PURGE_URLS:
        try:
            response = requests.request(
                "BAN", proxy.rstrip("/") + "/", headers={"X-Ban-Url": "^/"}, timeout=2
            )
            if response.status_code != 200:
                log.warning("Proxy %s refused the purge: HTTP %s", proxy, response.status_code)
        except requests.RequestException as error:
            log.warning("Proxy %s could not be purged: %s", proxy, error)
