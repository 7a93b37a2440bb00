"""
Rendered public pages, kept in memory and in the shared cache, and replaced when what
patients see changes; and the one promise above their speed (ARCHITECTURE.md, "The
take-down invariant"): once a take-down commits, no copy of the page from before it is
served by this app, whatever fails.

Each page is kept with the *publication generation* it was rendered in (read before
rendering) and the surrogate keys of what it was built from (delivery/pages.py). Every
event changing a public page moves the generation and the keys of the records it changed
(answers/publication.py), so a page showing a changed record is never a hit again, a page
rendered across the change is never kept, and every other page stays kept. A page kept on
another day is rendered again too (an answer's review can fall overdue overnight).

Two levels hold pages, both checked against the keys' moves, which costs no round trip:

- each process keeps the pages it served in memory (`LOCAL_PAGES` of them); `PublicPages`,
  the WSGI application in front of Django (qasite/wsgi.py), answers those, and conditional
  requests for them, before Django builds a request;
- the shared cache (Redis when `REDIS_URL` is set, files otherwise) holds every worker's
  pages, so a page rendered by one worker is one cache read for the others.
  `PageCacheMiddleware`, first in both middleware stacks, reads and fills it.

A page is kept once per address: an allowed host (any other is refused with 400 before the
cache is read), the path, and only the query parameters its view takes (`public_page`'s
`params`): tracking parameters (utm_*, fbclid, …) are dropped, and any other parameter gets
a redirect to the page without it. A page's language is in its path (/es/ask/<slug>/; the
default language's pages have no prefix), so each language's page is kept, taken down and
purged under its own address; a path is resolved in its own language (`public_match`),
whatever language the thread spoke last.

When the database cannot be reached, a kept page from an older generation may be served
stale, never kept downstream (`Cache-Control: no-store`), and only if neither the page nor
any answer or topic page it links to has a tombstone from after it was rendered. Otherwise
the visitor gets the 503 page, marked so that Varnish does not put its own copy in its
place.

`public_page` also sets the headers every public page sends: Cache-Control for browsers and
CDNs (revalidate each time by default: no cache we cannot purge keeps a page that may be
taken down), `Qasite-Cache-Control` for our own Varnish, which we purge
(deploy/varnish/default.vcl), and a strong ETag. No Last-Modified: a second is too coarse
to tell two changes apart, and the overdue notice changes a page without any row changing.
"""

import contextlib
import datetime
import functools
import hashlib
import re
import time
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.core.cache import caches
from django.core.handlers.wsgi import get_path_info
from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.http.request import split_domain_port, validate_host
from django.middleware.gzip import GZipMiddleware
from django.urls import Resolver404, resolve
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, patch_vary_headers

from answers import languages
from delivery import stored_pages
from delivery.generation import generation

# Pages each process keeps in memory (about 10 KB each); when full, the oldest goes.
LOCAL_PAGES = 2000
in_memory = {}
# Where the URL match of a public page is left for `PublicHandler`, in the WSGI environ.
RESOLVED = "qasite.resolver_match"
# The header our Varnish keeps pages by (deploy/varnish/default.vcl); it never leaves it.
PROXY_CONTROL = "Qasite-Cache-Control"
# The surrogate keys of what a page shows, which Varnish's xkey module indexes it by.
KEYS_HEADER = "xkey"
# On a 503 whose page must not be replaced by a cache's older copy.
NO_STALE = "X-Qasite-No-Stale"
# A stale copy is served for at most this long after it was rendered.
STALE_SECONDS = 24 * 3600


def _mention_pattern():
    """Links to the pages a take-down can remove (answers, topics), absolute or not, in
    every language: /ask/<slug>/, and /es/ask/<slug>/ for a language with a prefix (a
    tombstone names the whole path, prefix included)."""
    prefixes = "|".join(
        re.escape(code) for code in languages.codes() if code != languages.default()
    )
    prefix = f"(?:/(?:{prefixes}))?" if prefixes else ""
    return re.compile(rf"{prefix}/(?:ask|topics)/[-\w]+/".encode())


