"""
What the review conversation does: comment on a passage, reply, resolve, share a draft
with an outside expert and revoke the link. The desk's pages and the expert's page call
these; each refuses what it may not do with a `TransitionError` saying why, for the person.

Each sends `conversation_changed` once it is recorded, with what happened: the desk mails
the people it concerns (desk/notifications.py), as it does for the workflow's steps.
"""

import datetime

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from answers.models import Transition
from answers.models.comments import (
    LINK_COMMENT_LIMIT,
    QUOTE_MAX_CHARS,
    SECTIONS,
    Comment,
    ReviewLink,
    _squeeze,
    context_of,
    find_passage,
    texts_of,
)
from answers.workflow import TransitionError
from answers.workflow.engine import clean_comment
from citations.characters import strip_unprintable

# Sent once the change commits: `comment` (or `link`), `event` ("comment", "reply",
# "resolve", "share"), `actor` (a user, or None for an outside expert).
conversation_changed = Signal()


def _announce(**kwargs):
    transaction.on_commit(lambda: conversation_changed.send(sender=Comment, **kwargs))


def _body(body):
    body = clean_comment(body)
    if not body.strip():
        raise TransitionError("Write a comment first: it is empty.")
    return body


def _may(user, permission, refusal, link=None):
    """`user` may, or, with no user, it is an outside expert's `link` that still works."""
    if user is None:
        if link is None:
            raise TransitionError(refusal)
        if not ReviewLink.objects.usable().filter(pk=link.pk).exists():  # as it is now
            raise TransitionError("This review link no longer works: ask for a new one.")
        return
    if not (user.is_active and user.is_staff and user.has_perm(permission)):
        raise TransitionError(refusal)


def _anchor(texts, quote, prefix, suffix):
    """The quote, prefix and suffix to keep, found in the first of `texts` holding it."""
    quote = _squeeze(strip_unprintable(quote))
    if not quote:
        return "", "", ""  # on the section as a whole
    if len(quote) > QUOTE_MAX_CHARS:
        raise TransitionError(
            f"The selected passage is {len(quote):,} characters long; select at most "
            f"{QUOTE_MAX_CHARS:,} (a sentence or a paragraph)."
        )
    for text in texts:
        found = find_passage(text, quote, prefix, suffix)
        if found:
            return (quote, *context_of(text, *found))
    raise TransitionError(
        "The passage you selected is no longer in the draft (it was edited since you opened "
        "the page). Your comment is below: reload the page and select the passage again."
    )


def _within_limit(link):
    if link is not None and link.comments.count() >= LINK_COMMENT_LIMIT:
        raise TransitionError(
            f"This link has taken {LINK_COMMENT_LIMIT} comments, as many as one link takes. "
            "Ask the reviewer who sent it for a new one."
        )


@transaction.atomic
def start_thread(answer, section, quote, body, *, user=None, link=None, prefix="", suffix=""):
    """A comment on `quote` in `section` of the draft (no quote: the whole section), by a
    member of the team (`user`) or an outside expert (`link`)."""
    _may(user, "answers.add_comment", "Only editors and medical reviewers can comment.", link)
    if section not in SECTIONS:
        raise TransitionError("Say which part of the answer the comment is on.")
    body = _body(body)
    _within_limit(link)
    # An expert selects in what the link shows; the team, in the draft.
    content = link.shows() if link is not None else {section: getattr(answer, section, "")}
    texts = texts_of(content.get(section, ""), section)
    quote, prefix, suffix = _anchor(texts, quote, prefix, suffix)
    latest = answer.latest_revision()
    comment = Comment.objects.create(
        answer=answer, section=section, quote=quote, prefix=prefix, suffix=suffix, body=body,
        author=user, expert=link, revision=latest.history_id if latest else None,
    )  # fmt: skip
    _announce(comment=comment, event="comment", actor=user)
    return comment


@transaction.atomic
def reply(thread, body, *, user=None, link=None):
    _may(user, "answers.add_comment", "Only editors and medical reviewers can reply.", link)
    if thread.thread_id is not None:
        thread = thread.thread
    if link is not None and thread.expert_id != link.pk:
        raise TransitionError("You can reply only to your own comments.")
    body = _body(body)
    _within_limit(link)
    latest = thread.answer.latest_revision()
    comment = Comment.objects.create(
        answer=thread.answer, thread=thread, body=body, author=user, expert=link,
        revision=latest.history_id if latest else None,
    )  # fmt: skip
    _announce(comment=comment, event="reply", actor=user)
    return comment


@transaction.atomic
def resolve(thread, user, resolved=True):
    """Resolve a thread (or open it again)."""
    _may(user, "answers.change_comment", "Only editors and medical reviewers can resolve comments.")
    thread = Comment.objects.select_for_update().get(pk=thread.pk)
    if thread.thread_id is not None:
        raise TransitionError("A reply is resolved with its thread.")
    if resolved == (thread.resolved_at is not None):
        return thread  # already so: a second click, or two people at once
    thread.resolved_at, thread.resolved_by = (timezone.now(), user) if resolved else (None, None)
    thread._history_user = user
    thread.save(update_fields=["resolved_at", "resolved_by"])
    if resolved:
        _announce(comment=thread, event="resolve", actor=user)
    return thread


@transaction.atomic
def share(answer, user, expert_name, days, expert_email="", follows_later_drafts=False):
    """A review link for an outside expert, recorded in the answer's workflow log."""
    _may(
        user, "answers.add_reviewlink", "Only medical reviewers can share a draft outside the team."
    )
    expert_name = " ".join(strip_unprintable(expert_name).split())[:150]
    if not expert_name:
        raise TransitionError("Name the expert: their comments will carry that name.")
    if not 1 <= days <= ReviewLink.LONGEST.days:
        raise TransitionError(f"A link lasts from 1 to {ReviewLink.LONGEST.days} days.")
    latest = answer.latest_revision()
    link = ReviewLink.objects.create(
        answer=answer, expert_name=expert_name, expert_email=expert_email, created_by=user,
        expires_at=timezone.now() + datetime.timedelta(days=days),
        content=answer.frozen_content(), revision=latest.history_id if latest else None,
        follows_later_drafts=follows_later_drafts,
    )  # fmt: skip
    which = "the latest draft, as it changes" if follows_later_drafts else "this draft"
    _log(
        answer, "share", user, f"Shared {which} with {expert_name}, until {_day(link.expires_at)}."
    )
    _announce(link=link, event="share", actor=user)
    return link


@transaction.atomic
def revoke(link, user):
    _may(user, "answers.change_reviewlink", "Only medical reviewers can revoke a review link.")
    link = ReviewLink.objects.select_for_update().get(pk=link.pk)
    if link.revoked_at:
        return link
    link.revoked_at, link.revoked_by = timezone.now(), user
    link._history_user = user
    link.save(update_fields=["revoked_at", "revoked_by"])
    _log(link.answer, "revoke_share", user, f"Revoked the review link of {link.expert_name}.")
    return link


def _day(moment):
    return timezone.localtime(moment).strftime("%-d %b %Y %H:%M %Z")


def _log(answer, action, user, comment):
    """In the workflow log, with no revision: sharing changes nothing of the answer (and the
    timeline shows a revision's own step)."""
    Transition.objects.create(
        answer=answer, action=action, from_status=answer.status, to_status=answer.status,
        user=user, comment=comment,
    )  # fmt: skip
