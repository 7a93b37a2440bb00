"""
What the desk shows of translations (answers/translation.py): the original and the
translation side by side, paragraph by paragraph, for the translator and the reviewer; the
notice on a translation whose original was approved again since the version it follows,
with the original's changes since; and the translations behind their original, for My work,
the answer list and the review queue.
"""

import re
from dataclasses import dataclass
from itertools import zip_longest

from django.db.models import Exists, F, OuterRef, Q

from answers import languages, translation
from answers.models import Answer, PublishedVersion
from desk.diffing import TEXT_FIELDS, content_diff

# Sections whose Markdown is a list, one item a line; the others are blocks between blank
# lines (paragraphs, lists, headings), as the renderer reads them.
LIST_SECTIONS = {"doctor_questions"}


def blocks(section, text):
    """The pieces of a section a translator matches one to one: its lines for a list
    section, else its blocks between blank lines. As typed, markers ([9]) and Markdown
    kept, so that the translation keeps them too."""
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        return []
    if section in LIST_SECTIONS:
        return [line.strip() for line in text.split("\n") if line.strip()]
    return [block.strip("\n") for block in re.split(r"\n[ \t]*\n", text) if block.strip()]


@dataclass(frozen=True)
class Column:
    language: str

    @property
    def name(self):
        return languages.english_name(self.language)

    @property
    def tag(self):
        return languages.tag(self.language)

    @property
    def direction(self):
        return languages.direction(self.language)


@dataclass(frozen=True)
class SideBySide:
    """The original's approved version and the translation's draft, section by section:
    each a list of (original's block, translation's block), "" where one side has fewer."""

    original: object  # the original Answer
    version: PublishedVersion  # the original's version shown
    number: int  # its place among the original's approvals: 1 for the first
    left: Column
    right: Column
    sections: list  # [(label, [(left, right)])]
    follows_it: bool  # False: the translation records no version, the live one is shown


def approval_number(version):
    """Which approval of its answer `version` was: 1 for the first."""
    earlier = PublishedVersion.objects.filter(
        answer_id=version.answer_id, approved_at__lte=version.approved_at
    )
    return earlier.count()


def side_by_side(answer):
    """The original and `answer` (a translation) paragraph by paragraph, or None for an
    original, or a translation whose original has no approved version to show."""
    original = translation.original_of(answer)
    if original is None:
        return None
    version = answer.follows or original.live_version
    if version is None:
        return None
    sections = [
        (
            label,
            list(
                zip_longest(
                    blocks(name, getattr(version, name)),
                    blocks(name, getattr(answer, name)),
                    fillvalue="",
                )
            ),
        )
        for name, label in TEXT_FIELDS
    ]
    return SideBySide(
        original=original,
        version=version,
        number=approval_number(version),
        left=Column(version.language),
        right=Column(answer.question.language),
        sections=sections,
        follows_it=answer.follows_id == version.pk,
    )


@dataclass(frozen=True)
class Behind:
    """A translation's original was approved again since the version it follows (`followed`,
    None when it records none): what changed, for the translator to bring it up to date."""

    original: object  # the original Answer
    followed: object  # PublishedVersion or None
    live: PublishedVersion  # the original's version on the site now
    diff: dict  # content_diff of the two, or None without a followed version

    @property
    def original_language(self):
        return languages.english_name(self.original.question.language)


def behind_notice(answer):
    """What the translation's change form says when it is behind its original, or None."""
    if not translation.is_behind(answer):
        return None
    original = translation.original_of(answer)
    followed, live = answer.follows, original.live_version
    diff = content_diff(followed.frozen(), live.frozen()) if followed else None
    return Behind(original, followed, live, diff)


# Lists of answers: whether each translation is behind, without a query per row.


def with_translation_state(answers):
    """`answers` annotated with what a list row says of a translation: whether it is behind
    its original (`behind_original`, by the domain's own rule: `translation.behind()`, so
    that a row, the list's filter and the review queue agree), whether the original is on
    the site (`original_live_id`), and when the original's live version and the version it
    follows were approved (`original_reviewed_on`, `follows_reviewed_on`)."""
    original_live = "question__translation_of__answer__live_version"
    return answers.annotate(
        behind_original=Exists(translation.behind().filter(pk=OuterRef("pk"))),
        original_live_id=F(original_live),
        original_reviewed_on=F(f"{original_live}__reviewed_on"),
        follows_reviewed_on=F("follows__reviewed_on"),
    )


def is_listed_behind(answer):
    """For a row of `with_translation_state`: is this translation behind its original?"""
    return bool(answer.question.translation_of_id and answer.behind_original)


def behind_reason(answer):
    """Why a row of `with_translation_state` is behind, in a few words to follow a colon."""
    since = (
        f", after the version this follows ({answer.follows_reviewed_on:%-d %b %Y})"
        if answer.follows_reviewed_on
        else "; this records no version of it"
    )
    return f"the original was approved again on {answer.original_reviewed_on:%-d %b %Y}{since}"


def behind_for(user, mine):
    """The translations behind their original that are `user`'s to bring up to date or to
    review: those they worked on (`mine`, a condition on answers), and, for a medical
    reviewer, those in the languages their profile lists."""
    condition = mine
    profile = getattr(user, "contributor_profile", None)
    if user.has_perm("answers.review_answer") and profile is not None:
        condition |= Q(question__language__in=profile.languages or [])
    behind = translation.behind().values("pk")
    return Answer.objects.filter(pk__in=behind).filter(condition)
