"""
Email to the people a workflow step concerns, through Django's email framework.

- submitted: every medical reviewer who may approve it (not those who changed its
  content since the last approval: four eyes would refuse them, nor those whose profile
  does not list its language), with a link to review;
- sent back: the editors who worked on the draft, with the reviewer's comment;
- approved or withdrawn: the same editors.

And of the review conversation (answers/conversation.py), once it commits:

- a comment on a passage: the draft's editors (and, from an outside expert, the reviewer
  who shared the draft with them);
- a reply: everyone in the thread, and the draft's editors;
- resolved: whoever started the thread;
- a review link with the expert's address: the expert, with the link.

Who to tell is decided inside the step's transaction (after an approval, nobody has
edited "since the last approval" any more); the mail goes out only once it commits, so a
step that fails sends nothing. A mail that cannot be sent is logged and never undoes or
blocks the step. Each person can switch notifications off in their contributor profile.
The weekly digest for reviewers is `manage.py send_review_digest`.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone

from answers.conversation import conversation_changed
from answers.people import person_name
from answers.workflow import taking_step

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str
    footer: str = ""  # empty: the team's (how to stop them)


def absolute(path):
    return settings.SITE_URL.rstrip("/") + path


def wants_mail(users):
    """Active users with an address who have not switched notifications off."""
    return (
        users.filter(is_active=True)
        .exclude(email="")
        .exclude(contributor_profile__email_notifications=False)
    )


def reviewers(exclude=()):
    User = get_user_model()
    may_review = User.objects.with_perm("answers.review_answer", include_superusers=False)
    return wants_mail(may_review).exclude(pk__in=list(exclude)).order_by("pk")


def draft_editors(answer, acting):
    """Who worked on this draft: everyone who changed its content since the last approval,
    and its writers (for a step on an answer nobody has edited since)."""
    User = get_user_model()
    editors = set(answer.content_editors()) | set(
        answer.authorships.exclude(contributor__user=None).values_list(
            "contributor__user", flat=True
        )
    )
    editors.discard(None)
    editors.discard(getattr(acting, "pk", None))
    return wants_mail(User.objects.filter(pk__in=editors)).order_by("pk")


def name_of(user):
    """Who took a step, as its mail says: a person, or the schedule."""
    return person_name(user, nobody="qasite (scheduled)")


def _review_request(answer, user, comment, go_live_at):
    """submit: every medical reviewer who may approve it, with a link to the review."""
    question = answer.question.text
    review_url = absolute(reverse("admin:answers_answer_transition", args=[answer.pk, "approve"]))
    body = (
        f"{name_of(user)} submitted an answer for medical review:\n\n"
        f"  {question}\n\n"
        f"Review it (approve, or send it back with a comment):\n{review_url}\n"
    )
    if comment:
        body += f"\nTheir note: {comment}\n"
    language = answer.question.language
    return [
        Mail(r.email, f"Waiting for your review: {question}", body)
        for r in reviewers(exclude=answer.content_editors()).select_related("contributor_profile")
        if reviews_in(r, language)
    ]


def reviews_in(user, language):
    """False for a reviewer whose profile does not list `language`: they may not approve an
    answer in it (answers/workflow/steps.py). Without a profile, they are told to make one."""
    profile = getattr(user, "contributor_profile", None)
    return profile is None or profile.reviews_in(language)


def _outcome(subject, did, comment_label="Their comment"):
    """A step's outcome, for the draft's editors and writers."""

    def mails(answer, user, comment, go_live_at):
        question = answer.question.text
        headline, done = subject, did
        if go_live_at:  # an approval that goes live later
            when = timezone.localtime(go_live_at).strftime("%-d %b %Y %H:%M %Z")
            headline, done = (
                f"Approved, live from {when}",
                f"approved this answer to go live at {when}",
            )
        body = f"{name_of(user)} {done}:\n\n  {question}\n\n"
        if comment:
            body += f"{comment_label}:\n{comment}\n\n"
        change_url = absolute(reverse("admin:answers_answer_change", args=[answer.pk]))
        body += f"The answer in the admin:\n{change_url}\n"
        return [Mail(e.email, f"{headline}: {question}", body) for e in draft_editors(answer, user)]

    return mails


# What each step of the workflow mails, and to whom; the steps not here mail no one.
MAILS = {
    "submit": _review_request,
    "send_back": _outcome(
        "Sent back to you", "sent this answer back to draft", "What needs to change"
    ),
    "approve": _outcome("Approved and published", "approved and published this answer"),
    "withdraw": _outcome("Withdrawn from the site", "withdrew this answer from the site"),
    # A reviewer's edit keeps the answer in review; another reviewer approves it.
    "edit_in_review": _outcome(
        "Edited in review",
        "edited this answer while it was in review; it stays in review, and another medical "
        "reviewer approves it (four eyes)",
    ),
}


def mails_for(answer, action, user, comment, go_live_at=None):
    """The messages a step sends, decided before it changes the answer."""
    mails = MAILS.get(action)
    return mails(answer, user, comment, go_live_at) if mails else []


@receiver(taking_step)
def notify(sender, answer, action, user, comment="", go_live_at=None, **kwargs):
    """Decide now who a step concerns; send once the step's transaction commits."""
    if not settings.EMAIL_NOTIFICATIONS:
        return
    try:
        mails = mails_for(answer, action, user, comment, go_live_at)
    except Exception:  # deciding who to tell must never stop the step itself
        logger.exception("Could not work out who to notify of %s on answer %s", action, answer.pk)
        return
    if mails:
        transaction.on_commit(lambda: send(mails))