MENTION = _mention_pattern()
# Parameters that name where a visitor came from, never what they asked for.
TRACKING = re.compile(
    r"utm_\w*|fbclid|gclid|gclsrc|dclid|gbraid|wbraid|msclkid|yclid|twclid|ttclid|igshid"
    r"|li_fat_id|mc_cid|mc_eid|_ga|_gl|_hsenc|_hsmi|mkt_tok|oly_anon_id|oly_enc_id|s_kwcid",
    re.IGNORECASE,
)


def page_cache():
    return caches[settings.PAGE_CACHE_ALIAS]


def clear():
    """Forget every kept page, in this process and in the shared cache (tests, benchmarks)."""
    in_memory.clear()
    page_cache().clear()


def accepts_gzip(header):
    """Whether an Accept-Encoding header takes gzip: named (gzip or x-gzip) with a q above
    0. A wildcard is not taken for gzip, as Django's GZipMiddleware never takes it."""
    for part in header.split(","):
        coding, *parameters = part.split(";")
        if coding.strip().lower() not in ("gzip", "x-gzip"):
            continue
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            return True
    return False


class PublicGZipMiddleware(GZipMiddleware):
    """Django's GZipMiddleware, deciding by `accepts_gzip`, as the page cache's address
    does: "gzip;q=0" gets no gzip, "nogzip" is not gzip."""

    def process_response(self, request, response):
        if accepts_gzip(request.META.get("HTTP_ACCEPT_ENCODING", "")):
            return super().process_response(request, response)
        if response.streaming or len(response.content) >= 200:
            patch_vary_headers(response, ("Accept-Encoding",))
        return response


def allowed_host(environ):
    """The request's host, lower-cased, if ALLOWED_HOSTS allows it (as Django's `get_host`
    decides, without X-Forwarded-Host); else None."""
    host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
    return _allowed(host, tuple(settings.ALLOWED_HOSTS), settings.DEBUG)


@functools.lru_cache(maxsize=256)
def _allowed(host, allowed, debug):
    """`allowed_host`'s answer, worked out once per host and setting."""
    domain, _ = split_domain_port(host)
    if debug and not allowed:
        allowed = (".localhost", "127.0.0.1", "[::1]")
    return host.lower() if domain and validate_host(domain, allowed) else None


def canonical_query(query, params):
    """(the query the page is the same for, whether the request's query may be served as
    it): tracking parameters dropped; each of the view's `params` kept once, in its order;
    anything else, or a parameter given twice, means a redirect to the canonical query."""
    # A name written in %-escapes is redirected to its plain spelling: a proxy in front
    # reads names as written (deploy/varnish/default.vcl), and would keep each spelling.
    plain = not any("%" in part.partition("=")[0] or "+" in part.partition("=")[0]
                    for part in query.split("&"))  # fmt: skip
    taken = {}
    for name, value in parse_qsl(query, keep_blank_values=True):
        if TRACKING.fullmatch(name):
            continue
        if name in params and name not in taken:
            taken[name] = value
        else:
            plain = False
    return urlencode([(name, taken[name]) for name in params if name in taken]), plain


def address_of(environ, host):
    """What makes two requests the same page: scheme (as the proxy told it), host, path,
    canonical query, and whether the client takes gzip (PublicGZipMiddleware)."""
    proxy_header = (settings.SECURE_PROXY_SSL_HEADER or ("", ""))[0]
    return "|".join(
        (
            environ.get("wsgi.url_scheme", ""),
            environ.get(proxy_header, "") if proxy_header else "",
            host,
            environ.get("PATH_INFO", ""),
            environ.get("QUERY_STRING", ""),
            "gzip" if accepts_gzip(environ.get("HTTP_ACCEPT_ENCODING", "")) else "",
        )
    )


