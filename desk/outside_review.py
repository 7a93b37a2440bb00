"""
The outside expert's page: a draft shared by a review link (answers/models/comments.py
`ReviewLink`), at its public layout, where the expert comments on passages without an
account. The token in the address is signed; a link expired or revoked shows why and
whom to ask, and nothing of the draft.

The page is private to the link: never cached by anyone (no-store, and no
`Qasite-Cache-Control`, so Varnish passes it), never indexed, and it sends no Referer
that would carry the token to a cited journal's site. It shows what was shared (or, if the
reviewer allowed it, the latest draft) and the expert's own comments, nothing else.
"""

from types import SimpleNamespace

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from answers import conversation
from answers.models import ReviewLink, TransitionError, freeze
from desk.admin.comments import FETCHED, panel, threads_of
from patient_site.views import with_notices


def _private(response):
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _panel(request, link, content, error="", kept=None):
    """The expert's own threads, found in what the link shows; no resolving."""
    threads = threads_of(
        link.answer.comments.threads().filter(expert=link), SimpleNamespace(**content)
    )
    return panel(threads, request.path, request.path, True, False, error, kept)


@never_cache
@csrf_protect
def review_page(request, token):
    link = ReviewLink.from_token(token)
    if link is None or link.state != "open":
        response = render(request, "answers/review_link_closed.html", {"link": link}, status=410)
        return _private(response)
    content = link.shows()
    error, kept = "", None
    fetched = request.headers.get("X-Requested-With") == FETCHED
    if request.method == "POST":
        try:
            _take(request, link)
        except TransitionError as refused:
            error, kept = " ".join(refused.messages), request.POST
        else:
            if not fetched:
                return _private(
                    redirect(reverse("desk:outside-review", args=[token]) + "#comments")
                )
    panel = _panel(request, link, content, error, kept)
    status = 400 if error else 200
    if fetched:
        html = render_to_string(
            "admin/answers/answer/comments_panel.html", {"comments": panel}, request
        )
        return _private(HttpResponse(html, status=status))
    page = freeze(link.answer, content)
    context = {
        "page": page,
        "references": with_notices(page.references),
        "link": link,
        "comments": panel,
        "is_preview": True,
        "outside_review": True,
    }
    return _private(render(request, "answers/answer_detail.html", context, status=status))


def _take(request, link):
    post = request.POST
    if post.get("op") == "comment":
        conversation.start_thread(
            link.answer, post.get("section", ""), post.get("quote", ""), post.get("body", ""),
            link=link, prefix=post.get("prefix", ""), suffix=post.get("suffix", ""),
        )  # fmt: skip
    elif post.get("op") == "reply":
        try:
            thread = link.answer.comments.threads().get(pk=int(post.get("thread", "")), expert=link)
        except (ValueError, link.answer.comments.model.DoesNotExist):
            raise TransitionError("You can reply only to your own comments.") from None
        conversation.reply(thread, post.get("body", ""), link=link)
    else:
        raise TransitionError("This form asked for nothing this page does. Reload it.")
