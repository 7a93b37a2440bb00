import logging
from dataclasses import asdict

from csp.constants import HEADER
from csp.middleware import CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.contrib.admin import site as admin_site
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html

from answers import languages

log = logging.getLogger(__name__)


def refuse_oversized_posts(get_response):
    """A form larger than Django reads (DATA_UPLOAD_MAX_MEMORY_SIZE) gets a page that says
    what happened and that nothing was saved, not a bare "Bad Request (400)" from the CSRF
    check reading the body. It runs before anything reads the body; the site takes no file
    uploads, so the whole body counts."""

    def middleware(request):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            size = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            size = 0  # Django refuses it on its own
        if request.method == "POST" and limit is not None and size > limit:
            return too_large(request, size, limit)
        return get_response(request)

    return middleware


def too_large(request, size, limit):
    preview = request.path == reverse("markdown-preview")
    if preview or request.headers.get("X-Requested-With") == "XMLHttpRequest":
        # The admin's live preview (django-markdownx) puts whatever it gets back, whatever
        # the status, in place of the preview: a line, not a page. Known by its address too,
        # whether or not its script says it is one.
        return HttpResponse(
            format_html(
                "<p><strong>No preview:</strong> the text is too large to send ({}; the "
                "limit is {}).</p>",
                filesizeformat(size),
                filesizeformat(limit),
            ),
            status=413,
        )
    # Before PathLanguage has run: in the language of the page the form was on.
    with languages.speaking(languages.from_path(request.path_info)):
        return render(request, "413.html", {"size": size, "limit": limit}, status=413)


class DatabaseUnavailable:
    """When PostgreSQL cannot be reached: a page that says so (503, with Retry-After), never
    a traceback. Public pages in the page cache are served before this is reached
    (delivery/page_cache.py); the admin says the database is unavailable and, after a POST,
    that nothing was saved."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        log.error("Database unavailable for %s %s: %s", request.method, request.path, exception)
        admin = request.path.startswith("/admin/")
        # Rendered without the request: its context processors (user, messages) would read
        # the session from the database that just failed.
        html = render_to_string(
            "admin/503.html" if admin else "503.html",
            {"posted": request.method == "POST", "site_header": admin_site.site_header},
        )
        response = HttpResponse(html, status=503)
        response.database_unavailable = True  # the page cache may have a stale copy
        response["Retry-After"] = "30"
        response["Cache-Control"] = "no-store"
        return response


class PublicPageCSP(CSPMiddleware):
    """django-csp's header for public pages (PUBLIC_MIDDLEWARE). Their policy never varies:
    no nonce, no per-view change, no report-only policy. So it is built once per process,
    not per response. `test_page_cache_workers` checks it equals the whole stack's."""

    policy = None

    def process_request(self, request):
        return None  # no nonce: public pages have no inline script

    def process_response(self, request, response):
        if HEADER not in response:
            if self.policy is None:
                self.policy = build_policy(**asdict(self.get_policy_parts(request, response)))
            response[HEADER] = self.policy
        return response


class PathLanguage:
    """A page's language is in its address and nowhere else: /es/… is Spanish, an address
    without a prefix is in the default language. Not Django's LocaleMiddleware, which reads
    a cookie and Accept-Language for unprefixed addresses and adds `Vary: Accept-Language`:
    every cache here (the page cache, Varnish, a CDN) keys a page by its address, so the
    address alone must decide what it says.

    It runs outside every middleware that resolves or renders (settings.py puts it right
    after the page cache: CommonMiddleware's slash redirect of a 404 resolves the path in
    it), and puts the language back when the response is made, so that nothing of one
    request's language is left for the next one in the thread. The WSGI front
    (delivery/front.py) runs each request in its path's language from the start and leaves
    none active after; the page cache resolves a path in its own language
    (delivery/page_cache.py, `public_match`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = languages.from_path(request.path_info)
        request.LANGUAGE_CODE = language
        with translation.override(language, deactivate=True):
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", languages.tag(language))
        return response
