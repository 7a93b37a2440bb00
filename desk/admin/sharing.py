"""Sharing a draft with an outside expert: the review links of an answer, a form for a new
one and Revoke. A view of `AnswerAdmin`, which wires it in its URLs."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.validators import validate_email
from django.forms import ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from answers import conversation
from answers.models import ReviewLink, TransitionError
from desk.admin.base import admin_context

DEFAULT_DAYS = 14


def share_view(answer_admin, request, pk):
    answer = answer_admin.answer_for(request, pk)
    if not request.user.has_perm("answers.view_reviewlink"):
        raise PermissionDenied
    error, posted = "", {}
    if request.method == "POST":
        posted = request.POST
        try:
            if posted.get("op") == "revoke":
                link = answer.review_links.get(pk=_number(posted.get("link")))
                conversation.revoke(link, request.user)
                messages.success(request, f"The link of {link.expert_name} no longer works.")
            else:
                link = conversation.share(
                    answer,
                    request.user,
                    posted.get("expert_name", ""),
                    _number(posted.get("days")),
                    expert_email=_email(posted.get("expert_email", "")),
                    follows_later_drafts=posted.get("follows_later_drafts") == "on",
                )
                mailed = settings.EMAIL_NOTIFICATIONS and link.expert_email
                sent = f"It is being mailed to {link.expert_email}; " if mailed else ""
                messages.success(
                    request,
                    f"A link for {link.expert_name}, working until {link.expires_at:%-d %b %Y}: "
                    f"{sent}copy it from the list below to send it yourself. The sharing is in "
                    "the answer's workflow log.",
                )
            return redirect("admin:answers_answer_share", answer.pk)
        except (TransitionError, ReviewLink.DoesNotExist) as refused:
            error = " ".join(getattr(refused, "messages", ["That link is not this answer's."]))
    links = list(answer.review_links.select_related("created_by", "revoked_by"))
    for link in links:
        # Whoever holds the address comments as the expert: only its maker sees it.
        mine = link.created_by_id == request.user.pk
        link.url = (
            request.build_absolute_uri(reverse("desk:outside-review", args=[link.token]))
            if mine
            else ""
        )
        link.comment_count = link.comments.count()
    context = admin_context(
        answer_admin, request, answer=answer, original=answer, links=links, error=error,
        posted=posted, default_days=DEFAULT_DAYS, longest=ReviewLink.LONGEST.days,
        may_share=request.user.has_perm("answers.add_reviewlink"),
        may_revoke=request.user.has_perm("answers.change_reviewlink"),
        title=f"Share with an outside expert: {answer}",
    )  # fmt: skip
    return TemplateResponse(request, "admin/answers/answer/share.html", context)


def _number(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        raise TransitionError("Give a number of days, from 1 to 30.") from None


def _email(value):
    value = value.strip()
    if value:
        try:
            validate_email(value)
        except ValidationError:
            raise TransitionError(f"“{value[:80]}” is not an email address.") from None
    return value
