"""
Translations: an answer in another language, written, reviewed and published on its own,
and never silently out of date.

A question's translation group is its original (a question in any language, usually the
site's default) and at most one translated question per language, each pointing at the
original (`Question.translation_of`); each question has its own answer, so a translation
has its own draft, citations (the same shared sources), writers, reviewer, workflow and
history, under every rule of the workflow. Topics and disclaimers are translated the same
way, as records of their own with history.

A translation starts from the original's approved version (`start`), never its draft, and
records that version (`Answer.follows`); each approval of the translation freezes what it
follows. When the original is approved again, every translation following an earlier
version is *behind*: the desk lists it for its writers and reviewers with the original's
changes since, and its public page says, in its language, that the original was updated
(`original_update`). Bringing it up to date (`catch_up`) is an edit like any other: it
needs a new approval by a reviewer who reads the language. A take-down of the original
takes its translations down with it (answers/workflow/steps.py), since they say what it
said.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q

from answers import languages
from answers.models import Answer, Authorship, Disclaimer, PublishedVersion, Question, Topic
from citations.models import Citation


class TranslationRefused(Exception):
    """Why a translation cannot be started, in words for the editor."""


def original_of(answer):
    """The answer this one translates, or None for an original."""
    original_question = answer.question.translation_of_id
    if original_question is None:
        return None
    # Read now, never a cached copy: whether a translation is behind depends on what is
    # live this moment.
    return Answer.objects.select_related("live_version").filter(question=original_question).first()


def group(question):
    """The questions of `question`'s translation group, original first, then by language."""
    original = question.group_original()
    translations = sorted(original.translations.all(), key=lambda q: q.language)
    return [original, *translations]


def missing_languages(answer):
    """The languages `answer` (an original) has no translation into yet."""
    question = answer.question
    taken = {question.language, *question.translations.values_list("language", flat=True)}
    return [code for code in languages.codes() if code not in taken]


def counterpart(record, language):
    """`record`'s translation into `language` (or itself, if in it), or None."""
    return record.in_language(language) if record is not None else None


@transaction.atomic
def start(original, language, question_text, slug, user, topic=None, topic_name=""):
    """Start translating `original` (an answer on the site) into `language`: a question in
    the group and its draft answer, holding the original's *approved* version (its three
    texts to translate, its citations with the same sources and numbers, so the markers
    carry over) and following that version. The topic is the original topic's translation
    into `language`, made from `topic_name` if there is none (`topic` chooses one). The
    disclaimer is the translation of the original's own, if it has one; else the topic's
    or the site default in that language applies, as for any answer. Returns the draft, or
    raises TranslationRefused or ValidationError (with field errors)."""
    live = original.live_version
    if original.question.translation_of_id is not None:
        raise TranslationRefused("Translate the original, not another translation of it.")
    if live is None:
        raise TranslationRefused(
            "Only an answer on the site can be translated: a translation starts from the "
            "version a medical reviewer approved."
        )
    if language not in missing_languages(original):
        raise TranslationRefused(
            f"It is in {languages.english_name(language)} already, or has a translation into it."
        )
    topic = topic or counterpart(original.question.topic, language)
    if topic is None:
        if not topic_name.strip():
            raise ValidationError(
                {
                    "topic_name": f"The topic “{original.question.topic}” has no "
                    f"{languages.english_name(language)} name yet: give it one."
                }
            )
        topic = Topic(
            name=topic_name.strip(),
            slug=_free_slug(Topic, f"{original.question.topic.slug}-{language}"),
            language=language,
            translation_of=original.question.topic,
            disclaimer=counterpart(original.question.topic.disclaimer, language),
        )
        topic.full_clean()
        topic._history_user = user
        topic.save()
    disclaimer = _disclaimer_for(original, language, topic)
    question = Question(
        text=question_text.strip(),
        slug=slug,
        topic=topic,
        language=language,
        translation_of=original.question,
    )
    question.full_clean()
    question._history_user = user
    question.save()
    draft = Answer(
        question=question,
        short_answer=live.short_answer,
        research=live.research,
        doctor_questions=live.doctor_questions,
        disclaimer=disclaimer,
        author=user,
        follows=live,
    )
    draft._history_user = user
    draft._change_reason = f"Translation into {languages.english_name(language)} started"
    draft.save()
    for ref in live.references:  # one by one, each with its history (who added it)
        citation = Citation(
            answer=draft, number=ref["number"], source_id=ref["source_id"],
            locator=ref.get("locator", ""),
        )  # fmt: skip
        citation._history_user = user
        citation.save()
    # The translator is a writer; the original's writers wrote what it says, but not this.
    profile = getattr(user, "contributor_profile", None)
    if profile is not None:
        Authorship.objects.create(answer=draft, contributor=profile, order=1)
    draft.record_snapshots()
    return draft


