"""
The WSGI application in front of Django (qasite/wsgi.py): `PublicPages` answers a page this
process keeps (a request with no query string, for an allowed host), and a conditional
request for it, before Django builds a request; passes other public pages to a Django
handler with only the middleware they need (`PublicHandler`, settings.PUBLIC_MIDDLEWARE);
and everything else (the admin, forms, static files) to Django with all of it. A request it
passes on runs in its address's language (/es/… Spanish), and leaves none active after.
"""

from http import HTTPStatus

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler, get_path_info
from django.utils import translation
from django.utils.http import parse_etags

from answers import languages
from delivery.generation import generation
from delivery.page_cache import (
    RESOLVED,
    address_of,
    allowed_host,
    in_memory,
    is_fresh,
    not_modified_headers,
    public_match,
)


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
    """The WSGI application (qasite/wsgi.py): answers a page this process keeps (a request
    with no query string, for an allowed host), or a conditional request for it, without
    entering Django; or passes the request on to `public` (a `PublicHandler`) if its view is
    a `public_page`, or to `application` (Django with every middleware) otherwise."""

    def __init__(self, application, public):
        self.application = application
        self.public = public

    def __call__(self, environ, start_response):
        if environ["REQUEST_METHOD"] in ("GET", "HEAD") and settings.PUBLIC_PAGE_CACHE:
            if not environ.get("QUERY_STRING"):
                host = allowed_host(environ)
                entry = in_memory.get(address_of(environ, host)) if host else None
                if entry is not None:
                    view = generation()
                    if is_fresh(entry, view.current(), view):
                        return _serve(entry, environ, start_response)  # speaks no language
        # The whole request in its address's language, and none left active after it: a
        # thread keeps the language it last activated, and what runs before PathLanguage
        # (resolving a prefixed path, CommonMiddleware's slash check) must not be the
        # previous request's.
        language = languages.from_path(get_path_info(environ))
        with translation.override(language, deactivate=True):
            if environ["REQUEST_METHOD"] not in ("GET", "HEAD"):
                return self.application(environ, start_response)
            if public_match(environ) is not None:
                return self.public(environ, start_response)
            return self.application(environ, start_response)


def _serve(entry, environ, start_response):
    if _not_modified(environ.get("HTTP_IF_NONE_MATCH"), entry["etag"]):
        headers = list(not_modified_headers(entry["headers"]).items())
        start_response("304 Not Modified", [*headers, ("X-Cache", "hit")])
        return [b""]
    body = entry["body"]
    if "wsgi" not in entry:  # the status line and headers, worked out at the first hit
        headers = list(entry["headers"].items())
        headers += [("Content-Length", str(len(body))), ("X-Cache", "hit")]
        entry["wsgi"] = (f"{entry['status']} {HTTPStatus(entry['status']).phrase}", headers)
    status, headers = entry["wsgi"]
    start_response(status, list(headers))
    return [b""] if environ["REQUEST_METHOD"] == "HEAD" else [body]


def _not_modified(if_none_match, etag):
    """If-None-Match as Django's `get_conditional_response` reads it (weak comparison)."""
    if if_none_match is None or not etag:
        return False
    tags = parse_etags(if_none_match)
    return "*" in tags or etag.removeprefix("W/") in {tag.removeprefix("W/") for tag in tags}