def _key(address):
    """Where the shared cache keeps a page: by its address and this release's code and
    templates (delivery/stored_pages.py), so that a deployment never serves a page another
    release rendered."""
    return "pages:" + hashlib.sha256(f"{stored_pages.release()}|{address}".encode()).hexdigest()


def is_fresh(entry, current, view=None):
    """Whether a kept page is the page now: rendered today, while this process knows the
    generation (`current` is not None), and neither its path nor any of its keys moved
    since (a dictionary read each). `view`: the generation's, if the caller has it."""
    return (
        entry is not None
        and current is not None
        and entry.get("day") == today()
        and isinstance(entry.get("generation"), int)
        and "marks" in entry
        and not (view or generation()).changed_since(entry["generation"], entry["marks"])
    )


_today = {"day": "", "until": 0.0}


def today():
    """The local date, as kept pages record it; worked out again at the next midnight, not
    on every request (converting the time to the local zone was a sixth of a hit)."""
    if time.time() >= _today["until"]:
        now = timezone.localtime()
        midnight = datetime.datetime.combine(
            now.date() + datetime.timedelta(days=1), datetime.time(), now.tzinfo
        )
        _today.update(day=now.date().isoformat(), until=midnight.timestamp())
    return _today["day"]


def _keep(address, entry):
    if len(in_memory) >= LOCAL_PAGES:
        # Another thread (a threaded server) may have taken the oldest out already.
        with contextlib.suppress(RuntimeError, StopIteration):
            in_memory.pop(next(iter(in_memory)), None)
    in_memory[address] = entry


def _entry(request, response, current):
    return {
        "generation": current,
        "day": today(),
        "at": time.time(),
        "path": request.path_info,
        # What would make it out of date: its own path taken down, or one of its keys moved.
        "marks": (request.path_info, *getattr(response, "page_keys", ())),
        "mentions": getattr(response, "page_mentions", ()),
        "status": response.status_code,
        "reason": response.reason_phrase,
        "body": response.content,
        "etag": response.get("ETag"),
        "headers": {
            name: value
            for name, value in response.items()
            if name.lower() not in ("x-cache", "content-length")
        },
    }


# What a 304 repeats of the page's headers (RFC 9110 15.4.5; Django sends the same).
NOT_MODIFIED_HEADERS = ("cache-control", "content-location", "date", "etag", "expires", "vary")


def not_modified_headers(headers):
    return {
        name: value
        for name, value in headers.items()
        if name.lower() in NOT_MODIFIED_HEADERS or name == PROXY_CONTROL
    }


def _respond(request, entry, state):
    response = get_conditional_response(request, etag=entry["etag"])
    if response is None:
        response = HttpResponse(entry["body"], status=entry["status"])
        headers = entry["headers"]
    else:
        headers = not_modified_headers(entry["headers"])
    for name, value in headers.items():
        response[name] = value
    response["X-Cache"] = state
    return response


def _stale(request, entry):
    """A kept copy while the database is down: said to be stale, whole (never a 304, which
    a cache would merge with the copy it holds and keep), and kept by no one."""
    response = HttpResponse(entry["body"], status=entry["status"])
    for name, value in entry["headers"].items():
        response[name] = value
    response["X-Cache"] = "stale"
    response["Warning"] = '110 - "Response is stale"'
    response["Cache-Control"] = "no-store"
    del response[PROXY_CONTROL]
    return response


def _servable_stale(entry):
    """Whether a kept copy may stand in while the database is down: recent, and neither it
    nor a page it links to taken down since it was rendered."""
    return (
        entry is not None
        and isinstance(entry.get("generation"), int)
        and "mentions" in entry
        and time.time() - entry.get("at", 0) < STALE_SECONDS
        and generation().value is not None
        and not _barred(entry)
    )


def _barred(entry):
    """Whether a kept copy, or a page it links to, was taken down after it was rendered."""
    paths = [entry["path"], *(mention.decode() for mention in entry["mentions"])]
    return generation().barred(paths, entry["generation"]) is not None


