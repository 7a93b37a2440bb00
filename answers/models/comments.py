"""
The review conversation: comments on a passage of a draft, their replies, and the links
that let an outside expert read a draft and comment on it without an account.

A comment is anchored as the W3C Web Annotation model anchors a "TextQuoteSelector": the
passage itself (`quote`) with a few characters before and after it (`prefix`, `suffix`).
The draft around it can be edited freely: the comment finds its passage again wherever it
now is (`Comment.locate`), and says so when the passage is gone.
"""

import datetime
import re

from django.conf import settings
from django.core import signing
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from answers import attribution, rendering
from answers.people import person_name

# The sections a comment can be on, as the change form and the page name them.
SECTIONS = {
    "short_answer": "The short answer",
    "research": "What the research says",
    "doctor_questions": "Questions to ask your doctor",
}
QUOTE_MAX_CHARS = 1000
CONTEXT_CHARS = 40
# Of a passage found in more places than this (a single letter, say), the first ones.
MAX_PLACES = 500
# What one review link may post: an outside expert's review, not a flood.
LINK_COMMENT_LIMIT = 200
# The ends of blocks, which the page shows apart: "Is it safe?" "What does it cost?"
BLOCK_ENDS = re.compile(r"</(?:p|li|h[1-6]|blockquote|td|th)>|<br\s*/?>", re.IGNORECASE)


def _squeeze(text):
    """Whitespace as one space: a passage still matches once a line break moved."""
    return " ".join(str(text).split())


def texts_of(source, section):
    """The texts a passage of `section` may be found in: the Markdown the editor types
    (`source`), then the words the page shows (a passage selected on the preview)."""
    source = source or ""
    if section == "short_answer":
        html = rendering.render_plain_markdown(source)
    elif section == "doctor_questions":
        html = rendering.render_list(source)
    else:
        html = rendering.render_markdown(attribution.without_marks(source))
    return [_squeeze(source), rendering.plain_text(BLOCK_ENDS.sub(" ", str(html)))]


def find_passage(text, quote, prefix="", suffix=""):
    """Where `quote` is in `text` as (start, end), or None. Of several places, the one
    whose surroundings best match `prefix` and `suffix`."""
    quote = _squeeze(quote)
    if not quote:
        return None
    # The context counts only as far as it anchors: a posted megabyte costs nothing more.
    prefix = _squeeze(prefix[-4 * CONTEXT_CHARS :])[-CONTEXT_CHARS:]
    suffix = _squeeze(suffix[: 4 * CONTEXT_CHARS])[:CONTEXT_CHARS]
    best, best_score = None, -1
    start = text.find(quote)
    for _ in range(MAX_PLACES):
        if start == -1:
            break
        end = start + len(quote)
        before = text[max(0, start - CONTEXT_CHARS - 1) : start].rstrip()
        after = text[end : end + CONTEXT_CHARS + 1].lstrip()
        score = _common_suffix(before, prefix) + _common_prefix(after, suffix)
        if score > best_score:
            best, best_score = (start, end), score
        start = text.find(quote, start + 1)
    return best


def _common_prefix(a, b):
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def _common_suffix(a, b):
    return _common_prefix(a[::-1], b[::-1])


def context_of(text, start, end):
    """The `prefix` and `suffix` that anchor text[start:end]."""
    return text[max(0, start - CONTEXT_CHARS) : start], text[end : end + CONTEXT_CHARS]


class ReviewLinkQuerySet(models.QuerySet):
    def usable(self, now=None):
        return self.filter(revoked_at=None, expires_at__gt=now or timezone.now())


class ReviewLink(models.Model):
    """A draft shared with a named outside expert: a signed link that expires and can be
    revoked, showing the draft as it was shared (or, if the reviewer allowed it, as it is
    now) at its public layout, where the expert comments on passages without an account."""

    SALT = "qasite.review-link"
    LONGEST = datetime.timedelta(days=30)

    answer = models.ForeignKey(
        "answers.Answer", on_delete=models.CASCADE, related_name="review_links"
    )
    expert_name = models.CharField(
        max_length=150, help_text="As the expert will be named in the conversation."
    )
    expert_email = models.EmailField(blank=True, help_text="Optional: for your records.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # What the expert reads: the answer's frozen content when it was shared (the keys of
    # `Answer.frozen_content()`), and the revision that was.
    content = models.JSONField()
    revision = models.PositiveIntegerField(null=True)
    follows_later_drafts = models.BooleanField(
        default=False,
        help_text="Show the latest draft, not only the one shared now. Leave unticked unless "
        "you want the expert to see later changes without a new link.",
    )

    objects = ReviewLinkQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.expert_name} ({self.created_at:%d %b %Y})"

    @property
    def token(self):
        """The link's id, signed with the site's secret key: the same each time it is shown."""
        return signing.Signer(salt=self.SALT).sign(str(self.pk))

    @classmethod
    def from_token(cls, token):
        """The link a token names, whatever its state, or None if the token is not ours."""
        try:
            pk = int(signing.Signer(salt=cls.SALT).unsign(token))
        except (signing.BadSignature, ValueError):
            return None
        return cls.objects.select_related("answer__question", "created_by").filter(pk=pk).first()

    @property
    def state(self):
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "open"

    @property
    def shared_by(self):
        """Who shared it, as the expert reads it: their published name, else their full
        name; never a login."""
        user = self.created_by
        profile = getattr(user, "contributor_profile", None)
        return (profile.display_name if profile else user.get_full_name()) or "the editorial team"

    def shows(self):
        """The content the expert reads now."""
        return self.answer.frozen_content() if self.follows_later_drafts else self.content


