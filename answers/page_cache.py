"""
Rendered public pages, kept in memory and in the shared cache, and replaced when what
patients see changes.

Each page is kept under its address together with the site's *publication generation*
(answers/page_generation.py), a token that every event changing a public page replaces
(approval, withdrawal, a retraction notice, a topic's change: `pages_changed()`). A page
kept from an older generation, or from another day (an answer's review can fall overdue
overnight), is rendered again. The token moves at once and again on commit: a page rendered
in between from the old rows is dropped by the second move.

Two levels, both checked against the generation, which costs no round trip to read:

- each process keeps the pages it served in memory (`LOCAL_PAGES` of them);
  `PublicPages`, the WSGI application in front of Django (qasite/wsgi.py), answers those
  before Django builds a request: no query, no middleware, no round trip;
- the shared cache (Redis when `REDIS_URL` is set, files otherwise) holds every worker's
  pages, so a page rendered by one worker is one cache read for the others.
  `PageCacheMiddleware`, first in both middleware stacks, reads and fills it.

`public_page` marks the views whose pages may be kept; `PublicPages` sends their requests
to a Django handler with only the middleware a public page needs (`PUBLIC_MIDDLEWARE`:
no sessions, no CSRF, no users), whether or not the page cache is on. When the database
cannot be reached, a page still kept is served even if it is out of date (`X-Cache:
stale`); `answers.middleware` answers a friendly 503 for the rest.
"""

import functools
import hashlib
from http import HTTPStatus

from django.conf import settings
from django.core.cache import caches
from django.core.handlers.wsgi import WSGIHandler, get_path_info
from django.db import DatabaseError, close_old_connections, connection, connections, transaction
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, parse_http_date_safe

from answers import proxy_purge, replicas
from answers.page_generation import generation

# Pages each process keeps in memory (about 10 KB each); when full, the oldest goes.
LOCAL_PAGES = 2000
_local = {}
# Where `PublicPages` leaves the URL match for `PublicHandler`, in the WSGI environ.
RESOLVED = "qasite.resolver_match"


def page_cache():
    return caches[settings.PAGE_CACHE_ALIAS]


def _move_generation():
    try:
        generation().move()
    except Exception:  # a cache outage must not fail a publication; pages expire daily
        pass


def pages_changed():
    """Every public page may have changed: drop them all from every app server's memory and
    cache and from the proxies, now and once the transaction commits."""
    _move_generation()
    transaction.on_commit(_move_generation)
    transaction.on_commit(proxy_purge.purge_all)


def clear():
    """Forget every kept page, in this process and in the shared cache (tests, benchmarks)."""
    _local.clear()
    page_cache().clear()
    _move_generation()


def _address(environ):
    """What makes two requests the same page: scheme (as the proxy told it), host, path and
    query, exactly as they arrived, and whether the client takes gzip (GZipMiddleware). A
    page is kept only after Django served it, so only for hosts that passed ALLOWED_HOSTS."""
    proxy_header = (settings.SECURE_PROXY_SSL_HEADER or ("", ""))[0]
    return "|".join(
        (
            environ.get("wsgi.url_scheme", ""),
            environ.get(proxy_header, "") if proxy_header else "",
            environ.get("HTTP_HOST") or environ.get("SERVER_NAME", ""),
            environ.get("PATH_INFO", ""),
            environ.get("QUERY_STRING", ""),
            "gzip" if "gzip" in environ.get("HTTP_ACCEPT_ENCODING", "") else "",
        )
    )


def _fresh(entry, current):
    return (
        entry is not None
        and current is not None
        and entry["generation"] == current
        and entry["day"] == timezone.localdate().isoformat()
    )


def _keep(address, entry):
    if len(_local) >= LOCAL_PAGES:
        del _local[next(iter(_local))]
    _local[address] = entry


