"""
The editorial workflow, declared once.

`STEPS` is the whole rulebook: for each step (submit, approve, send back, withdraw) the
states it starts from, the permission it needs, whether a comment is required, the checks
that block it and what it does. `Workflow` gives `Answer` the steps as named methods
(`answer.submit(user)`, `answer.approve(user)`, …), `available_transitions(user)` for the
admin, `record_edit()` as the one way an edit is recorded, and `locked()` as the one
optimistic lock, with one message, for the change form and the steps alike.

An answer's *content* is everything its published version freezes
(`Answer.frozen_content()`): its own text and citations, the question's text, the topic's
name, the cited sources' records and the disclaimer. "Changed since submission" compares a
digest of all of it, and four eyes looks at who changed any of it.
"""

import hashlib
import json
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.dispatch import Signal
from django.utils import timezone

from answers import attribution, jama, publication
from citations.characters import normalize_newlines, unprintable_character
from citations.markers import RenumberFailed, first_use_numbering, renumber_markers

COMMENT_MAX_CHARS = 2000

# Sent in the step's transaction once it is allowed, before it takes effect, with the
# answer, the action, the user, the comment and any go-live time: the desk decides then whom
# to tell, and tells them once the step commits (desk/notifications.py).
taking_step = Signal()


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    # Approved with a go-live time still to come: not public until then.
    SCHEDULED = "scheduled", "Approved, scheduled"
    PUBLISHED = "published", "Published"
    WITHDRAWN = "withdrawn", "Withdrawn"


class TransitionError(ValidationError):
    """A workflow step that is not allowed now; the message says why, for the editor."""


def content_fingerprint(content):
    """A digest of an answer's frozen content (see `Answer.frozen_content`)."""
    encoded = json.dumps(content, sort_keys=True, default=str).encode()
    return hashlib.sha256(encoded).hexdigest()


# The checks that can block a step: each says why not, or returns None.


def _on_the_site(answer, user):
    if not answer.is_published:
        return "Only an answer that is on the site can be withdrawn."
    return None


def _live(answer, user):
    if not answer.is_published:
        return "Only an answer that is on the site can be given a time to leave it."
    return None


def _no_go_live_pending(answer, user):
    if answer.scheduled_version_id:
        return (
            "An approval of this answer is scheduled to go live: set its expiry when it is "
            "live, or send it back and approve it again with one."
        )
    return None


def _citations_sound(answer, user):
    errors = answer.citation_errors()
    return "Fix the citation problems first: " + " ".join(errors) if errors else None


def _printable(answer, user):
    # Text saved before the forms refused such characters, or restored from then.
    for name in ("short_answer", "research", "doctor_questions"):
        problem = unprintable_character(normalize_newlines(getattr(answer, name)))
        if problem:
            label = answer._meta.get_field(name).verbose_name
            return f"“{label.capitalize()}” {problem}"
    return None


def _unchanged_since_submission(answer, user):
    submitted = (
        answer.submitted_fingerprint
        if answer.status == Status.IN_REVIEW
        else getattr(answer.live_version, "fingerprint", "")
    )
    if answer.fingerprint() != submitted:
        return (
            "The answer changed after it was submitted (its text, citations, question, topic, "
            "sources or disclaimer); send it back so that it can be submitted again."
        )
    return None


def _four_eyes(answer, user):
    if user.pk in answer.content_editors():
        return (
            "You changed this answer's content (its text, citations, question, topic, a cited "
            "source or its disclaimer) since it was last approved, so another medical "
            "reviewer must approve it (four eyes)."
        )
    return None


def _every_paragraph_cited(answer, user):
    uncited = attribution.unmarked(answer.research)
    if not uncited:
        return None
    listed = "; ".join(f"“{block.excerpt}”" for block in uncited[:3])
    more = f" and {len(uncited) - 3} more" if len(uncited) > 3 else ""
    return (
        f"In “What the research says”, {len(uncited)} paragraph(s) cite nothing: {listed}"
        f"{more}. Add a citation, or end the paragraph with {attribution.NO_CITATION} if it "
        "needs none (a transition sentence, say); the reviewer will see it."
    )


