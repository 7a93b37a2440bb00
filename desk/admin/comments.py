"""The answer's conversation in the admin: the comments panel the change form, the approve
page and the conversation page show, and the one view that comments, replies and
resolves. Views of `AnswerAdmin`, which wires them in its URLs.

The panel works without JavaScript (each form posts and comes back); with it
(desk/static/desk/comments.js) a form posts by fetch and the panel is replaced in place, so
that what is being typed in the change form around it is never reloaded away.
"""

from django.contrib import admin, messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from simple_history.admin import SimpleHistoryAdmin

from answers import conversation
from answers.models import Comment, TransitionError
from answers.models.comments import QUOTE_MAX_CHARS, SECTIONS
from answers.workflow import COMMENT_MAX_CHARS
from desk.admin.base import admin_context

FETCHED = "fetch"  # the X-Requested-With of the panel's own requests


def threads_of(threads, text):
    """`threads` (a queryset of them), open first, each with its replies and whether its
    passage is in `text` (an answer, or what a review link shows)."""
    threads = list(
        threads.select_related("author", "expert", "resolved_by").prefetch_related(
            "replies__author", "replies__expert"
        )
    )
    for thread in threads:
        thread.found = thread.locate(text) is not None if thread.quote else True
    threads.sort(key=lambda thread: (not thread.is_open, thread.created_at))
    return threads


def panel(threads, url, back, may_comment, may_resolve, error="", kept=None):
    """What comments_panel.html needs. `url`: where its forms post; `back`: the page it is
    on, where a form without JavaScript returns; `kept`: what was typed into a refused form."""
    return {
        "threads": threads,
        "open_count": sum(thread.is_open for thread in threads),
        "sections": list(SECTIONS.items()),
        "may_comment": may_comment,
        "may_resolve": may_resolve,
        "panel_url": url,
        "back": back,
        "error": error,
        "kept": kept or {},
        "comment_max": COMMENT_MAX_CHARS,
        "quote_max": QUOTE_MAX_CHARS,
    }


def panel_context(request, answer, back="", error="", kept=None):
    """The panel of the team's pages: every thread of the answer's draft."""
    user = request.user
    return panel(
        threads_of(answer.comments.threads(), answer),
        reverse("admin:answers_answer_comments", args=[answer.pk]),
        back or request.get_full_path(),
        may_comment=user.has_perm("answers.add_comment"),
        may_resolve=user.has_perm("answers.change_comment"),
        error=error,
        kept=kept,
    )


def comments_view(answer_admin, request, pk):
    answer = answer_admin.answer_for(request, pk)
    fetched = request.headers.get("X-Requested-With") == FETCHED
    back = request.POST.get("back") or request.GET.get("back") or ""
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = ""
    error, kept = "", None
    if request.method == "POST":
        try:
            done = _take(request, answer)
        except TransitionError as refused:
            # Shown with the form as it was typed: nothing is lost.
            error, kept = " ".join(refused.messages), request.POST
        else:
            if not fetched:
                messages.success(request, done)
                return redirect(back or reverse("admin:answers_answer_comments", args=[pk]))
    context = panel_context(request, answer, back, error, kept)
    status = 400 if error else 200
    if fetched or request.GET.get("fragment"):
        html = render_to_string(
            "admin/answers/answer/comments_panel.html", {"comments": context}, request
        )
        return HttpResponse(html, status=status)
    context = admin_context(
        answer_admin, request, answer=answer, original=answer, comments=context,
        title=f"Comments on “{answer}”",
    )  # fmt: skip
    return TemplateResponse(request, "admin/answers/answer/comments.html", context, status=status)


def _take(request, answer):
    """Do what the posted form asks; say what was done."""
    post, user = request.POST, request.user
    op = post.get("op")
    if op == "comment":
        conversation.start_thread(
            answer, post.get("section", ""), post.get("quote", ""), post.get("body", ""),
            user=user, prefix=post.get("prefix", ""), suffix=post.get("suffix", ""),
        )  # fmt: skip
        return "Your comment was added."
    thread = _thread(answer, post.get("thread"))
    if op == "reply":
        conversation.reply(thread, post.get("body", ""), user=user)
        return "Your reply was added."
    if op in ("resolve", "reopen"):
        conversation.resolve(thread, user, resolved=op == "resolve")
        return "The comment was resolved." if op == "resolve" else "The comment is open again."
    raise TransitionError("This form asked for nothing this page does. Reload it and try again.")


def _thread(answer, pk):
    try:
        return answer.comments.threads().get(pk=int(pk))
    except (TypeError, ValueError, Comment.DoesNotExist):
        raise TransitionError(
            "That comment is not on this answer any more. Reload the page."
        ) from None


def add_panel(request, context, answer, back=""):
    """Put the panel's context under `comments` in a page's context."""
    context["comments"] = panel_context(request, answer, back)
    return context


@admin.register(Comment)
class CommentAdmin(SimpleHistoryAdmin):
    """Every comment, to find a conversation again: read-only (a thread is answered and
    resolved on its answer's pages), each with its history (resolved, opened again)."""

    list_display = ["answer", "said_by", "section", "passage", "state", "created_at"]
    list_filter = [("resolved_at", admin.EmptyFieldListFilter), "section"]
    search_fields = ["body", "quote", "answer__question__text"]
    list_select_related = ["answer__question", "author", "expert"]
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(thread=None)

    @admin.display(description="by")
    def said_by(self, comment):
        return comment.by

    @admin.display(description="passage")
    def passage(self, comment):
        return (comment.quote[:80] + "…") if len(comment.quote) > 80 else comment.quote

    @admin.display(description="state")
    def state(self, comment):
        url = reverse("admin:answers_answer_comments", args=[comment.answer_id])
        label = "Open" if comment.is_open else "Resolved"
        return format_html('<a href="{}#comment-{}">{}</a>', url, comment.pk, label)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
