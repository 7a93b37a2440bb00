"""
"My work" on the admin home page: what waits for the person signed in.

A medical reviewer sees the answers awaiting their review (oldest first, with how long
they have waited; only in the languages their profile lists; not those they edited, which
four eyes gives to another reviewer),
overdue reviews, answers citing flagged sources and new patient reports. An editor sees
the answers sent back to them with the reviewer's comment, their drafts, and open
reports on answers they wrote. Both see the open comments on the answers they worked on
or commented on, and the translations behind their original (approved again since the
version they follow): those they worked on and, for a reviewer, those in the languages
their profile lists. The navigation shows how many things wait.
"""

import secrets
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.db.models.signals import post_delete, post_save
from django.urls import reverse
from django.utils import timezone

from answers import languages
from answers.models import (
    Answer,
    Authorship,
    Comment,
    ContributorProfile,
    Disclaimer,
    PublishedVersion,
    Question,
    Topic,
    Transition,
)
from answers.people import person_name
from citations.models import Citation, Source
from desk import translating
from reports.models import Report

SHOWN = 20  # per list; the count says how many there are in all


@dataclass
class Item:
    title: str
    url: str
    detail: str = ""
    since: object = None  # a datetime: shown as how long ago


@dataclass
class WorkList:
    key: str
    title: str
    empty: str
    items: list = field(default_factory=list)
    count: int = 0
    more_url: str = ""


def _change_url(answer):
    return reverse("admin:answers_answer_change", args=[answer.pk])


def _latest(action):
    return Subquery(
        Transition.objects.filter(answer=OuterRef("pk"), action=action)
        .order_by("-at", "-pk")
        .values("at")[:1]
    )


def _mine(user):
    """Answers this person worked on: a revision of theirs, or named as a writer. Subqueries,
    not a join: no DISTINCT over every answer's text."""
    edited = Answer.history.filter(history_user=user).values("id")
    written = Authorship.objects.filter(contributor__user=user).values("answer_id")
    return Q(pk__in=edited) | Q(pk__in=written)


def _possibly_changed_by(user):
    """A condition on answers that holds for every answer whose content `user` changed (and
    for some they changed before its last approval): their own revisions of answers,
    citations and writers, and of what answers share. Cheap set queries over the history
    tables, by one user; `Answer.content_editors()` then decides, for those answers only."""

    def by_user(model, column="id"):
        return model.history.filter(history_user=user).values(column)

    # Workflow steps save the answer too (its status), as the person who took them: those
    # revisions change no content, and every reviewer has thousands.
    # (Not NULL: a NULL in NOT IN would leave out every revision.)
    steps = Transition.objects.filter(user=user, revision__isnull=False).values("revision")
    edits = Answer.history.filter(history_user=user).exclude(history_id__in=steps).values("id")

    disclaimers = by_user(Disclaimer)
    condition = (
        Q(pk__in=edits)
        | Q(pk__in=by_user(Citation, "answer_id"))
        | Q(pk__in=by_user(Authorship, "answer_id"))
        | Q(question__in=by_user(Question))
        | Q(question__topic__in=by_user(Topic))
        | Q(pk__in=Citation.objects.filter(source__in=by_user(Source)).values("answer_id"))
        | Q(
            pk__in=Authorship.objects.filter(contributor__in=by_user(ContributorProfile)).values(
                "answer_id"
            )
        )
        | Q(disclaimer__in=disclaimers)
        | Q(question__topic__disclaimer__in=disclaimers)
    )
    # A default disclaimer is the one of the answers in its language that name none.
    edited_defaults = Disclaimer.objects.filter(is_default=True, pk__in=disclaimers)
    for language in edited_defaults.values_list("language", flat=True):
        condition |= Q(
            disclaimer__isnull=True,
            question__topic__disclaimer__isnull=True,
            question__language=language,
        )
    return condition


