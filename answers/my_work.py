"""
"My work" on the admin home page: what waits for the person signed in.

A medical reviewer sees the answers awaiting their review (oldest first, with how long
they have waited; not those they edited, which four eyes gives to another reviewer),
overdue reviews, answers citing flagged sources and new patient reports. An editor sees
the answers sent back to them with the reviewer's comment, their drafts, and open
reports on answers they wrote. The navigation shows how many things wait.
"""

from dataclasses import dataclass, field

from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone

from answers.models import Answer, Transition
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
    """Answers this person worked on: a revision of theirs, or named as a writer."""
    edited = Answer.history.filter(history_user=user).values("id")
    return Q(pk__in=edited) | Q(authorships__contributor__user=user)


def awaiting_review(user):
    waiting = (
        Answer.objects.filter(status=Answer.Status.IN_REVIEW)
        .select_related("question")
        .annotate(submitted_at=_latest("submit"))
        .order_by("submitted_at", "pk")
    )
    listed = WorkList("awaiting", "Awaiting my review", "Nothing is waiting for your review.")
    for answer in waiting:
        if user.pk in answer.content_editors():
            continue  # they changed it: another reviewer must approve
        listed.count += 1
        if len(listed.items) < SHOWN:
            listed.items.append(
                Item(
                    answer.question.text,
                    reverse("admin:answers_answer_transition", args=[answer.pk, "approve"]),
                    "submitted",
                    answer.submitted_at,
                )
            )
    return listed


def _answers_list(key, title, empty, answers, detail, more_url=""):
    answers = answers.select_related("question", "live_version")
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
    due = reverse("admin:answers_answerdueforreview_changelist")
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
    drafts = Answer.objects.filter(_mine(user), status=Answer.Status.DRAFT).distinct()
    sent_back = (
        drafts.annotate(
            last_action=Subquery(
                Transition.objects.filter(answer=OuterRef("pk"))
                .order_by("-at", "-pk")
                .values("action")[:1]
            )
        )
        .filter(last_action="send_back")
        .order_by("pk")
    )
    returned = WorkList("sent-back", "Sent back to me", "Nothing has been sent back to you.")
    for answer in sent_back.select_related("question"):
        step = answer.transitions.filter(action="send_back").select_related("user").first()
        returned.count += 1
        if len(returned.items) < SHOWN:
            who = step.user.get_full_name() or step.user.get_username() if step.user else ""
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


def my_work(user):
    """The lists for this person's roles (a reviewer who also edits sees both)."""
    lists = []
    if user.has_perm("answers.review_answer"):
        lists += for_reviewer(user)
    if user.has_perm("answers.submit_answer"):
        lists += for_editor(user)
    return lists
