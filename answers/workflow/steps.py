"""
The workflow's rulebook, `STEPS`: for each step the states it starts from, who may take it
(a permission, or the schedule alone), whether a comment is required, the checks that can
block it, what it does, and what the admin asks for with it. Every status change is a row
here: the scheduler takes `go_live` and `expire` as the admin takes the others.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from answers import attribution, jama, languages, publication
from answers.workflow.states import Status
from citations.characters import normalize_newlines, unprintable_character


@dataclass(frozen=True)
class Given:
    """What a step is taken with, besides the answer and the user."""

    comment: str = ""
    update_note: str = ""
    go_live_at: datetime.datetime | None = None
    expires_at: datetime.datetime | None = None
    # When it happens: now, or the time the scheduler says it is.
    at: datetime.datetime | None = None

    @property
    def when(self):
        return self.at or timezone.now()


# The checks that can block a step: each says why not, or returns None.


def _on_the_site(answer, user, given):
    if not answer.is_published:
        return "Only an answer that is on the site can be withdrawn."
    return None


def _live(answer, user, given):
    if not answer.is_published:
        return "Only an answer that is on the site can be given a time to leave it."
    return None


def _no_go_live_pending(answer, user, given):
    if answer.scheduled_version_id:
        return (
            "An approval of this answer is scheduled to go live: set its expiry when it is "
            "live, or send it back and approve it again with one."
        )
    return None


def _citations_sound(answer, user, given):
    errors = answer.citation_errors()
    return "Fix the citation problems first: " + " ".join(errors) if errors else None


def _no_open_comments(answer, user, given):
    count = answer.comments.open().count()
    if not count:
        return None
    return (
        f"{count} comment{'s are' if count > 1 else ' is'} still open: resolve "
        f"{'them' if count > 1 else 'it'} (each is listed on this page), or send the answer "
        "back to the editor."
    )


def _printable(answer, user, given):
    # Text saved before the forms refused such characters, or restored from then.
    for name in ("short_answer", "research", "doctor_questions"):
        problem = unprintable_character(normalize_newlines(getattr(answer, name)))
        if problem:
            label = answer._meta.get_field(name).verbose_name
            return f"“{label.capitalize()}” {problem}"
    return None


def _unchanged_since_submission(answer, user, given):
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


def _four_eyes(answer, user, given):
    if user.pk in answer.content_editors():
        return (
            "You changed this answer's content (its text, citations, question, topic, a cited "
            "source or its disclaimer) since it was last approved, so another medical "
            "reviewer must approve it (four eyes)."
        )
    return None


def _every_paragraph_cited(answer, user, given):
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


def _has_reviewer_profile(answer, user, given):
    if not hasattr(user, "contributor_profile"):
        return "Add your reviewer profile (name and credentials) before approving."
    return None


def _reviews_in_its_language(answer, user, given):
    profile = getattr(user, "contributor_profile", None)
    if profile is None:
        return None  # _has_reviewer_profile says so
    language = answer.question.language
    if not profile.reviews_in(language):
        name = languages.english_name(language)
        return (
            f"This answer is in {name}, and your reviewer profile does not list {name} among "
            "the languages you review in: a reviewer who reads it must approve it. (The "
            "languages a reviewer reviews in are set by whoever may assign them.)"
        )
    return None


def _follows_the_original_on_the_site(answer, user, given):
    """A translation goes live only while its original is on the site, and only following
    what the original says now: a translation of a withdrawn page, or of words the original
    no longer says, is not published (answers/translation.py)."""
    original_question = answer.question.translation_of_id
    if original_question is None:
        return None
    original = (
        type(answer)
        .objects.filter(question_id=original_question)
        .select_related("live_version")
        .first()
    )
    live = getattr(original, "live_version", None)
    if live is None:
        return (
            "Its original is not on the site (withdrawn, expired or not yet approved): a "
            "translation is published only while its original is, since it says what the "
            "original says."
        )
    followed = answer.follows
    if followed is None or (followed.pk != live.pk and followed.fingerprint != live.fingerprint):
        return (
            f"The original was approved again on {live.reviewed_on:%-d %B %Y} with changes this "
            "translation does not follow yet: bring it up to date with them (its change form "
            "shows them), then approve it."
        )
    return None


def _disclaimer_in_its_language(answer, user, given):
    disclaimer = answer.effective_disclaimer()
    language = answer.question.language
    if disclaimer is None and not languages.is_default(language):
        return (
            f"It has no disclaimer in {languages.english_name(language)}: add the translation "
            "of its topic's disclaimer (or a site default in that language) first."
        )
    if disclaimer is not None and disclaimer.language != language:
        return (
            f"Its disclaimer “{disclaimer}” is in {languages.english_name(disclaimer.language)}"
            f", and the answer in {languages.english_name(language)}: choose one in its "
            "language."
        )
    return None


def _meets_jama(answer, user, given):
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


def _go_live_time_has_come(answer, user, given):
    version = answer.scheduled_version
    if version is None or version.go_live_at is None:
        return "Only an approval scheduled to go live can go live."
    if version.go_live_at > given.when:
        return "Its go-live time has not come yet."
    if answer.fingerprint() != version.fingerprint:
        return "Its content changed after it was approved: it needs a new approval."
    return None


def _expiry_time_has_come(answer, user, given):
    if answer.expires_at is None or answer.expires_at > given.when:
        return "Its expiry time has not come yet."
    return None


# What each step does to the locked answer, besides the status. An effect may return the
# status the step ends in, when it is not the step's own.


def _freeze_submission(answer, user, given):
    answer.submitted_fingerprint = answer.fingerprint()


def _publish(answer, user, given):
    """Freeze the approved version: live now, or scheduled for its go-live time (the
    version live until then, if any, stays live)."""
    version = answer.build_version(reviewer=user, update_note=given.update_note)
    version.comment = given.comment
    before = answer.versions.order_by("-approved_at").values_list("approved_at", flat=True)
    version.conversation = answer.conversation_since(before.first())
    version.go_live_at = given.go_live_at
    version.live_from = None if given.go_live_at else version.approved_at
    version.save()
    version.refresh_search_vector()
    if given.expires_at:
        answer.expires_at, answer.expiry_set_by = given.expires_at, user
    if given.go_live_at:
        answer.scheduled_version = version
        return Status.SCHEDULED
    arrives = not answer.live_version_id
    answer.live_version, answer.scheduled_version = version, None
    publication.record(keys=publication.answer_on_site_keys(answer, arrives))
    return None


def _link_approved_revision(answer, transition):
    """The approved version names the revision the approval recorded (the same content
    the reviewer read)."""
    approved = answer.scheduled_version or answer.live_version
    approved.answer_revision = transition.revision
    approved.save(update_fields=["answer_revision"])


def _go_live(answer, user, given):
    version = answer.scheduled_version
    version.live_from = given.when
    if not answer.live_version_id:  # its first time on the site
        version.first_published_on = timezone.localdate(given.when)
    version.save(update_fields=["live_from", "first_published_on"])
    arrives = not answer.live_version_id
    answer.live_version, answer.scheduled_version = version, None
    publication.record(keys=publication.answer_on_site_keys(answer, arrives))


def _cancel_schedule(answer, user, given):
    answer.scheduled_version = None


def _take_down(answer, user, given, reason="Withdrawn"):
    """Take the live version down, and the live translations of it with it: they say what
    it said (answers/translation.py). A translation's own take-down takes only it down."""
    answer.live_version = answer.scheduled_version = None
    answer.expires_at = answer.expiry_set_by = None
    taken_down = [answer.get_absolute_url()]
    keys = publication.answer_on_site_keys(answer, arrives_or_leaves=True)
    for translation in answer.translations_on_site():
        taken_down.append(translation.take_down_with_original(user, reason, given.comment))
        keys += publication.answer_on_site_keys(translation, arrives_or_leaves=True)
    publication.record(keys=keys, taken_down=taken_down, reason=reason)