def _has_reviewer_profile(answer, user):
    if not hasattr(user, "contributor_profile"):
        return "Add your reviewer profile (name and credentials) before approving."
    return None


def _meets_jama(answer, user):
    profile = getattr(user, "contributor_profile", None)
    if profile is None:
        return None  # _has_reviewer_profile says so
    content = answer.frozen_content()
    missing = jama.shortfalls(
        content["authors"], profile.as_published(), content["references"], dated=True
    )
    if missing:
        return "It cannot be published without " + "; ".join(text for _, text in missing) + "."
    return None


# What each step does to the locked answer, besides the status.


# An effect may return the status the step ends in, when it is not the step's own.


def _freeze_submission(answer, user, comment, update_note="", **schedule):
    answer.submitted_fingerprint = answer.fingerprint()


def _publish(answer, user, comment, update_note="", go_live_at=None, expires_at=None):
    """Freeze the approved version: live now, or scheduled for `go_live_at` (the version
    live until then, if any, stays live)."""
    version = answer.build_version(reviewer=user, update_note=update_note)
    version.comment = comment
    version.go_live_at = go_live_at
    version.live_from = None if go_live_at else version.approved_at
    version.save()
    version.refresh_search_vector()
    if expires_at:
        answer.expires_at, answer.expiry_set_by = expires_at, user
    if go_live_at:
        answer.scheduled_version = version
        return Status.SCHEDULED
    answer.live_version, answer.scheduled_version = version, None
    publication.record()
    return None


def _cancel_schedule(answer, user, comment, update_note="", **schedule):
    answer.scheduled_version = None


def _take_down(answer, user, comment, update_note="", **schedule):
    answer.live_version = answer.scheduled_version = None
    answer.expires_at = answer.expiry_set_by = None
    publication.record(taken_down=[answer.get_absolute_url()], reason="Withdrawn")


def _set_expiry(answer, user, comment, update_note="", expires_at=None, **schedule):
    """When a live answer leaves the site (`manage.py run_schedule`), or no expiry."""
    answer.expires_at = expires_at
    answer.expiry_set_by = user if expires_at else None
    return answer.status  # the answer stays as it is until then


UPDATE_NOTE_LENGTH = 300


@dataclass(frozen=True)
class Step:
    label: str
    to: str
    permission: str
    no_permission: str
    # The states it starts from; None: any state, while a version is live.
    starts_from: frozenset | None
    # If set, a comment is required, and this says what it is for.
    comment_required: str = ""
    checks: tuple = ()
    effect: object = None
    explanation: str = ""

    def applies_to(self, answer):
        if self.starts_from is None:
            return answer.is_published
        return answer.status in self.starts_from


STEPS = {
    "submit": Step(
        label="Submit for review",
        starts_from=frozenset({Status.DRAFT, Status.WITHDRAWN}),
        to=Status.IN_REVIEW,
        permission="answers.submit_answer",
        no_permission="Only editors can submit answers for review.",
        checks=(_printable, _citations_sound, _every_paragraph_cited),
        effect=_freeze_submission,
        explanation="A medical reviewer will be asked to approve the answer as it is now.",
    ),
    "approve": Step(
        label="Approve and publish",
        starts_from=frozenset({Status.IN_REVIEW, Status.PUBLISHED}),
        to=Status.PUBLISHED,
        permission="answers.review_answer",
        no_permission="Only medical reviewers can approve answers.",
        checks=(
            _printable,
            _citations_sound,
            _unchanged_since_submission,
            _four_eyes,
            _has_reviewer_profile,
            _meets_jama,
        ),
        effect=_publish,
        explanation="The answer will be published exactly as it is now, as reviewed by you "
        "on today's date.",
    ),
    "send_back": Step(
        label="Send back to the editor",
        starts_from=frozenset({Status.IN_REVIEW, Status.SCHEDULED}),
        to=Status.DRAFT,
        permission="answers.review_answer",
        no_permission="Only medical reviewers can send answers back.",
        comment_required="Say what needs to change: the comment goes to the editor.",
        effect=_cancel_schedule,
        explanation="The answer goes back to draft (an approval waiting for its go-live time "
        "is cancelled); your comment tells the editor what to change.",
    ),
    "withdraw": Step(
        label="Withdraw from the site",
        starts_from=None,
        to=Status.WITHDRAWN,
        permission="answers.withdraw_answer",
        no_permission="Only medical reviewers can withdraw answers.",
        comment_required="Say why the answer leaves the site: the comment stays in its history.",
        checks=(_on_the_site,),
        effect=_take_down,
        explanation="The answer leaves the public site at once, and a scheduled approval or "
        "expiry is cancelled. Its draft and history are kept.",
    ),
    "set_expiry": Step(
        label="Set when it leaves the site",
        starts_from=None,
        to="",  # the status stays: `_set_expiry` says so
        permission="answers.withdraw_answer",
        no_permission="Only medical reviewers can set when an answer leaves the site.",
        checks=(_live, _no_go_live_pending),
        effect=_set_expiry,
        explanation="The answer stays on the site until the time you choose, then leaves it "
        "as if withdrawn (its draft and history are kept). Leave the time empty to remove an "
        "expiry. Nothing patients read changes, so it needs no new approval.",
    ),
}