def _disclaimer_for(original, language, topic):
    """The draft's own disclaimer: None where its topic's, or the site default in its
    language, is the translation of the one the original shows; else that translation.
    Raises TranslationRefused if the original's disclaimer has no translation into it:
    patients must read the same disclaimer in their language."""
    shown = original.effective_disclaimer()
    if shown is None:
        return None
    wanted = shown.in_language(language)
    if wanted is None:
        raise TranslationRefused(
            f"The disclaimer “{shown.title}” that the original shows has no "
            f"{languages.english_name(language)} translation yet: add it (Disclaimers, in "
            f"{languages.english_name(language)}, as the translation of “{shown.title}”), then "
            "translate the answer."
        )
    chain = topic.disclaimer or Disclaimer.objects.default(language)
    return None if chain == wanted else wanted


def _free_slug(model, wanted):
    slug, number = wanted[:90], 2
    while model.objects.filter(slug=slug).exists():
        slug, number = f"{wanted[:90]}-{number}", number + 1
    return slug


def behind():
    """Translations following an approved version of their original older than the one on
    the site now, and saying something else: what the desk lists as out of date. A new
    approval of the same content (a review that renewed the date) changes nothing a
    translation says."""
    original_live = "question__translation_of__answer__live_version"
    return (
        Answer.objects.filter(question__translation_of__isnull=False)
        .filter(**{f"{original_live}__isnull": False})
        .exclude(follows=F(original_live))
        .exclude(follows__fingerprint=F(f"{original_live}__fingerprint"))
    )


def _differs(followed, live):
    return followed != live and (
        followed is None or live is None or followed.fingerprint != live.fingerprint
    )


def is_behind(answer):
    original = original_of(answer)
    if original is None or original.live_version is None:
        return False
    return _differs(answer.follows, original.live_version)


@dataclass(frozen=True)
class OriginalUpdate:
    """What a translation's page says when its original was approved again since the
    version it follows: when, and where the original is."""

    updated_on: object  # a date
    original_url: str
    original_language: str


def original_update(version):
    """For a live translation `version`: the original's update since the version it follows,
    or None while the original's live version says what that one said (or it is no
    translation). Reads columns, never a version's kept page."""
    if version.follows_id is None:
        return None
    original = (
        Answer.objects.published()
        .filter(question__translations__answer__versions=version)
        .values(
            "live_version_id",
            "live_version__fingerprint",
            "live_version__reviewed_on",
            "question__slug",
            "question__language",
        )  # fmt: skip
        .first()
    )
    if original is None or original["live_version_id"] == version.follows_id:
        return None
    followed = PublishedVersion.objects.filter(pk=version.follows_id).values("fingerprint")
    if followed.filter(fingerprint=original["live_version__fingerprint"]).exists():
        return None
    question = Question(slug=original["question__slug"], language=original["question__language"])
    return OriginalUpdate(
        original["live_version__reviewed_on"], question.get_absolute_url(), question.language
    )


@transaction.atomic
def catch_up(answer, user, seen=None):
    """Record that `answer`, a translation, now follows its original's live version (its
    translator brought it up to date with the changes shown to them: `seen`, the id of the
    original's live version they were shown, refused if another is live now). An edit: it
    goes back to draft if it was live or in review, and needs a new approval."""
    original = original_of(answer)
    if original is None:
        raise TranslationRefused("It is no translation: it has no original to follow.")
    if original.live_version_id is None:
        raise TranslationRefused("Its original is not on the site.")
    if seen is not None and str(seen) != str(original.live_version_id):
        raise TranslationRefused(
            "The original was approved again while you were reading its changes: read them again."
        )
    answer = answer.locked()
    answer.follows = original.live_version
    answer._history_user = user
    answer._change_reason = "Brought up to date with the original's latest approved version"
    answer.save()
    return answer.record_edit(
        user, "Brought up to date with the original; a new approval is needed."
    )


def alternates(question):
    """[(language code, address)] of the group's answers on the site, `question`'s own
    included, in the order of settings.LANGUAGES: the page's hreflang links and its
    language switcher."""
    original = question.group_original()
    # The group's questions first: an OR across the join to questions was a sequential scan
    # of every answer (160 ms at 100,000).
    group = Question.objects.filter(Q(pk=original.pk) | Q(translation_of=original))
    members = (
        Answer.objects.published()
        .filter(question__in=group.values("pk"))
        .select_related("question")
        .only("question__slug", "question__language")
    )
    order = {code: index for index, code in enumerate(languages.codes())}
    pages = [(a.question.language, a.question.get_absolute_url()) for a in members]
    return sorted(pages, key=lambda page: order.get(page[0], len(order)))