def _expire(answer, user, given):
    """Take the live version down. A newer draft or submission stays what it is: only the
    live version leaves."""
    status = answer.status
    _take_down(answer, user, given, reason="Expired")
    return status if status in (Status.DRAFT, Status.IN_REVIEW) else Status.WITHDRAWN


def _set_expiry(answer, user, given):
    """When a live answer leaves the site (`manage.py run_schedule`), or no expiry."""
    answer.expires_at = given.expires_at
    answer.expiry_set_by = user if given.expires_at else None
    return answer.status  # the answer stays as it is until then


@dataclass(frozen=True)
class Step:
    label: str
    to: str
    no_permission: str
    # The states it starts from; None: any state, while a version is live.
    starts_from: frozenset | None
    # The permission it needs; None: a step only the schedule takes (`by_schedule`).
    permission: str | None = None
    # If set, a comment is required, and this says what it is for.
    comment_required: str = ""
    checks: tuple = ()
    effect: object = None
    # Run once the step is recorded, with the Transition.
    after: object = None
    explanation: str = ""
    # What the admin's form for it asks for, besides a comment: the times it takes
    # ("go_live_at", "expires_at"), a public update note, the reading grades to check.
    takes: frozenset = frozenset()
    update_note: bool = False
    reading_grades: bool = False
    # It changes the answer's expiry, not its status: the form starts from the expiry set.
    edits_expiry: bool = False

    @property
    def by_schedule(self):
        return self.permission is None

    def applies_to(self, answer):
        if self.starts_from is None:
            return answer.is_published
        return answer.status in self.starts_from


BY_SCHEDULE = "Only the schedule (manage.py run_schedule) takes this step, when its time comes."

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
            # Again: a reviewer's edit in review was never submitted.
            _every_paragraph_cited,
            _unchanged_since_submission,
            _four_eyes,
            _has_reviewer_profile,
            _reviews_in_its_language,
            _follows_the_original_on_the_site,
            _disclaimer_in_its_language,
            _meets_jama,
            _no_open_comments,
        ),
        effect=_publish,
        after=_link_approved_revision,
        explanation="The answer will be published exactly as it is now, as reviewed by you "
        "on today's date.",
        takes=frozenset({"go_live_at", "expires_at"}),
        update_note=True,
        reading_grades=True,
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
        takes=frozenset({"expires_at"}),
        edits_expiry=True,
    ),
    "go_live": Step(
        label="Went live as scheduled",
        starts_from=frozenset({Status.SCHEDULED}),
        to=Status.PUBLISHED,
        no_permission=BY_SCHEDULE,
        checks=(_go_live_time_has_come, _follows_the_original_on_the_site),
        effect=_go_live,
        explanation="The approved version goes live exactly as approved.",
    ),
    "expire": Step(
        label="Expired",
        starts_from=None,
        to=Status.WITHDRAWN,
        no_permission=BY_SCHEDULE,
        checks=(_expiry_time_has_come,),
        effect=_expire,
        explanation="The live version leaves the site at the expiry time a reviewer set.",
    ),
}