def awaiting_review(user):
    """In review, oldest submission first, in the languages this reviewer reviews in;
    without those this reviewer changed (four eyes: another reviewer must approve them).
    Queries do not grow with the number waiting."""
    in_review = Answer.objects.filter(status=Answer.Status.IN_REVIEW)
    profile = getattr(user, "contributor_profile", None)
    if profile is not None:  # without one, the approve page says a profile is needed
        in_review = in_review.filter(question__language__in=profile.languages or [])
    waiting = (
        in_review.select_related("question")
        .only("pk", "question__text")
        .annotate(submitted_at=_latest("submit"))
        .order_by("submitted_at", "pk")
    )
    maybe = in_review.filter(_possibly_changed_by(user)).values("pk")
    theirs = {
        answer.pk
        for answer in Answer.objects.filter(pk__in=maybe).select_related("question")
        if user.pk in answer.content_editors()
    }
    listed = WorkList("awaiting", "Awaiting my review", "Nothing is waiting for your review.")
    for_them = waiting.exclude(pk__in=theirs)
    listed.count = for_them.count()
    listed.items = [
        Item(
            answer.question.text,
            reverse("admin:answers_answer_transition", args=[answer.pk, "approve"]),
            "submitted",
            answer.submitted_at,
        )
        for answer in for_them[:SHOWN]
    ]
    return listed


def _answers_list(key, title, empty, answers, detail, more_url=""):
    answers = answers.select_related("question", "live_version").only(
        "pk", "updated_at", "question__text", "live_version__next_review_due"
    )  # not the texts, nor the frozen pages
    listed = WorkList(key, title, empty, count=answers.count(), more_url=more_url)
    listed.items = [Item(a.question.text, _change_url(a), detail(a)) for a in answers[:SHOWN]]
    return listed


def _reports_list(key, title, empty, reports, query):
    reports = reports.select_related("answer__question").order_by("created_at")
    listed = WorkList(key, title, empty, count=reports.count())
    listed.more_url = reverse("admin:reports_report_changelist") + query
    listed.items = [
        Item(
            f"{report.get_kind_display()}: {report.answer.question.text}",
            reverse("admin:reports_report_change", args=[report.pk]),
            "reported",
            report.created_at,
        )
        for report in reports[:SHOWN]
    ]
    return listed


def for_reviewer(user):
    due = reverse("admin:desk_reviewqueue_changelist")
    return [
        awaiting_review(user),
        _answers_list(
            "overdue",
            "Overdue reviews",
            "No review is overdue.",
            Answer.objects.overdue().order_by("live_version__next_review_due"),
            lambda a: f"review was due {a.live_version.next_review_due:%-d %b %Y}",
            f"{due}?review=overdue",
        ),
        _answers_list(
            "flagged",
            "Citing a retracted or concerning source",
            "No answer cites a flagged source.",
            Answer.objects.citing_flagged_sources().order_by("pk"),
            lambda a: "check the flagged citation",
            f"{due}?review=flagged",
        ),
        _reports_list(
            "new-reports",
            "New patient reports",
            "No new reports.",
            Report.objects.filter(status=Report.Status.NEW),
            "?status__exact=new",
        ),
    ]


def for_editor(user):
    drafts = Answer.objects.filter(_mine(user), status=Answer.Status.DRAFT)
    sent_back = (
        drafts.annotate(
            last_action=Subquery(
                Transition.objects.filter(answer=OuterRef("pk"))
                .exclude(action__in=Transition.NOTES)  # a link shared since changes no status
                .order_by("-at", "-pk")
                .values("action")[:1]
            )
        )
        .filter(last_action="send_back")
        .order_by("pk")
    )
    returned = WorkList("sent-back", "Sent back to me", "Nothing has been sent back to you.")
    for answer in sent_back.select_related("question").only("pk", "question__text"):
        step = answer.transitions.filter(action="send_back").select_related("user").first()
        returned.count += 1
        if len(returned.items) < SHOWN:
            who = person_name(step.user, nobody="")
            returned.items.append(
                Item(answer.question.text, _change_url(answer), f"{who}: “{step.comment}”", step.at)
            )
    written = Answer.objects.filter(_mine(user)).values("pk")
    return [
        returned,
        _answers_list(
            "drafts",
            "My drafts",
            "You have no drafts.",
            drafts.exclude(pk__in=sent_back.values("pk")).order_by("-updated_at"),
            lambda a: f"last saved {timezone.localtime(a.updated_at):%-d %b %Y %H:%M}",
        ),
        _reports_list(
            "my-reports",
            "Patient reports on answers I worked on",
            "No open reports on your answers.",
            Report.objects.open().filter(answer__in=written),
            "?state=open",
        ),
    ]


