"""
The engine that takes the steps of `STEPS` (answers/workflow/steps.py): `Workflow` gives
`Answer` the steps as named methods (`answer.submit(user)`, `answer.approve(user)`, …),
`available_transitions(user)` for the admin, `record_edit()` as the one way an edit is
recorded, and `locked()` as the one optimistic lock, with one message, for the change form
and the steps alike.

An answer's *content* is everything its published version freezes
(`Answer.frozen_content()`): its own text and citations, the question's text, the topic's
name, the cited sources' records and the disclaimer. "Changed since submission" compares a
digest of all of it, and four eyes looks at who changed any of it.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from answers.people import person_name
from answers.workflow.states import (
    COMMENT_MAX_CHARS,
    UPDATE_NOTE_LENGTH,
    Status,
    TransitionError,
)
from answers.workflow.steps import STEPS, Given
from citations.characters import normalize_newlines, unprintable_character
from citations.markers import RenumberFailed, first_use_numbering, renumber_markers
from citations.models import Citation, Source

# Sent in the step's transaction once it is allowed, before it takes effect, with the
# answer, the action, the user, the comment and any go-live time: the desk decides then whom
# to tell, and tells them once the step commits (desk/notifications.py).
taking_step = Signal()


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


def _reviews(user):
    """A medical reviewer by role or permission (a superuser's every permission aside)."""
    if user is None:
        return False
    reviewers = get_user_model().objects.with_perm(
        "answers.review_answer", include_superusers=False
    )
    return reviewers.filter(pk=user.pk).exists()


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
        buttons the admin shows, each with why `user` may not take it (None if they may).
        The schedule's own steps are no buttons."""
        return [
            (action, step, self.refusal(action, user))
            for action, step in STEPS.items()
            if step.applies_to(self) and not step.by_schedule
        ]

    def refusal(self, action, user, given=None):
        """Why `user` (None: the schedule) may not take the step `action` now, or None if
        they may."""
        step = STEPS[action]
        if step.starts_from is not None and self.status not in step.starts_from:
            return f"Not possible while the answer is {self.get_status_display().lower()}."
        if step.by_schedule != (user is None):
            return step.no_permission
        if not step.by_schedule and not user.has_perm(step.permission):
            return step.no_permission
        for check in step.checks:
            refusal = check(self, user, given or Given())
            if refusal:
                return refusal
        return None

    @transaction.atomic
    def transition(
        self, action, user, comment="", expected_version=None, update_note="", go_live_at=None,
        expires_at=None, at=None,
    ):  # fmt: skip
        """Take a workflow step as `user` (None: the schedule, at the time `at`), or raise
        TransitionError saying why not."""
        step = STEPS.get(action)
        if step is None:
            raise TransitionError(f"There is no workflow step “{action}”.")
        comment = clean_comment(comment)
        update_note = " ".join(clean_comment(update_note).split())
        if len(update_note) > UPDATE_NOTE_LENGTH:
            raise TransitionError(
                f"The public update note is {len(update_note)} characters; keep it under "
                f"{UPDATE_NOTE_LENGTH + 1}."
            )
        if (go_live_at and "go_live_at" not in step.takes) or (
            expires_at and "expires_at" not in step.takes
        ):
            raise TransitionError("Only an approval can be scheduled.")
        given = Given(comment, update_note, go_live_at, expires_at, at)
        answer = self.locked(expected_version)
        refusal = answer.refusal(action, user, given)
        if refusal:
            raise TransitionError(refusal)
        if step.comment_required and not comment.strip():
            raise TransitionError(step.comment_required)
        check_schedule(go_live_at, expires_at)
        from_status = answer.status
        taking_step.send(
            sender=type(answer), answer=answer, action=action, user=user, comment=comment,
            go_live_at=go_live_at,
        )  # fmt: skip
        ends_in = step.effect(answer, user, given) if step.effect else None
        answer.status = ends_in or step.to
        reason = f"{step.label}: {comment}" if comment else step.label
        transition = answer._record(action, from_status, user, comment, reason)
        if step.after:
            step.after(answer, transition)
        self._refresh_from(answer)
        return transition

    @transaction.atomic
    def record_edit(self, user, reason="Content changed; a new approval is needed."):
        """The one way an edit is recorded, once the answer, its citations or content it
        shares (a source, its question, topic or disclaimer) were saved: the citations go on
        the latest revision, and content that is no longer what was submitted or approved
        sends the answer back to draft. Returns that transition, or None.

        A medical reviewer's edit of an answer in review keeps it in review, as they left
        it: four eyes then asks another reviewer to approve it, and the editors are told
        (the desk mails them on `taking_step`, action "edit_in_review")."""
        answer = self.locked()
        answer.record_snapshots()
        approved_before = {
            Status.IN_REVIEW: answer.submitted_fingerprint,
            Status.SCHEDULED: getattr(answer.scheduled_version, "fingerprint", ""),
            Status.PUBLISHED: getattr(answer.live_version, "fingerprint", ""),
        }.get(answer.status)
        transition = None
        changed = approved_before is not None and answer.fingerprint() != approved_before
        if changed and answer.status == Status.IN_REVIEW and _reviews(user):
            taking_step.send(
                sender=type(answer), answer=answer, action="edit_in_review", user=user,
                comment="", go_live_at=None,
            )  # fmt: skip
            answer.submitted_fingerprint = answer.fingerprint()
            transition = answer._record(
                "edit", Status.IN_REVIEW, user,
                "Edited in review by a medical reviewer: another reviewer approves it.",
                "Edited in review",
            )  # fmt: skip
        elif changed:
            # A scheduled approval no longer covers the content: it never goes live.
            answer.scheduled_version = None
            from_status, answer.status = answer.status, Status.DRAFT
            transition = answer._record("edit", from_status, user, reason, "Edited: back to draft")
        self._refresh_from(answer)
        return transition

    def translations_on_site(self):
        """This answer's translations that are on the site (or scheduled to go live)."""
        on_site = type(self).objects.filter(question__translation_of_id=self.question_id)
        return on_site.exclude(live_version=None, scheduled_version=None)

    def take_down_with_original(self, user, reason, comment):
        """Take this translation off the site because its original left it (withdrawn or
        expired), recorded as a withdrawal of its own; returns its address."""
        answer = self.locked()
        from_status = answer.status
        note = "Taken down with its original" + (f": {comment}" if comment else ".")
        # Its writers are told as of any withdrawal (desk/notifications.py).
        taking_step.send(
            sender=type(answer), answer=answer, action="withdraw", user=user, comment=note,
            go_live_at=None,
        )  # fmt: skip
        answer.live_version = answer.scheduled_version = None
        answer.expires_at = answer.expiry_set_by = None
        if from_status not in (Status.DRAFT, Status.IN_REVIEW):
            answer.status = Status.WITHDRAWN
        answer._record("withdraw", from_status, user, note, f"{reason} with its original")
        self._refresh_from(answer)
        return answer.get_absolute_url()

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
        name = person_name(who, nobody="Someone")
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
        self.record_snapshots()
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
        if wanted is None:
            return 0
        # The models by their relations: they import the workflow, not it them.
        Authorship = self.authorships.model
        ContributorProfile = Authorship._meta.get_field("contributor").related_model
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
