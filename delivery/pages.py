"""
Which views are public pages, and the headers every public page sends.

`public_page` marks a view whose pages are the same for everyone: `PageCacheMiddleware`
(delivery/page_cache.py) keeps them, `PublicPages` (delivery/front.py) sends them to the
short middleware stack. It gives them a strong ETag and no Last-Modified, notes the answer
and topic pages they link to (for the tombstones), and sets their cache headers
(`with_cache_headers`): Cache-Control for browsers and CDNs, `Qasite-Cache-Control` for
our own Varnish, and `xkey`: the surrogate keys of what the page was built from
(answers/publication.py), which the view names with `built_from` as it reads them. Every
page carries `all` and its language's interface key too. The page cache keeps a page with
its keys, and Varnish's `xkey` module indexes it by them, so that a change drops exactly
the pages that show it.
"""

import functools
import hashlib

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection, connections
from django.utils.translation import get_language

from answers.publication import EVERY_PAGE, interface_key
from delivery import replicas
from delivery.page_cache import KEYS_HEADER, MENTION, PROXY_CONTROL, STALE_SECONDS


def built_from(request, *keys):
    """The page being rendered for `request` shows the records named by `keys`."""
    request.page_keys = getattr(request, "page_keys", frozenset()).union(keys)


def public_page(view=None, *, params=(), keys=None):
    """Mark `view`'s pages as public: the same for everyone, kept by `PageCacheMiddleware`,
    with the headers every public page sends (see the module's docstring). `params`: the
    query parameters the page takes (any other is redirected away); `keys`, for a view that
    cannot name its own (Django's sitemap index, a feed): a function of the request giving
    the surrogate keys of what its pages show."""
    if view is None:
        return functools.partial(public_page, params=params, keys=keys)

    @functools.wraps(view)
    def page(request, *args, **kwargs):
        if keys is not None:
            built_from(request, *keys(request))
        response = _render(view, request, args, kwargs)
        if hasattr(response, "render") and callable(response.render):
            response.render()
        if response.status_code == 200 and not response.streaming:
            response.public_page = True
            response.page_mentions = tuple(sorted(set(MENTION.findall(response.content))))
            if not response.has_header("ETag"):
                digest = hashlib.sha256(response.content).hexdigest()[:20]
                response["ETag"] = f'"{digest}"'
            del response["Last-Modified"]  # the feed and the sitemap set one
        return with_cache_headers(request, response)

    page.public_page = True  # copied onto any decorator outside it by functools.wraps
    page.public_params = tuple(params)
    return page


def _render(view, request, args, kwargs):
    """The view's response; a query that failed on a connection the database dropped (a
    restart) is tried once more on a new one."""
    try:
        return view(request, *args, **kwargs)
    except DatabaseError:
        if connection.in_atomic_block:
            raise
        connection.close()
        connections[replicas.read_alias()].close()  # the replica it read from, if any
        close_old_connections()
        return view(request, *args, **kwargs)


def with_cache_headers(request, response):
    """Cache-Control for browsers and CDNs, what our Varnish may keep, and the keys of what
    the page shows, on a 200 or 304 that anyone may be given (a public page, a search)."""
    if response.status_code in (200, 304):
        seconds = settings.PUBLIC_CACHE_SECONDS
        response["Cache-Control"] = f"public, max-age={seconds}" if seconds else "public, no-cache"
        proxy = settings.PROXY_CACHE_SECONDS
        response[PROXY_CONTROL] = (
            f"max-age={proxy}, stale-while-revalidate={proxy}, stale-if-error={STALE_SECONDS}"
        )
        keys = {EVERY_PAGE, interface_key(get_language()), *getattr(request, "page_keys", ())}
        response.page_keys = tuple(sorted(keys))
        response[KEYS_HEADER] = " ".join(response.page_keys)
    return response


def proxy_cacheable(view):
    """A view whose 200s anyone may be given, kept by Varnish (not the page cache): search."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        return with_cache_headers(request, view(request, *args, **kwargs))

    return wrapped
