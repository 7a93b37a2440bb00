"""The seeded topics and the shared library of sources they cite."""

from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from answers import rendering
from answers.demo_content import DEMO_FILE, parse_answer_file
from answers.models import (
    Disclaimer,
    Topic,
)
from answers.seeding.prose import in_sentence, zipf_weights
from answers.seeding.words import (
    CONDITIONS,
    EVIDENCE,
    FAMILY_NAMES,
    INITIALS,
    JOURNALS,
    RETRACTIONS,
    SPECIAL_DISCLAIMERS,
    TOPIC_GROUPS,
)
from citations.formatting import format_reference
from citations.models import Source


def seed_topics(rng, prose, wanted):
    """`wanted` topics, conditions first, then the same for children, older adults and
    pregnancy; most use the site's default disclaimer (made if there is none), a fifth one
    of the specialised ones. Topics already there (same slug) are used as they are. Each
    gets `seed_words` (its name mid-sentence) and `seed_disclaimer_html` (what its answers
    show under them)."""
    default = Disclaimer.objects.default()
    if default is None:
        demo = parse_answer_file(DEMO_FILE.read_text(encoding="utf-8"))
        default = Disclaimer.objects.create(
            title="Standard disclaimer", body=demo["disclaimer"], is_default=True
        )
    special = [
        Disclaimer.objects.get_or_create(title=title, defaults={"body": body})[0]
        for title, body in SPECIAL_DISCLAIMERS.items()
    ]
    names = [condition + group for group in TOPIC_GROUPS for condition in CONDITIONS][:wanted]
    existing = {t.slug: t for t in Topic.objects.filter(slug__in=[slugify(n) for n in names])}
    new = []
    for name in names:
        if slugify(name) in existing:
            continue
        description = f"Answers to common questions about {in_sentence(name)}. " + prose.sentence()
        new.append(
            Topic(
                name=name,
                slug=slugify(name),
                description=description + ".",
                description_html=rendering.render_plain_markdown(description + "."),
                disclaimer=rng.choice(special) if rng.random() < 0.2 else None,
            )
        )
    Topic.objects.bulk_create(new)
    by_slug = {**existing, **{topic.slug: topic for topic in new}}
    topics = [by_slug[slugify(name)] for name in names]
    for topic in topics:
        # Answer.disclaimer_html() for the topic's answers, made once per topic.
        topic.seed_disclaimer_html = str((topic.disclaimer or default).render_for(topic.name))
        topic.seed_words = in_sentence(topic.name)
    return topics


class Library:
    """The shared sources the answers cite, a few cited by many answers, most by a few."""

    def __init__(self, rng, prose, count):
        self.rng = rng
        first = (Source.objects.aggregate(Max("pk"))["pk__max"] or 0) + 1
        sources = [
            self.source(prose, first + rank, flaggable=rank > count // 100) for rank in range(count)
        ]
        Source.objects.bulk_create(sources, batch_size=2000)
        self.sources = sources
        self.weights = zipf_weights(len(sources), offset=20)

    def source(self, prose, serial, flaggable):
        """A source; `flaggable` ones (all but the most cited) may be retracted, corrected
        or under an expression of concern (RETRACTIONS)."""
        rng = self.rng
        evidence, publication_types, _ = rng.choices(EVIDENCE, [e[2] for e in EVIDENCE])[0]
        # Most sources are recent: a median age of about four years.
        year = max(1990, timezone.localdate().year - round(rng.expovariate(1 / 6)))
        kind = Source.Kind.ARTICLE
        if evidence == Source.EvidenceType.GUIDELINE:
            kind = Source.Kind.REPORT
        elif evidence == Source.EvidenceType.OTHER:
            kind = rng.choice([Source.Kind.WEBPAGE, Source.Kind.BOOK, Source.Kind.CHAPTER])
        article = kind == Source.Kind.ARTICLE
        authors = [
            rng.choice(FAMILY_NAMES) + " " + "".join(rng.sample(INITIALS, rng.randint(1, 2)))
            for _ in range(rng.randint(1, 6))
        ]
        if rng.random() < 0.3:
            authors.append("et al")
        first_page = rng.randint(1, 3000)
        source = Source(
            kind=kind,
            authors="; ".join(authors),
            title=prose.sentence(),
            container_title=rng.choice(JOURNALS) if article else "",
            year=year,
            volume=str(rng.randint(1, 420)) if article else "",
            issue=str(rng.randint(1, 24)) if article and rng.random() < 0.8 else "",
            pages=f"{first_page}-{first_page + rng.randint(3, 15)}" if article else "",
            # 10.5555 is Crossref's test prefix: no seeded DOI can name a real paper.
            doi=f"10.5555/seed.{year}.{serial}" if article and rng.random() < 0.95 else "",
            pmid=str(20_000_000 + serial) if article and rng.random() < 0.85 else "",
            url="" if article else f"https://guidelines.example.org/{serial}",
            evidence_type=evidence,
            publication_types=publication_types,
        )
        status = ""
        if flaggable:
            status = rng.choices(list(RETRACTIONS), list(RETRACTIONS.values()))[0]
        if status:
            source.retraction_status = status
            source.retraction_notice_url = f"https://notices.example.org/{serial}"
            source.retraction_checked_at = timezone.now()
        # What Source.save() would store; bulk_create does not call it.
        source.formatted = format_reference(source)
        return source

    def pick(self, count):
        """`count` different sources."""
        chosen = {}
        while len(chosen) < count:
            for source in self.rng.choices(self.sources, cum_weights=self.weights, k=count):
                chosen.setdefault(source.pk, source)
        return list(chosen.values())[:count]
