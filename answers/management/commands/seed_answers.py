"""`manage.py seed_answers`: the benchmark's content (answers/seeding/)."""

import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, reset_queries, transaction
from django.db.models import Max

from answers import publication
from answers.models import Answer, Question
from answers.seeding.batch import Batch
from answers.seeding.cast import Cast
from answers.seeding.library import Library, seed_topics
from answers.seeding.prose import Prose
from answers.seeding.words import CONDITIONS, HANDFUL, STATES, TOPIC_GROUPS


class Command(BaseCommand):
    help = (
        "Fill the database with realistic content for benchmarks: topics, a shared library "
        "of sources, and --count answers with questions, citations, writers and workflow "
        "log; about 75% published (with rendered, searchable versions, some overdue for "
        "review), the rest drafts, in review, withdrawn, edited since approval or "
        "scheduled. Written in bulk: the revision history (simple_history) of seeded rows "
        "stays empty, so their timelines start at the next edit. Refuses a database that "
        f"has more than {HANDFUL} answers unless --append is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=1000, help="Answers to add.")
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same content.")
        parser.add_argument("--batch-size", type=int, default=2000, help="Answers per batch.")
        parser.add_argument(
            "--topics",
            type=int,
            default=300,
            help=f"Topics to use (at most {len(CONDITIONS) * len(TOPIC_GROUPS)}).",
        )
        parser.add_argument(
            "--sources", type=int, default=None, help="Sources to add (default: count / 4)."
        )
        parser.add_argument(
            "--append",
            action="store_true",
            help="Add to a database that already has answers (real or seeded).",
        )

    def handle(self, *args, count, seed, batch_size, topics, sources, append, **options):
        existing = Answer.objects.count()
        if existing > HANDFUL and not append:
            raise CommandError(
                f"This database already has {existing:,} answers. Seed an empty database, "
                "or pass --append to add to these."
            )
        if connection.vendor != "postgresql":
            raise CommandError("Seeding needs PostgreSQL (search vectors, bulk SQL).")
        sources = max(20, count // 4) if sources is None else sources
        if count < 1 or batch_size < 1 or sources < 12:
            raise CommandError("--count and --batch-size must be positive, --sources at least 12.")
        started = time.monotonic()
        first_serial = (Question.objects.aggregate(Max("pk"))["pk__max"] or 0) + 1
        # The same seed on a database holding other content makes other text.
        rng = random.Random(f"{seed}-{first_serial}")
        prose = Prose(rng)
        with transaction.atomic():
            cast = Cast(rng)
            topic_list = seed_topics(rng, prose, topics)
            library = Library(rng, prose, sources)
        self.stdout.write(
            f"{len(topic_list)} topics, {len(library.sources):,} new sources, "
            f"{len(cast.reviewers)} reviewers, {len(cast.writers)} writers "
            f"({time.monotonic() - started:.0f} s)"
        )
        states = [state for state, percent in STATES.items() for _ in range(count * percent // 100)]
        states += ["published"] * (count - len(states))
        rng.shuffle(states)
        seeder = Batch(rng, prose, cast, topic_list, library)
        for start in range(0, count, batch_size):
            with transaction.atomic():
                seeder.add(states[start : start + batch_size], first_serial + start)
            reset_queries()  # DEBUG keeps every query, and these are megabytes each
            done = min(start + batch_size, count)
            self.stdout.write(f"{done:,}/{count:,} answers ({time.monotonic() - started:.0f} s)")
            self.stdout.flush()
        if not connection.in_atomic_block:  # not in a test's transaction
            with connection.cursor() as cursor:
                # Fresh statistics for the planner, and the search index's pending list flushed.
                cursor.execute("VACUUM ANALYZE")
        publication.record(keys=[publication.EVERY_PAGE])
        self.stdout.write(f"Done in {time.monotonic() - started:.0f} s.")
