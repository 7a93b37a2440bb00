"""
The demo answer: a real published answer taken apart into fields (answers/demo/*.md), and
its Spanish translation, example content for the translation workflow.

`parse_answer_file` reads the file's format (`# Section` headings, `## N` references with
`- key: value` lines); `load_answer_file` stores it once, and `load_translation_file` its
translation once. Loading twice changes nothing: existing objects are found by slug, DOI,
PMID or translation group and left as editors may have changed them.
"""

import re
from datetime import date
from pathlib import Path

from django.db import transaction
from django.utils.text import slugify

from answers import languages, translation
from answers.models import Answer, Authorship, Disclaimer, Question, Topic
from citations.models import Citation, Source, normalize_doi

DEMO_FILE = Path(__file__).resolve().parent / "demo" / "car-t-ms.md"
# The translation's file has the same sections but no references (it cites the original's
# sources), plus its page's slug and the public update note that marks it as an example.
DEMO_TRANSLATION_FILE = DEMO_FILE.with_name("car-t-ms.es.md")
DEMO_TRANSLATION_LANGUAGE = "es"

EVIDENCE_TYPES = {
    "systematic review": Source.EvidenceType.SYSTEMATIC_REVIEW,
    "meta-analysis": Source.EvidenceType.SYSTEMATIC_REVIEW,
    "narrative review": Source.EvidenceType.NARRATIVE_REVIEW,
    "review": Source.EvidenceType.NARRATIVE_REVIEW,
    "randomized controlled trial": Source.EvidenceType.RCT,
    "phase 1 clinical trial": Source.EvidenceType.PHASE_1,
    "phase 2 clinical trial": Source.EvidenceType.PHASE_2,
    "phase 3 clinical trial": Source.EvidenceType.PHASE_3,
    "guideline": Source.EvidenceType.GUIDELINE,
}


def parse_answer_file(text):
    """The file's sections as a dict; "references" maps each number to its fields."""
    text = re.sub(r"<!--.*?-->", "", text, flags=re.DOTALL)
    sections, current = {}, None
    for line in text.splitlines():
        heading = re.match(r"^# (.+)$", line)
        if heading:
            current = heading.group(1).strip().lower()
            sections[current] = []
        elif current:
            sections[current].append(line)
    parsed = {name: "\n".join(lines).strip() for name, lines in sections.items()}
    parsed["references"] = _parse_references(sections.get("references", []))
    return parsed


def _parse_references(lines):
    references, number = {}, None
    for line in lines:
        heading = re.match(r"^## (\d+)\s*$", line)
        field = re.match(r"^- ([^:]+):\s*(.*)$", line)
        if heading:
            number = int(heading.group(1))
            references[number] = {}
        elif field and number is not None:
            references[number][field.group(1).strip().lower()] = field.group(2).strip()
    return references


def _source_fields(reference):
    authors = reference.get("authors", "")
    notes = []
    affiliation = re.search(r"\s*\(([^)]*)\)\s*$", authors)
    if affiliation:
        notes.append(f"Authors' institution: {affiliation.group(1)}")
        authors = authors[: affiliation.start()]
    if reference.get("trial registration"):
        notes.append(f"Trial registration: {reference['trial registration']}")
    return {
        "authors": authors.strip().rstrip("."),
        "title": reference.get("title", ""),
        "container_title": reference.get("journal", ""),
        # As PubMed's record gives it (MEDLINE's TA); see citations/journals.py.
        "journal_abbreviation": reference.get("journal abbreviation", ""),
        "year": int(reference["year"]) if reference.get("year") else None,
        "published_online": _date(reference.get("published online")),
        "volume": reference.get("volume", ""),
        "issue": reference.get("issue", ""),
        "pages": reference.get("pages", ""),
        "doi": reference.get("doi", ""),
        "pmid": reference.get("pmid", ""),
        "url": reference.get("url", ""),
        "accessed": _date(reference.get("accessed")),
        # Not set when the file does not say: a reviewer sets it before approval.
        "evidence_type": EVIDENCE_TYPES.get(
            reference.get("type", "").lower(), Source.EvidenceType.NOT_SET
        ),
        "notes": "\n".join(notes),
    }


def _date(text):
    return date.fromisoformat(text) if text else None


def _find_or_create_source(reference):
    fields = _source_fields(reference)
    fields["doi"] = normalize_doi(fields["doi"])
    existing = Source.objects.same_as(fields["doi"], fields["pmid"])
    if existing:
        return existing, False
    return Source.objects.get_or_create(title=fields["title"], defaults=fields)


