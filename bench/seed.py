"""Fill the benchmark database: 1,000 published answers of realistic size, 10 topics,
a shared library of 400 sources, 4 to 20 citations an answer, all through the workflow."""

import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qasite.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402

from answers.models import (  # noqa: E402
    Answer,
    Authorship,
    ContributorProfile,
    Disclaimer,
    Question,
    Topic,
)
from answers.roles import EDITOR, MEDICAL_REVIEWER, create_roles  # noqa: E402
from citations.models import Citation, Source  # noqa: E402

ANSWERS = int(os.getenv("BENCH_ANSWERS", "1000"))
WORDS = (
    "patients trial therapy review evidence outcome randomised cohort dose risk benefit "
    "relapse remission symptom treatment clinical safety efficacy placebo follow-up adverse "
    "quality life survival progression inflammation immune response cells antibody"
).split()


def sentence(rng, words=18):
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def main():
    rng = random.Random(42)
    started = time.time()
    create_roles()
    User = get_user_model()
    editor = User.objects.create_user("bench-editor", is_staff=True)
    editor.groups.add(Group.objects.get(name=EDITOR))
    reviewer = User.objects.create_user("bench-reviewer", is_staff=True)
    reviewer.groups.add(Group.objects.get(name=MEDICAL_REVIEWER))
    ContributorProfile.objects.create(
        user=reviewer, display_name="Dr Bench Reviewer", credentials="MD",
        disclosures="None declared",
    )  # fmt: skip
    writer = ContributorProfile.objects.create(
        user=editor, display_name="Bench Writer", credentials="MPH", disclosures="None declared"
    )
    Disclaimer.objects.create(
        title="Default",
        is_default=True,
        body="This question is drawn from common patient questions about {topic}. "
        "We do not provide individualized advice.",
    )
    topics = [Topic.objects.create(name=f"Topic {n}", slug=f"topic-{n}") for n in range(1, 11)]
    sources = [
        Source.objects.create(
            title=sentence(rng, 12),
            authors="; ".join(f"Author{i} AB" for i in range(rng.randint(1, 9))),
            container_title="Journal of Clinical Evidence",
            year=rng.randint(2000, 2026),
            volume=str(rng.randint(1, 400)),
            issue=str(rng.randint(1, 12)),
            pages=f"{n + 1}-{n + rng.randint(5, 20)}",
            doi=f"10.5555/bench.{n}",
            pmid=str(30000000 + n),
            evidence_type=rng.choice([kind for kind in Source.EvidenceType.values if kind]),
        )
        for n in range(400)
    ]
    for n in range(ANSWERS):
        cited = rng.sample(sources, rng.randint(4, 20))
        research = (
            " ".join(f"{sentence(rng, 25)} [{i}]" for i in range(1, len(cited) + 1))
            + "\n\n"
            + " ".join(sentence(rng, 20) for _ in range(6))
            + " [no citation needed]"  # a closing paragraph, as editors may mark one
        )
        question = Question.objects.create(
            text=f"Question {n}: does {rng.choice(WORDS)} {rng.choice(WORDS)} help with "
            f"{rng.choice(WORDS)}?",
            slug=f"question-{n}",
            topic=topics[n % len(topics)],
        )
        answer = Answer(
            question=question,
            short_answer=" ".join(sentence(rng) for _ in range(4)),
            research=research,
            doctor_questions="\n".join(sentence(rng, 10) for _ in range(5)),
            author=editor,
        )
        answer._history_user = editor
        answer.save()
        for number, source in enumerate(cited, start=1):
            citation = Citation(answer=answer, number=number, source=source)
            citation._history_user = editor
            citation.save()
        Authorship.objects.create(answer=answer, contributor=writer)
        answer.record_snapshots()
        answer.transition("submit", editor)
        answer.transition("approve", reviewer)
        if n % 100 == 99:
            print(f"  {n + 1} answers published ({time.time() - started:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
