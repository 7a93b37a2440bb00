"""Answers a batch at a time, frozen as approval freezes them (answers.models.freeze)."""

import datetime
from collections import namedtuple
from types import SimpleNamespace

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.text import slugify

from answers import search
from answers.models import (
    Answer,
    Authorship,
    PublishedVersion,
    Question,
    Transition,
    freeze,
    frozen_content,
)
from answers.seeding.prose import zipf_weights
from answers.seeding.words import APPROVED, STATUS, UPDATE_NOTES
from answers.workflow import Status, content_fingerprint
from citations.models import Citation


class Batch:
    """Adds answers a batch at a time: each table once, in bulk, then the links between
    answers and their versions, and the versions' search vectors, in set-based UPDATEs."""

    def __init__(self, rng, prose, cast, topics, library):
        self.rng, self.prose, self.cast = rng, prose, cast
        self.topics, self.library = topics, library
        self.topic_weights = zipf_weights(len(topics), offset=5)
        self.review_days = settings.REVIEW_INTERVAL_MONTHS * 30.4

    def add(self, states, first_serial):
        self.now = timezone.now()
        self.questions, self.answers, self.citations, self.authorships = [], [], [], []
        self.versions, self.transitions, self.timelines = [], [], []
        for serial, state in enumerate(states, start=first_serial):
            self.answer(state, serial)
        Question.objects.bulk_create(self.questions)
        Answer.objects.bulk_create(self.answers)
        Citation.objects.bulk_create(self.citations)
        Authorship.objects.bulk_create(self.authorships)
        PublishedVersion.objects.bulk_create(self.versions)
        Transition.objects.bulk_create(self.transitions)
        # bulk_create stamped the auto_now(_add) fields with now: set the seeded times, and
        # link the answers to their versions, one statement per table (unnest takes columns).
        rows = [
            (answer.pk, pk(when.live), pk(when.scheduled), when.created, when.updated)
            for answer, _, when in self.timelines
        ]
        question_rows = [(question.pk, when.created) for _, question, when in self.timelines]
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Answer._meta.db_table} AS a SET live_version_id = v.live,"
                " scheduled_version_id = v.scheduled, created_at = v.created,"
                " updated_at = v.updated"
                " FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[], %s::timestamptz[],"
                " %s::timestamptz[]) AS v(id, live, scheduled, created, updated)"
                " WHERE a.id = v.id",
                [list(column) for column in zip(*rows, strict=True)],
            )
            cursor.execute(
                f"UPDATE {Question._meta.db_table} AS q SET created_at = v.created"
                " FROM unnest(%s::bigint[], %s::timestamptz[]) AS v(id, created)"
                " WHERE q.id = v.id",
                [list(column) for column in zip(*question_rows, strict=True)],
            )
        PublishedVersion.objects.filter(pk__in=[v.pk for v in self.versions]).update(
            search_vector=search.version_vector()
        )

    def days_ago(self, days):
        return self.now - datetime.timedelta(days=days)

    def answer(self, state, serial):
        rng, prose = self.rng, self.prose
        topic = rng.choices(self.topics, cum_weights=self.topic_weights)[0]
        text = prose.question(topic.seed_words)
        question = Question(
            text=text, slug=f"{slugify(text)[:190].strip('-')}-{serial}", topic=topic
        )
        sources = self.library.pick(rng.randint(3, 12))
        answer = Answer(
            question=question,
            short_answer=prose.short_answer(topic.seed_words),
            research=prose.research(len(sources)),
            doctor_questions=prose.doctor_questions(),
            status=STATUS[state],
            author=rng.choice(self.cast.editors) if self.cast.editors else None,
        )
        citations = [
            Citation(answer=answer, number=number, source=source)
            for number, source in enumerate(sources, start=1)
        ]
        writers = rng.sample(self.cast.writers, rng.choice([1, 1, 1, 2, 2, 3]))
        self.questions.append(question)
        self.answers.append(answer)
        self.citations += citations
        self.authorships += [
            Authorship(answer=answer, contributor=writer, order=order)
            for order, writer in enumerate(writers, start=1)
        ]
        when = self.workflow(state, question, answer, citations, writers)
        self.timelines.append((answer, question, when))

    def workflow(self, state, question, answer, citations, writers):
        """The versions and workflow log of an answer in `state`: returns its Timeline."""
        rng, editor = self.rng, answer.author
        if state == "draft":
            created = self.days_ago(rng.uniform(0, 120))
            return Timeline(created, created + (self.now - created) * rng.random())
        if state == "scheduled":
            approved = self.days_ago(rng.uniform(0, 3))
        elif state in APPROVED:
            # Reviewed up to 10% longer ago than the review interval: about one live
            # answer in eleven is overdue, and one in fourteen due within 30 days.
            approved = self.days_ago(rng.uniform(0, self.review_days * 1.1))
        else:
            approved = None
        submitted = (approved or self.now) - datetime.timedelta(days=rng.uniform(1, 14))
        created = submitted - datetime.timedelta(days=rng.uniform(1, 60))
        content = content_of(question, answer, citations, writers)
        self.step(answer, "submit", Status.DRAFT, Status.IN_REVIEW, editor, submitted)
        if state == "in_review":
            answer.submitted_fingerprint = content_fingerprint(content)
            return Timeline(created, submitted)
        reviewer = rng.choice(self.cast.reviewers)
        version = self.version(answer, content, reviewer, approved)
        if state == "scheduled":
            version.go_live_at = self.now + datetime.timedelta(days=rng.uniform(1, 14))
            self.step(
                answer, "approve", Status.IN_REVIEW, Status.SCHEDULED, reviewer.user, approved
            )
            return Timeline(created, approved, scheduled=version)
        version.live_from = approved
        self.step(answer, "approve", Status.IN_REVIEW, Status.PUBLISHED, reviewer.user, approved)
        later = approved + (self.now - approved) * rng.random()
        if state == "withdrawn":
            why = "Withdrawn while newer evidence is checked."
            self.step(
                answer, "withdraw", Status.PUBLISHED, Status.WITHDRAWN, reviewer.user, later, why
            )
            return Timeline(created, later)
        if state == "published":
            return Timeline(created, approved, live=version)
        # A newer draft than what patients read: one more sentence in the short answer.
        answer.short_answer += " " + self.prose.sentence() + "."
        why = "Content changed; a new approval is needed."
        self.step(answer, "edit", Status.PUBLISHED, Status.DRAFT, editor, later, why)
        if state == "resubmitted":
            content = content_of(question, answer, citations, writers)
            answer.submitted_fingerprint = content_fingerprint(content)
            self.step(answer, "submit", Status.DRAFT, Status.IN_REVIEW, editor, later)
        return Timeline(created, later, live=version)

    def step(self, answer, action, from_status, to_status, user, at, comment=""):
        self.transitions.append(
            Transition(
                answer=answer,
                action=action,
                from_status=from_status,
                to_status=to_status,
                user=user,
                at=at,
                comment=comment,
            )
        )

    def version(self, answer, content, reviewer, approved):
        """What `answer.approve(reviewer)` freezes (answers.models.freeze), with the seeded
        time of the approval; about one in seven updates an answer first published years
        ago, with a public note."""
        rng = self.rng
        reviewed_on = timezone.localdate(approved)
        earlier, update_note = [], ""
        if rng.random() < 0.15:
            first = reviewed_on - datetime.timedelta(days=rng.randint(400, 1200))
            earlier = [SimpleNamespace(reviewed_on=first, updates=[])]
            update_note = rng.choice(UPDATE_NOTES)
        version = freeze(
            answer, content, reviewer.user, profile=reviewer, reviewed_on=reviewed_on,
            earlier=earlier, update_note=update_note,
        )  # fmt: skip
        version.approved_at = approved
        self.versions.append(version)
        return version


# When an answer was created and last changed, and its live or scheduled version.
Timeline = namedtuple("Timeline", "created updated live scheduled", defaults=[None, None])


def pk(obj):
    return obj.pk if obj else None


def content_of(question, answer, citations, writers):
    """`Answer.frozen_content()` of an answer not saved yet, from the objects in hand."""
    return frozen_content(
        question, answer.short_answer, answer.research, answer.doctor_questions, citations,
        writers, question.topic.seed_disclaimer_html,
    )  # fmt: skip