@transaction.atomic
def load_answer_file(path=DEMO_FILE, editor=None, reviewer=None):
    """Store the answer in `path`, submitted by `editor` and approved by `reviewer` when
    both are given. Returns the answer and the objects created."""
    parsed = parse_answer_file(Path(path).read_text(encoding="utf-8"))
    created = []

    def remember(obj, was_created):
        if was_created:
            created.append(obj)
        return obj

    disclaimer = Disclaimer.objects.filter(body=parsed["disclaimer"]).first()
    if disclaimer is None:
        disclaimer = remember(
            Disclaimer.objects.create(
                title="Standard disclaimer",
                body=parsed["disclaimer"],
                is_default=not Disclaimer.objects.filter(is_default=True).exists(),
            ),
            True,
        )
    topic = remember(
        *Topic.objects.get_or_create(
            slug=slugify(parsed["topic"]),
            defaults={"name": parsed["topic"], "disclaimer": disclaimer},
        )
    )
    question_text = parsed["question"]
    question = remember(
        *Question.objects.get_or_create(
            slug=slugify(question_text)[:200].strip("-"),
            defaults={"text": question_text, "topic": topic},
        )
    )
    answer = Answer.objects.filter(question=question).first()
    if answer is None:
        answer = remember(
            Answer.objects.create(
                question=question,
                short_answer=parsed["short answer"],
                research=parsed["what the research says"],
                doctor_questions=parsed["what to ask your doctor"],
            ),
            True,
        )
    for number, reference in sorted(parsed["references"].items()):
        source = remember(*_find_or_create_source(reference))
        remember(
            *Citation.objects.get_or_create(
                answer=answer, number=number, defaults={"source": source}
            )
        )
    writer = getattr(editor, "contributor_profile", None)
    if answer in created and writer is not None:
        remember(Authorship.objects.create(answer=answer, contributor=writer), True)
    if answer in created:
        answer.record_edit(editor)
        if editor and reviewer:
            answer.transition("submit", editor, comment="Demo content")
            answer.transition("approve", reviewer, comment="Demo content")
    return answer, created


@transaction.atomic
def load_translation_file(
    original, path=DEMO_TRANSLATION_FILE, language=DEMO_TRANSLATION_LANGUAGE, editor=None,
    reviewer=None, original_path=DEMO_FILE,
):  # fmt: skip
    """Store the translation in `path` of `original` into `language`, as an editor would
    make it in the admin: the disclaimer and topic in that language, then the translation
    started from the original's live version (answers/translation.py) with the file's
    texts, the editor its translator. Submitted by `editor` and approved by `reviewer` (who
    must review in `language`) when both are given, with the file's public update note.
    Returns the translation and the objects created; nothing is created if the original
    already has a translation into `language`.

    The file translates the text in `original_path`, so it is loaded only while that is
    the text on the site: a translation says what the approved version it follows says.
    Otherwise TranslationRefused says why."""
    existing = original.question.in_language(language)
    if existing is not None:
        if not hasattr(existing, "answer"):
            raise translation.TranslationRefused(
                f"the demo question's translation “{existing}” has no answer yet."
            )
        return existing.answer, []
    live = original.live_version
    if live is None:
        raise translation.TranslationRefused(
            "the demo answer is not on the site, and a translation starts from an approved version."
        )
    english = parse_answer_file(Path(original_path).read_text(encoding="utf-8"))
    if [live.short_answer, live.research, live.doctor_questions] != [
        english["short answer"], english["what the research says"],
        english["what to ask your doctor"],
    ]:  # fmt: skip
        raise translation.TranslationRefused(
            f"the demo answer on the site is no longer the text of {Path(original_path).name} "
            "(an editor changed it), and the demo translation translates that text."
        )
    parsed = parse_answer_file(Path(path).read_text(encoding="utf-8"))
    created = []
    topic = original.question.topic
    disclaimer = _translated_disclaimer(
        original.effective_disclaimer(), parsed["disclaimer"], language, editor, created
    )
    translated_topic = topic.in_language(language)
    if translated_topic is None:
        translated_topic = Topic(
            name=parsed["topic"],
            slug=slugify(parsed["topic"]),
            language=language,
            translation_of=topic,
            # As the original topic: its own disclaimer, or none (the site default applies).
            disclaimer=disclaimer if topic.disclaimer_id else None,
        )
        _save_new(translated_topic, editor, created)
    draft = translation.start(
        original,
        language,
        parsed["question"],
        parsed.get("slug") or slugify(parsed["question"])[:200].strip("-"),
        user=editor,
        topic=translated_topic,
    )
    created += [draft.question, draft]
    draft.short_answer = parsed["short answer"]
    draft.research = parsed["what the research says"]
    draft.doctor_questions = parsed["what to ask your doctor"]
    draft._history_user = editor
    draft._change_reason = f"Translated into {languages.english_name(language)}"
    draft.save()
    draft.record_edit(editor)
    if editor and reviewer:
        draft.transition("submit", editor, comment="Demo content: an example translation")
        draft.transition(
            "approve",
            reviewer,
            comment="Demo content: an example translation",
            update_note=parsed.get("update note", ""),
        )
    return draft, created


def _translated_disclaimer(original, body, language, user, created):
    """`original`'s translation into `language` (with `body` if there is none yet)."""
    if original is None:
        return None
    existing = original.in_language(language)
    if existing is not None:
        return existing
    disclaimer = Disclaimer(
        title=f"{original.title} ({languages.english_name(language)})",
        body=body,
        language=language,
        translation_of=original,
        is_default=original.is_default and Disclaimer.objects.default(language) is None,
    )
    _save_new(disclaimer, user, created)
    return disclaimer


def _save_new(record, user, created):
    record.full_clean()
    record._history_user = user
    record.save()
    created.append(record)