def _not_kept(response):
    """Rendered while the generation moved, or for a transaction not yet committed: it may
    show rows from before a change, or not committed yet, so no cache may keep it."""
    response["Cache-Control"] = "no-store"
    del response[PROXY_CONTROL]
    return response


def public_match(environ):
    """The URL match of the request's path if its view is a `public_page`, else None; kept
    in the environ for `PublicHandler`.

    Resolved in the path's own language: the language prefix (/es/…) is matched against
    the active language (Django's LocalePrefixPattern), and this runs before PathLanguage
    activates the request's, while the thread may still speak the previous request's."""
    if RESOLVED in environ:
        return environ[RESOLVED]
    path = get_path_info(environ)
    try:
        with translation.override(languages.from_path(path)):
            match = resolve(path)
    except Resolver404:
        match = None  # CommonMiddleware may redirect it (APPEND_SLASH), or it is a 404
    if match is not None and not getattr(match.func, "public_page", False):
        match = None
    environ[RESOLVED] = match
    return match


def _skipped(request):
    """Requests the page cache never handles: other methods, the admin, static files, and
    plain HTTP where the site redirects to HTTPS (SecurityMiddleware must see those)."""
    return (
        request.method not in ("GET", "HEAD")
        or request.path_info.startswith(("/admin/", "/" + settings.STATIC_URL.lstrip("/")))
        or (settings.SECURE_SSL_REDIRECT and not request.is_secure())
    )


class PageCacheMiddleware:
    """First in MIDDLEWARE and PUBLIC_MIDDLEWARE. For a `public_page`: refuses a host not in
    ALLOWED_HOSTS, sends a query the page does not take to the page's own address, and
    answers a kept page (in this process, or in the shared cache) before any other
    middleware runs, with the headers the whole stack gave it when it was rendered. Pages
    are kept only when the response is a 200 that sets no cookie."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        match = None if _skipped(request) else public_match(request.META)
        if match is None:
            return self.get_response(request)
        host = request.get_host().lower()  # DisallowedHost: Django answers 400
        query, plain = canonical_query(
            request.META.get("QUERY_STRING", ""), getattr(match.func, "public_params", ())
        )
        if not plain:
            return _redirect(request, query)
        request.META["QUERY_STRING"] = query
        if not settings.PUBLIC_PAGE_CACHE:
            return self.get_response(request)
        current = generation().current()
        address = address_of(request.META, host)
        key = _key(address)
        entry = in_memory.get(address)
        if current is not None and not is_fresh(entry, current):
            try:
                entry = page_cache().get(key) or entry
            except Exception:  # the shared cache is down: render
                pass
            if is_fresh(entry, current):
                _keep(address, entry)
        if is_fresh(entry, current):
            return _respond(request, entry, "hit")
        response = self.get_response(request)
        if getattr(response, "database_unavailable", False):
            if current is not None and _servable_stale(entry):
                return _stale(request, entry)
            # Taken down, or linking to a page taken down: no cache may put its own older
            # copy in its place either.
            known = entry is not None and isinstance(entry.get("generation"), int)
            if generation().marks.get(request.path_info) or (
                known and "mentions" in entry and _barred(entry)
            ):
                response[NO_STALE] = "1"
            return response
        if not getattr(response, "public_page", False) or response.status_code != 200:
            return response
        if response.streaming or response.cookies:
            return response
        entry = _entry(request, response, current)
        # Kept only if nothing it shows moved while it was rendered.
        if not is_fresh(entry, generation().current()):
            return _not_kept(response)
        _keep(address, entry)
        try:
            page_cache().set(key, entry, timeout=STALE_SECONDS)
        except Exception:  # the shared cache is down: this process still has it
            pass
        response["X-Cache"] = "miss"
        return response


def _redirect(request, query):
    """To the page's own address: one kept copy per page, whatever is added to its URL.
    Kept by no cache, so that junk parameters do not fill one."""
    response = HttpResponsePermanentRedirect(request.path + (f"?{query}" if query else ""))
    response["Cache-Control"] = "no-store"
    return response
