"""
Rendered public pages, kept in the shared cache and replaced when what patients see changes.

Each page is cached under its path together with the site's *publication generation*, a
counter that every event changing a public page moves on (approval, withdrawal, a
retraction notice, a topic's change: `pages_changed()`). A hit is one cache round trip —
the generation and the page in one `get_many` — and no database query; a page kept from an
older generation, or from another day (an answer's review can fall overdue overnight), is
rendered again. The counter moves at once and again on commit: a page rendered in between
from the old rows is dropped by the second move.

`PageCacheMiddleware`, first in MIDDLEWARE, answers hits before anything else runs;
`public_page` marks the views whose pages it may keep. When the database cannot be reached,
a page still in the cache is served even if it is out of date (`X-Cache: stale`);
`answers.middleware` answers a friendly 503 for the rest.
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
    if state == "stale":
        response["Warning"] = '110 - "Response is stale"'
    return response


def _entry(response, generation):
    return {
        "generation": generation,
        "day": timezone.localdate().isoformat(),
        "status": response.status_code,
        "body": response.content,
        "headers": {
            name: value
            for name, value in response.items()
            if name.lower() not in ("x-cache", "content-length")
        },
        "last_modified": parse_http_date_safe(response["Last-Modified"]),
    }


def _skipped(request):
    """Requests the page cache never answers: other methods, the admin, static files, and
    plain HTTP where the site redirects to HTTPS (SecurityMiddleware must see those)."""
    return (
        request.method not in ("GET", "HEAD")
        or not settings.PUBLIC_PAGE_CACHE
        or request.path_info.startswith(("/admin/", "/" + settings.STATIC_URL.lstrip("/")))
        or (settings.SECURE_SSL_REDIRECT and not request.is_secure())
    )


class PageCacheMiddleware:
    """First in MIDDLEWARE: a cached public page is answered before any other middleware or
    URL resolution runs, with the headers the whole stack gave it when it was rendered
    (security headers, CSP). Pages are stored only when their view is a `public_page` and
    the response sets no cookie."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _skipped(request):
            return self.get_response(request)
        cache = page_cache()
        key = (
            "pages:"
            + hashlib.sha256(f"{request.get_host()}{request.get_full_path()}".encode()).hexdigest()
        )
        try:
            found = cache.get_many([GENERATION_KEY, key])
            generation = _current_generation(cache, found)
        except Exception:  # the cache is down: serve as if it were off
            return self.get_response(request)
        entry = found.get(key)
        if (
            entry
            and entry["generation"] == generation
            and entry["day"] == timezone.localdate().isoformat()
        ):
            return _respond(request, entry, "hit")
        response = self.get_response(request)
        if getattr(response, "database_unavailable", False) and entry:
            return _respond(request, entry, "stale")
        if (
            getattr(response, "public_page", False)
            and response.status_code == 200
            and not response.streaming
            and not response.cookies
        ):
            try:
                cache.set(key, _entry(response, generation), timeout=24 * 3600)
            except Exception:
                pass
            response["X-Cache"] = "miss"
        return response


def public_page(view):
    """Mark `view`'s pages as public: the same for everyone, kept by `PageCacheMiddleware`,
    with the Cache-Control every public page sends to browsers, proxies and CDNs, an ETag
    and a Last-Modified."""

    @functools.wraps(view)
    def page(request, *args, **kwargs):
        response = _render(view, request, args, kwargs)
        if hasattr(response, "render") and callable(response.render):
            response.render()
        if response.status_code == 200 and not response.streaming:
            response.public_page = True
            if not response.has_header("ETag"):
                digest = hashlib.sha256(response.content).hexdigest()[:20]
                response["ETag"] = f'"{digest}"'
            if not response.has_header("Last-Modified"):
                response["Last-Modified"] = http_date()
        return _with_cache_control(response)

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
        close_old_connections()
        return view(request, *args, **kwargs)


def _with_cache_control(response):
    if response.status_code in (200, 304):
        patch_cache_control(
            response,
            public=True,
            max_age=settings.PUBLIC_CACHE_SECONDS,
            stale_while_revalidate=settings.PUBLIC_CACHE_SECONDS,
            stale_if_error=24 * 3600,
        )
    return response
