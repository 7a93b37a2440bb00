"""
Rendered public pages, kept in the shared cache and replaced when what patients see changes.

Each page is cached under its path together with the site's *publication generation*, a
counter that every event changing a public page moves on (approval, withdrawal, a
retraction notice, a topic's change: `pages_changed()`). A hit is one cache round trip —
the generation and the page in one `get_many` — and no database query; a page kept from an
older generation, or from another day (an answer's review can fall overdue overnight), is
rendered again. The counter moves at once and again on commit: a page rendered in between
from the old rows is dropped by the second move.

When the database cannot be reached, a page still in the cache is served even if it is out
of date (`X-Cache: stale`); `answers.middleware` answers a friendly 503 for the rest.
"""

import functools
import hashlib
import secrets

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, close_old_connections, connection, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, parse_http_date_safe

from answers import proxy_purge

GENERATION_KEY = "pages:generation"
KEPT_HEADERS = ("Content-Type", "ETag", "Last-Modified", "X-Robots-Tag")


def page_cache():
    return caches[settings.PAGE_CACHE_ALIAS]


def _move_generation():
    try:
        page_cache().set(GENERATION_KEY, secrets.token_hex(8), timeout=None)
    except Exception:  # a cache outage must not fail a publication; pages expire daily
        pass


def pages_changed():
    """Every public page may have changed: drop them all from the app's cache and the
    proxies, now and once the transaction commits."""
    _move_generation()
    transaction.on_commit(_move_generation)
    transaction.on_commit(proxy_purge.purge_all)


def _current_generation(cache, found):
    generation = found.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, secrets.token_hex(8), timeout=None)
        generation = cache.get(GENERATION_KEY)
    return generation


def _respond(request, entry, state):
    response = get_conditional_response(
        request, etag=entry["headers"].get("ETag"), last_modified=entry["last_modified"]
    )
    if response is None:
        response = HttpResponse(entry["body"], status=entry["status"])
    for name, value in entry["headers"].items():
        response[name] = value
    response["X-Cache"] = state
    return response


def _entry(response, generation):
    body = response.content
    if not response.has_header("ETag"):
        response["ETag"] = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
    if not response.has_header("Last-Modified"):
        response["Last-Modified"] = http_date()
    return {
        "generation": generation,
        "day": timezone.localdate().isoformat(),
        "status": response.status_code,
        "body": body,
        "headers": {name: response[name] for name in KEPT_HEADERS if response.has_header(name)},
        "last_modified": parse_http_date_safe(response["Last-Modified"]),
    }


def public_page(view):
    """Serve `view`'s page from the shared page cache (GET and HEAD of public pages only),
    with the public Cache-Control every public page sends to browsers and CDNs."""

    @functools.wraps(view)
    def cached(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        if not settings.PUBLIC_PAGE_CACHE:
            return _with_cache_control(view(request, *args, **kwargs))
        cache = page_cache()
        key = f"pages:{hashlib.sha256(request.get_full_path().encode()).hexdigest()}"
        try:
            found = cache.get_many([GENERATION_KEY, key])
            generation = _current_generation(cache, found)
        except Exception:  # the cache is down: render as if it were off
            return _with_cache_control(view(request, *args, **kwargs))
        entry = found.get(key)
        today = timezone.localdate().isoformat()
        if entry and entry["generation"] == generation and entry["day"] == today:
            return _with_cache_control(_respond(request, entry, "hit"))
        try:
            response = _render(view, request, args, kwargs)
        except DatabaseError:
            if entry:
                return _with_cache_control(_respond(request, entry, "stale"), stale=True)
            raise
        if response.status_code == 200 and not response.streaming:
            if hasattr(response, "render"):
                response.render()
            try:
                cache.set(key, _entry(response, generation), timeout=24 * 3600)
            except Exception:
                pass
        response["X-Cache"] = "miss"
        return _with_cache_control(response)

    return cached


def _render(view, request, args, kwargs):
    """The view's response; a query that failed on a connection the database dropped (a
    restart) is tried once more on a new one."""
    try:
        return view(request, *args, **kwargs)
    except DatabaseError:
        if connection.in_atomic_block:
            raise
        connection.close()
        close_old_connections()
        return view(request, *args, **kwargs)


def _with_cache_control(response, stale=False):
    if response.status_code in (200, 304):
        patch_cache_control(
            response,
            public=True,
            max_age=settings.PUBLIC_CACHE_SECONDS,
            stale_while_revalidate=settings.PUBLIC_CACHE_SECONDS,
            stale_if_error=24 * 3600,
        )
    if stale:
        response["Warning"] = '110 - "Response is stale"'
    return response
