from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.html import format_html


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
    if request.headers.get("X-Requested-With") == "XMLHttpRequest":
        # The admin's live preview shows what it gets back in place of the preview.
        return HttpResponse(
            format_html(
                "<p><strong>No preview:</strong> the text is too large to send ({}; the "
                "limit is {}).</p>",
                filesizeformat(size),
                filesizeformat(limit),
            ),
            status=413,
        )
    return render(request, "413.html", {"size": size, "limit": limit}, status=413)