def check_schedule(go_live_at, expires_at, now=None):
    """TransitionError unless the go-live and expiry times are both still to come, with
    the expiry after the go-live."""
    now = now or timezone.now()
    for when in (go_live_at, expires_at):
        if when is not None and timezone.is_naive(when):
            raise TransitionError("A scheduled time must say its time zone.")
    if go_live_at is not None and go_live_at <= now:
        raise TransitionError(
            "The go-live time has passed. Leave it empty to publish now, or choose a later time."
        )
    if expires_at is not None and expires_at <= (go_live_at or now):
        raise TransitionError(
            "The expiry time must come after the answer goes live"
            + (" (the go-live time)." if go_live_at else ".")
        )


def clean_comment(comment):
    """A workflow comment as stored, or TransitionError saying what is wrong with it."""
    comment = normalize_newlines(comment or "")
    problem = unprintable_character(comment)
    if problem:
        raise TransitionError(f"The comment {problem}")
    if len(comment) > COMMENT_MAX_CHARS:
        raise TransitionError(
            f"The comment is {len(comment):,} characters long; the limit is "
            f"{COMMENT_MAX_CHARS:,}. Shorten it."
        )
    return comment


class Workflow:
    """The steps, the edit record and the lock of `Answer` (see the module's docstring)."""

    def submit(self, user, comment="", expected_version=None):
        return self.transition("submit", user, comment, expected_version)

    def approve(
        self, user, comment="", expected_version=None, update_note="", go_live_at=None,
        expires_at=None,
    ):  # fmt: skip
        """`update_note`: what patients read of this update ("Added the 2026 trial
        results"), shown with its date on the page and in the feed. `go_live_at`: a time
        to come at which the approved version goes live (`manage.py run_schedule`);
        `expires_at`: when it leaves the site."""
        return self.transition(
            "approve", user, comment, expected_version, update_note, go_live_at, expires_at
        )

    def send_back(self, user, comment="", expected_version=None):
        return self.transition("send_back", user, comment, expected_version)

    def withdraw(self, user, comment="", expected_version=None):
        return self.transition("withdraw", user, comment, expected_version)

    def available_transitions(self, user):
        """[(action, step, refusal)] for the steps that apply to the answer's state: the
        buttons the admin shows, each with why `user` may not take it (None if they may)."""
        return [
            (action, step, self.refusal(action, user))
            for action, step in STEPS.items()
            if step.applies_to(self)
        ]

    def refusal(self, action, user):
        """Why `user` may not take the step `action` now, or None if they may."""
        step = STEPS[action]
        if step.starts_from is not None and self.status not in step.starts_from:
            return f"Not possible while the answer is {self.get_status_display().lower()}."
        if not user.has_perm(step.permission):
            return step.no_permission
        for check in step.checks:
            refusal = check(self, user)
            if refusal:
                return refusal
        return None

    @transaction.atomic
    def transition(
        self, action, user, comment="", expected_version=None, update_note="", go_live_at=None,
        expires_at=None,
    ):  # fmt: skip
        """Take a workflow step, or raise TransitionError saying why not."""
        step = STEPS.get(action)
        if step is None:
            raise TransitionError(f"There is no workflow step “{action}”.")
        comment = clean_comment(comment)
        answer = self.locked(expected_version)
        refusal = answer.refusal(action, user)
        if refusal:
            raise TransitionError(refusal)
        if step.comment_required and not comment.strip():
            raise TransitionError(step.comment_required)
        from_status = answer.status
        update_note = " ".join(clean_comment(update_note).split())
        if len(update_note) > UPDATE_NOTE_LENGTH:
            raise TransitionError(
                f"The public update note is {len(update_note)} characters; keep it under "
                f"{UPDATE_NOTE_LENGTH + 1}."
            )
        if (go_live_at and action != "approve") or (
            expires_at and action not in ("approve", "set_expiry")
        ):
            raise TransitionError("Only an approval can be scheduled.")
        check_schedule(go_live_at, expires_at)
        taking_step.send(
            sender=type(answer), answer=answer, action=action, user=user, comment=comment,
            go_live_at=go_live_at,
        )  # fmt: skip
        ends_in = None
        if step.effect:
            ends_in = step.effect(
                answer, user, comment, update_note=update_note, go_live_at=go_live_at,
                expires_at=expires_at,
            )  # fmt: skip
        answer.status = ends_in or step.to
        reason = f"{step.label}: {comment}" if comment else step.label
        transition = answer._record(action, from_status, user, comment, reason)
        if action == "approve":  # the revision the approval recorded (same content as read)
            approved = answer.scheduled_version or answer.live_version
            approved.answer_revision = transition.revision
            approved.save(update_fields=["answer_revision"])
        self._refresh_from(answer)
        return transition

    @transaction.atomic
    def record_edit(self, user, reason="Content changed; a new approval is needed."):
        """The one way an edit is recorded, once the answer, its citations or content it
        shares (a source, its question, topic or disclaimer) were saved: the citations go on
        the latest revision, and content that is no longer what was submitted or approved
        sends the answer back to draft. Returns that transition, or None."""
        answer = self.locked()
        answer.record_citations()
        approved_before = {
            Status.IN_REVIEW: answer.submitted_fingerprint,
            Status.SCHEDULED: getattr(answer.scheduled_version, "fingerprint", ""),
            Status.PUBLISHED: getattr(answer.live_version, "fingerprint", ""),
        }.get(answer.status)
        transition = None
        if approved_before is not None and answer.fingerprint() != approved_before:
            # A scheduled approval no longer covers the content: it never goes live.
            answer.scheduled_version = None
            from_status, answer.status = answer.status, Status.DRAFT
            transition = answer._record("edit", from_status, user, reason, "Edited: back to draft")
        self._refresh_from(answer)
        return transition

    def locked(self, expected_version=None):
        """This answer, re-read and row-locked until the transaction ends. With
        `expected_version` (the version a person started from, as a form posts it) a save
        or step based on an older version is refused, and so is a missing version."""
        answer = (
            type(self)
            .objects.select_for_update(of=("self",))
            .select_related("live_version")
            .get(pk=self.pk)
        )
        if expected_version is None:
            return answer
        try:
            started_from = int(expected_version)
        except (TypeError, ValueError):
            raise TransitionError(
                "This page did not say which version of the answer it showed, so nothing was "
                "saved. Reload the answer and try again."
            ) from None
        if started_from != answer.version:
            raise TransitionError(answer.stale_message())
        return answer

    def stale_message(self):
        latest = self.latest_revision()
        who = latest.history_user if latest else None
        name = (who.get_full_name() or who.get_username()) if who else "Someone"
        when = timezone.localtime(latest.history_date).strftime("%H:%M on %d %b %Y")
        return (
            f"{name} saved this answer at {when}, after you opened it. Nothing of yours was "
            "saved. Open the answer in a new tab to see their changes, then make yours again."
        )

    def _record(self, action, from_status, user, comment, reason):
        """Save the status change as a revision and log the transition."""
        self._transition = True
        self._change_reason = reason[:100]
        self._history_user = user
        try:
            self.save()
        finally:
            self._transition = False
        self.record_citations()
        return self.transitions.create(
            action=action,
            from_status=from_status,
            to_status=self.status,
            user=user,
            comment=comment,
            revision=self.latest_revision().history_id,
        )

    def _refresh_from(self, locked):
        self.refresh_from_db()
        self.live_version = locked.live_version
        self._loaded_status = self.status

    @transaction.atomic
    def renumber_by_first_use(self, user, expected_version=None):
        """Number citations in order of first use (AMA), rewriting markers and numbers
        together as one revision. Returns False if they already were."""
        answer = self.locked(expected_version)
        citations = list(answer.citations.all())
        mapping = first_use_numbering(answer.research, [c.number for c in citations])
        if all(old == new for old, new in mapping.items()):
            return False
        try:
            research = renumber_markers(answer.research, mapping)
        except RenumberFailed as error:
            raise TransitionError(str(error)) from None
        reason = "Renumbered citations by order of first use"
        # Two passes, out of the way and then into place: no two citations of the answer
        # ever share a number (the unique constraint is checked at each save).
        for shift in (lambda number: 1000 + mapping[number], lambda number: number - 1000):
            for citation in citations:
                citation.number = shift(citation.number)
                citation._change_reason, citation._history_user = reason, user
                citation.save()
        answer.research = research
        answer._change_reason, answer._history_user = reason, user
        answer.save()
        answer.record_edit(user)
        self._refresh_from(answer)
        return True

    @transaction.atomic
    def restore(self, record, user, expected_version=None):
        """Make an old revision's content, citations and writers the current draft. Never
        touches the live version. Returns what could not be restored, as messages: a
        citation whose source or a writer whose profile was deleted since."""
        from citations.models import Citation, Source

        if not user.has_perm("answers.change_answer"):
            raise PermissionDenied
        answer = self.locked(expected_version)
        for name in self.EDITABLE_CONTENT:
            setattr(answer, name, getattr(record, name))
        when = timezone.localtime(record.history_date).strftime("%d %b %Y %H:%M")
        reason = f"Restored the revision of {when}"
        existing = {c.number: c for c in answer.citations.all()}
        wanted = {row["number"]: row for row in record.citations_snapshot}
        available = set(
            Source.objects.filter(pk__in=[r["source"] for r in wanted.values()]).values_list(
                "pk", flat=True
            )
        )
        missing = sorted(n for n, row in wanted.items() if row["source"] not in available)
        for number, citation in existing.items():
            if number not in wanted or number in missing:
                citation._change_reason, citation._history_user = reason, user
                citation.delete()
        for number, row in wanted.items():
            citation = existing.get(number) or Citation(answer=answer, number=number)
            if number in missing or (
                citation.pk
                and (citation.source_id, citation.locator) == (row["source"], row["locator"])
            ):
                continue
            citation.source_id, citation.locator = row["source"], row["locator"]
            citation._change_reason, citation._history_user = reason, user
            citation.save()
        lost_writers = answer._restore_writers(record.authors_snapshot, user, reason)
        from_status, answer.status = answer.status, Status.DRAFT
        answer._record("restore", from_status, user, reason, reason)
        self._refresh_from(answer)
        return [
            f"Citation {number} was not restored: its source has been deleted."
            for number in missing
        ] + [
            f"{lost} of the writers of that revision {'was' if lost == 1 else 'were'} not "
            "restored: their profile has been deleted."
            for lost in [lost_writers]
            if lost
        ]

    def _restore_writers(self, wanted, user, reason):
        """Make the writers those of a revision (contributor ids in order); returns how
        many of them no longer exist. A revision that kept no writers leaves them be."""
        from answers.models import Authorship, ContributorProfile

        if wanted is None:
            return 0
        available = set(
            ContributorProfile.objects.filter(pk__in=wanted).values_list("pk", flat=True)
        )
        kept = [pk for pk in wanted if pk in available]
        for authorship in self.authorships.exclude(contributor_id__in=kept):
            authorship._change_reason, authorship._history_user = reason, user
            authorship.delete()
        existing = {a.contributor_id: a for a in self.authorships.all()}
        for order, contributor_id in enumerate(kept, start=1):
            authorship = existing.get(contributor_id) or Authorship(
                answer=self, contributor_id=contributor_id
            )
            if authorship.pk and authorship.order == order:
                continue
            authorship.order = order
            authorship._change_reason, authorship._history_user = reason, user
            authorship.save()
        return len(wanted) - len(kept)