class CommentQuerySet(models.QuerySet):
    def threads(self):
        return self.filter(thread=None)

    def open(self):
        return self.filter(thread=None, resolved_at=None)


class Comment(models.Model):
    """A comment on a passage of an answer's draft (a thread), or a reply to one. Made by a
    member of the team or by an outside expert through a review link. Threads are resolved,
    replies are not."""

    answer = models.ForeignKey("answers.Answer", on_delete=models.CASCADE, related_name="comments")
    thread = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    section = models.CharField(max_length=20, choices=list(SECTIONS.items()), blank=True)
    quote = models.TextField(blank=True, help_text="The passage commented on, as selected.")
    prefix = models.CharField(max_length=CONTEXT_CHARS * 2, blank=True)
    suffix = models.CharField(max_length=CONTEXT_CHARS * 2, blank=True)
    body = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    expert = models.ForeignKey(
        ReviewLink, on_delete=models.PROTECT, null=True, blank=True, related_name="comments"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # The answer revision (history id) the comment was made on.
    revision = models.PositiveIntegerField(null=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = CommentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            # Open threads of an answer (the approval check, the lists' counts).
            models.Index(
                fields=["answer"],
                condition=Q(thread=None, resolved_at=None),
                name="comment_open_threads",
            ),
        ]

    def __str__(self):
        return f"{self.by} on {self.created_at:%d %b %Y %H:%M}"

    @property
    def by(self):
        if self.expert_id:
            return f"{self.expert.expert_name} (outside expert)"
        return person_name(self.author)

    @property
    def resolver(self):
        """Who resolved it, as an outside expert may read it: a name, never a login."""
        user = self.resolved_by
        return (user.get_full_name() if user else "") or "the editorial team"

    @property
    def is_open(self):
        return self.thread_id is None and self.resolved_at is None

    def locate(self, answer=None):
        """Where the passage is in the draft now: (section text, start, end), None if it is
        gone. A thread with no passage (on the whole answer) is always found."""
        answer = answer or self.answer
        for text in texts_of(getattr(answer, self.section, ""), self.section):
            found = find_passage(text, self.quote, self.prefix, self.suffix)
            if found:
                return text, *found
        return None

    def record(self):
        """The thread as the audit record keeps it."""
        return {
            "by": self.by,
            "at": self.created_at.isoformat(),
            "section": SECTIONS.get(self.section, ""),
            "quote": self.quote,
            "comment": self.body,
            "revision": self.revision,
            "resolved_by": person_name(self.resolved_by) if self.resolved_at else "",
            "resolved_at": self.resolved_at.isoformat() if self.resolved_at else "",
            "replies": [
                {"by": reply.by, "at": reply.created_at.isoformat(), "comment": reply.body}
                for reply in self.replies.all()
            ],
        }


def conversation_record(answer, since):
    """The threads made on `answer` after `since` (None: ever), as the audit record of the
    approval keeps them, and the outside experts it was shared with then."""
    threads = answer.comments.threads().select_related("author", "expert", "resolved_by")
    links = answer.review_links.select_related("created_by")
    if since is not None:
        # Started, answered, resolved or opened again since (a thread's history says when).
        touched = Q(created_at__gt=since) | Q(resolved_at__gt=since)
        touched |= Q(pk__in=answer.comments.filter(created_at__gt=since).values("thread_id"))
        touched |= Q(pk__in=Comment.history.filter(history_date__gt=since).values("id"))
        threads = threads.filter(touched)
        links = links.filter(
            Q(created_at__gt=since)
            | Q(pk__in=answer.comments.filter(created_at__gt=since).values("expert_id"))
        )
    return {
        "comments": [thread.record() for thread in threads.prefetch_related("replies")],
        "shared_with": [
            {
                "expert": link.expert_name,
                "by": person_name(link.created_by),
                "at": link.created_at.isoformat(),
                "until": link.expires_at.isoformat(),
                "revoked_at": link.revoked_at.isoformat() if link.revoked_at else "",
            }
            for link in links
        ],
    }