def _entry(response, current):
    return {
        "generation": current,
        "day": timezone.localdate().isoformat(),
        "status": response.status_code,
        "reason": response.reason_phrase,
        "body": response.content,
        "headers": {
            name: value
            for name, value in response.items()
            if name.lower() not in ("x-cache", "content-length")
        },
        "last_modified": parse_http_date_safe(response["Last-Modified"]),
    }


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
    """First in MIDDLEWARE and PUBLIC_MIDDLEWARE: a kept public page (in this process, or in
    the shared cache) is answered before any other middleware or URL resolution runs, with
    the headers the whole stack gave it when it was rendered (security headers, CSP).
    Pages are kept only when their view is a `public_page` and the response sets no
    cookie."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _skipped(request):
            return self.get_response(request)
        current = generation().current()
        if current is None:  # the cache cannot be reached: serve as if it were off
            return self.get_response(request)
        address = _address(request.META)
        key = "pages:" + hashlib.sha256(address.encode()).hexdigest()
        entry = _local.get(address)
        if not _fresh(entry, current):
            try:
                entry = page_cache().get(key) or entry
            except Exception:
                pass
            if _fresh(entry, current):
                _keep(address, entry)
        if _fresh(entry, current):
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
            entry = _entry(response, current)
            _keep(address, entry)
            try:
                page_cache().set(key, entry, timeout=24 * 3600)
            except Exception:
                pass
            response["X-Cache"] = "miss"
        return response


class PublicHandler(WSGIHandler):
    """Django for public pages: the same views and settings, `PUBLIC_MIDDLEWARE` only."""

    def load_middleware(self, is_async=False):
        # BaseHandler reads its list from settings.MIDDLEWARE; this handler's list is
        # another, so it is put there while the chain is built (once, at start-up).
        full = settings.MIDDLEWARE
        settings.MIDDLEWARE = settings.PUBLIC_MIDDLEWARE
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = full

    def resolve_request(self, request):
        # `PublicPages` resolved this path to choose this handler; no need to do it twice.
        match = request.environ.get(RESOLVED)
        if match is None or hasattr(request, "urlconf"):
            return super().resolve_request(request)
        request.resolver_match = match
        return match


class PublicPages:
    """The WSGI application (qasite/wsgi.py): answers a page this process keeps, or passes
    the request on to `public` (a `PublicHandler`) if its view is a `public_page`, or to
    `application` (Django with every middleware) otherwise.

    Conditional requests are left to the middleware, which answers them with
    Django's own rules (`get_conditional_response`), from the same kept pages."""

    def __init__(self, application, public):
        self.application = application
        self.public = public

    def __call__(self, environ, start_response):
        if environ["REQUEST_METHOD"] not in ("GET", "HEAD"):
            return self.application(environ, start_response)
        if (
            settings.PUBLIC_PAGE_CACHE
            and "HTTP_IF_NONE_MATCH" not in environ
            and "HTTP_IF_MODIFIED_SINCE" not in environ
        ):
            entry = _local.get(_address(environ))
            if entry is not None and _fresh(entry, generation().current()):
                return _serve(entry, environ, start_response)
        if _is_public(environ):
            return self.public(environ, start_response)
        return self.application(environ, start_response)


def _serve(entry, environ, start_response):
    body = entry["body"]
    headers = list(entry["headers"].items())
    headers += [("Content-Length", str(len(body))), ("X-Cache", "hit")]
    # An entry kept by an earlier release has no reason phrase.
    reason = entry.get("reason") or HTTPStatus(entry["status"]).phrase
    start_response(f"{entry['status']} {reason}", headers)
    return [b""] if environ["REQUEST_METHOD"] == "HEAD" else [body]


def _is_public(environ):
    try:
        match = resolve(get_path_info(environ))
    except Resolver404:
        return False  # CommonMiddleware may redirect it (APPEND_SLASH), or it is a 404
    if not getattr(match.func, "public_page", False):
        return False
    environ[RESOLVED] = match
    return True


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

    page.public_page = True  # copied onto any decorator outside it by functools.wraps
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
