"""
The demo answer: a real published answer taken apart into fields (answers/demo/*.md).

`parse_answer_file` reads the file's format (`# Section` headings, `## N` references with
`- key: value` lines); `load_answer_file` stores it once. Loading twice changes nothing:
existing objects are found by slug, DOI or PMID and left as editors may have changed them.
"""

import re
from datetime import date
from pathlib import Path

from django.db import transaction
from django.utils.text import slugify

from answers.models import Answer, Authorship, Disclaimer, Question, Topic
from citations.models import Citation, Source, normalize_doi

DEMO_FILE = Path(__file__).resolve().parent / "demo" / "car-t-ms.md"

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