def send(mails):
    """Send each mail on its own (no one sees another's address); log, never raise."""
    sent = 0
    try:
        with get_connection(fail_silently=False) as connection:
            for mail in mails:
                message = EmailMessage(
                    subject=" ".join(mail.subject.split())[:200],  # one line, whatever it quotes
                    body=f"{mail.body}\n{mail.footer or FOOTER}",
                    to=[mail.to],
                    connection=connection,
                )
                message.send()
                sent += 1
    except Exception:
        logger.exception("Sent %s of %s notification(s); the rest failed", sent, len(mails))
    return sent


FOOTER = (
    "--\nqasite editorial notifications. To stop them, untick “Email notifications” "
    "in your contributor profile."
)


def _thread_people(thread):
    """The team members in a thread: who started it or replied, and for an outside
    expert's thread the reviewer who shared the draft."""
    people = {c.author_id for c in [thread, *thread.replies.all()]}
    if thread.expert_id:
        people.add(thread.expert.created_by_id)
    people.discard(None)
    return people


def conversation_mails(event, actor, comment=None, link=None):
    """The messages a change to the conversation sends."""
    User = get_user_model()
    if event == "share":
        if not link.expert_email:
            return []
        url = absolute(reverse("desk:outside-review", args=[link.token]))
        until = timezone.localtime(link.expires_at).strftime("%-d %b %Y")
        body = (
            f"{name_of(actor)} asks you to read a draft answer before it is published:\n\n"
            f"  {link.answer.question.text}\n\nRead it and comment on any passage (no account "
            f"needed), until {until}:\n{url}\n"
        )
        footer = f"--\nSent for {link.shared_by} by qasite. The link stops working on {until}."
        subject = f"Please review: {link.answer.question.text}"
        return [Mail(link.expert_email, subject, body, footer=footer)]
    answer, thread = comment.answer, comment.thread or comment
    if event == "comment":
        people = set(draft_editors(answer, actor).values_list("pk", flat=True))
        if comment.expert_id:
            people.add(comment.expert.created_by_id)
    elif event == "reply":
        people = _thread_people(thread) | set(
            draft_editors(answer, actor).values_list("pk", flat=True)
        )
    else:  # resolve
        people = {thread.author_id} - {None}
    people.discard(getattr(actor, "pk", None))
    if not people:
        return []
    question = answer.question.text
    said = {"comment": "commented on", "reply": "replied on", "resolve": "resolved a comment on"}
    body = f"{comment.by} {said[event]} the draft of:\n\n  {question}\n\n"
    if thread.quote:
        body += f"On the passage: “{thread.quote}”\n\n"
    if event != "resolve":
        body += f"{comment.body}\n\n"
    url = absolute(reverse("admin:answers_answer_comments", args=[answer.pk]))
    body += f"The conversation in the admin:\n{url}#comment-{thread.pk}\n"
    subject = {"comment": "New comment", "reply": "New reply", "resolve": "Comment resolved"}
    return [
        Mail(user.email, f"{subject[event]}: {question}", body)
        for user in wants_mail(User.objects.filter(pk__in=people)).order_by("pk")
    ]


@receiver(conversation_changed)
def notify_conversation(sender, event, actor, comment=None, link=None, **kwargs):
    """Sent after the commit already: send now, never raise."""
    if not settings.EMAIL_NOTIFICATIONS:
        return
    try:
        mails = conversation_mails(event, actor, comment, link)
    except Exception:
        logger.exception("Could not work out who to notify of a %s", event)
        return
    if mails:
        send(mails)