def open_comments(user):
    """Open comments on the answers this person worked on, or in threads they started or
    replied to: oldest first, each linked to its place in the conversation."""
    theirs = Comment.objects.filter(author=user).values("answer_id")
    threads = (
        Comment.objects.open()
        .filter(
            Q(answer__in=Answer.objects.filter(_mine(user)).values("pk")) | Q(answer__in=theirs)
        )
        .select_related("answer__question", "author", "expert")
        .order_by("created_at", "pk")
    )
    listed = WorkList("comments", "Open comments", "No open comments on your answers.")
    listed.count = threads.count()
    listed.items = [
        Item(
            thread.answer.question.text,
            reverse("admin:answers_answer_comments", args=[thread.answer_id])
            + f"#comment-{thread.pk}",
            f"{thread.by}: “{thread.body[:120]}”",
            thread.created_at,
        )
        for thread in threads[:SHOWN]
    ]
    return listed


def behind_originals(user):
    """Translations whose original was approved again since the version they follow, that
    this person worked on or, as a reviewer, reviews the language of: oldest first."""
    answers = (
        translating.with_translation_state(translating.behind_for(user, _mine(user)))
        .select_related("question")
        .only("pk", "status", "follows_id", "question__text", "question__language")
        .order_by("pk")
    )
    listed = WorkList(
        "behind",
        "Translations behind their original",
        "No translation is behind its original.",
        count=answers.count(),
        more_url=reverse("admin:answers_answer_changelist") + "?review=behind",
    )
    listed.items = [
        Item(
            answer.question.text,
            _change_url(answer),
            f"{languages.english_name(answer.question.language)}, "
            f"{answer.get_status_display().lower()}: {translating.behind_reason(answer)}",
        )
        for answer in answers[:SHOWN]
    ]
    return listed


def _work_out(user):
    lists = []
    if user.has_perm("answers.review_answer"):
        lists += for_reviewer(user)
    if user.has_perm("answers.submit_answer"):
        lists += for_editor(user)
    if user.has_perm("answers.review_answer") or user.has_perm("answers.submit_answer"):
        lists.append(behind_originals(user))
    if user.has_perm("answers.add_comment"):
        lists.append(open_comments(user))
    return lists


# Every admin page shows the count, so the lists are kept (in the default cache) until
# anything they show changes, or for CACHE_SECONDS at most.
CACHE_SECONDS = 300
EPOCH_KEY = "my-work:epoch"


def my_work(user):
    """The lists for this person's roles (a reviewer who also edits sees both)."""
    try:
        epoch = cache.get(EPOCH_KEY) or _move_epoch()
        roles = (
            f"{user.has_perm('answers.review_answer'):d}{user.has_perm('answers.submit_answer'):d}"
        )
        key = f"my-work:{user.pk}:{roles}:{epoch}:{timezone.localdate()}"
        kept = cache.get(key)
    except Exception:  # a cache outage costs the queries, never the page
        return _work_out(user)
    if kept is None:
        kept = _work_out(user)
        try:
            cache.set(key, kept, CACHE_SECONDS)
        except Exception:
            pass
    return kept


def _move_epoch():
    epoch = secrets.token_hex(4)
    try:
        cache.set(EPOCH_KEY, epoch, None)
    except Exception:
        pass
    return epoch


def work_changed(**kwargs):
    """Receiver: something a work list shows was saved or deleted. Moved now and again on
    commit, so that lists worked out from the rows of before cannot outlive it."""
    _move_epoch()
    transaction.on_commit(_move_epoch)


def connect():
    shown = [Answer, Transition, PublishedVersion, Citation, Authorship, Source, Report, Comment]
    # And what four eyes looks at: a change to any can take an answer off a reviewer's list.
    shared = [ContributorProfile, Question, Topic, Disclaimer]
    for model in shown + shared:
        post_save.connect(work_changed, sender=model, dispatch_uid=f"my-work-{model.__name__}")
        post_delete.connect(work_changed, sender=model, dispatch_uid=f"my-work-d-{model.__name__}")
