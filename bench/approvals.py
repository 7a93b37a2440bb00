"""
The editorial team of bench/zipf.sh: a Django process on the benchmark's database that
approves answers while the load reads the site, through the real workflow, so that each
approval purges what the code purges (the page cache's keys, Redis, Varnish).

    approvals.py pages OUT.json   # the pages the load reads, answers in popularity order
    approvals.py run PAGES.json LOG.jsonl

`pages` lists the live answers, the topic pages and the search words, with a seeded
popularity rank for the answers (bench/zipf.py draws from it). `run` follows the timeline
both share (ZIPF_T0 and the phases' minutes, see zipf.py): in each minute of the measured
phases, 20 s into it, one live answer among the most read is edited (a sentence added to
its short answer), submitted by an editor and approved by a medical reviewer, as in the
admin; at ZIPF_BURST_MINUTE of the "after" phase, ten in a row instead. In the "before"
phase each approval is followed by a purge of every page
(`publication.record(keys=[EVERY_PAGE])`), which is what each approval did before
surrogate keys. Each approval is logged as a JSON line: its times, answer, address and the
SQL statements it ran.
"""

import json
import math
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qasite.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from phases import phases  # noqa: E402 (bench/phases.py, beside this script)

from answers import publication  # noqa: E402
from answers.models import Answer, Topic  # noqa: E402
from answers.seeding.words import COMMON_WORDS  # noqa: E402
from answers.workflow import Status, TransitionError  # noqa: E402
from patient_site.views import TOPIC_PAGE_SIZE  # noqa: E402

SEED = int(os.environ.get("ZIPF_SEED", "1"))
# The answers approved are drawn from the most read: an approval of a page nobody reads
# would show nothing at either layer.
APPROVE_AMONG = int(os.environ.get("ZIPF_APPROVE_AMONG", "1000"))
SEARCH_WORDS = 40
# Into each minute: the rest of it shows what the approval cost.
SECOND_OF_MINUTE = 20
BURST = 10


def pages(out):
    """Write the pages the load reads (see the module's docstring)."""
    rng = random.Random(SEED)
    answers = list(
        Answer.objects.published()
        .select_related("question__topic", "live_version")
        .only(
            "status",
            "question__slug",
            "question__language",
            "question__topic__slug",
            "question__topic__language",
            "live_version__question_text",
        )  # fmt: skip
        .order_by("pk")
    )
    # Where each answer is listed on its topic: the topic page's own order.
    listed = {}
    for answer in answers:
        listed.setdefault(answer.question.topic_id, []).append(answer)
    place = {}
    for members in listed.values():
        members.sort(key=lambda a: (a.live_version.question_text, a.pk))
        for index, answer in enumerate(members):
            place[answer.pk] = index // TOPIC_PAGE_SIZE + 1
    rng.shuffle(answers)  # the popularity rank: seeded, unrelated to age or topic
    topics = Topic.objects.with_published_answers().order_by("pk")
    data = {
        "seed": SEED,
        "answers": [
            {
                "id": answer.pk,
                "url": answer.get_absolute_url(),
                "topic": answer.question.topic.get_absolute_url(),
                "topic_page": place[answer.pk],
                "approvable": answer.status == Status.PUBLISHED,
            }
            for answer in answers
        ],
        "topics": [
            {
                "url": topic.get_absolute_url(),
                "pages": math.ceil(topic.answer_count / TOPIC_PAGE_SIZE),
            }
            for topic in topics
        ],
        "search_words": COMMON_WORDS[:SEARCH_WORDS],
    }
    rng.shuffle(data["topics"])
    with open(out, "w") as file:
        json.dump(data, file)
    print(f"{len(answers):,} live answers, {len(data['topics'])} topics", file=sys.stderr)


class Statements:
    """Counts the SQL statements this process runs: an upper bound of its transactions in
    PostgreSQL's count, which the load's report subtracts."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def approve(answer_id, editor, reviewer, note):
    """Edit a live answer slightly, submit it and approve it, as the admin does."""
    answer = Answer.objects.select_related("question").get(pk=answer_id)
    if answer.status != Status.PUBLISHED:
        raise TransitionError(f"it is {answer.status}")
    with transaction.atomic():
        answer.short_answer = f"{answer.short_answer.rstrip()} {note}"
        answer._history_user = editor
        answer._change_reason = "Benchmark edit"
        answer.save()
        answer.record_edit(editor)
    answer.submit(editor)
    answer.approve(reviewer, update_note=note)
    return answer.get_absolute_url()


def run(pages_file, log_file):
    data = json.load(open(pages_file))
    rng = random.Random(SEED)
    candidates = [a for a in data["answers"][:APPROVE_AMONG] if a["approvable"]]
    rng.shuffle(candidates)
    User = get_user_model()
    editor = User.objects.filter(username__startswith="seed-editor-").order_by("pk").first()
    reviewer = User.objects.filter(username__startswith="seed-reviewer-").order_by("pk").first()
    burst_minute = int(os.environ.get("ZIPF_BURST_MINUTE", "5"))
    every_page = getattr(publication, "EVERY_PAGE", None)
    schedule = []  # (epoch time, phase, how many)
    for name, start, end in phases():
        if name == "warm-up":
            continue
        for minute in range(int((end - start) // 60)):
            many = BURST if name == "after" and minute == burst_minute else 1
            schedule.append((start + 60 * minute + SECOND_OF_MINUTE, name, many, minute))
    statements = Statements()
    log = open(log_file, "a", buffering=1)
    with connection.execute_wrapper(statements):
        for when, phase, many, minute in schedule:
            time.sleep(max(0.0, when - time.time()))
            for _ in range(many):
                while candidates:
                    answer = candidates.pop()
                    before, started = statements.count, time.time()
                    note = f"Checked again ({phase}, minute {minute + 1})."
                    try:
                        url = approve(answer["id"], editor, reviewer, note)
                    except TransitionError as error:
                        print(f"skipped answer {answer['id']}: {error}", file=sys.stderr)
                        continue
                    approved = time.time()
                    if phase == "before":
                        # What an approval did before surrogate keys: every page, everywhere.
                        with transaction.atomic():
                            publication.record(**({"keys": [every_page]} if every_page else {}))
                    row = {
                        "phase": phase, "minute": minute + 1, "started": started,
                        "approved": approved, "ended": time.time(), "id": answer["id"],
                        "url": url, "topic": answer["topic"],
                        "topic_page": answer["topic_page"],
                        "statements": statements.count - before,
                        "purged_every_page": phase == "before",
                    }  # fmt: skip
                    log.write(json.dumps(row) + "\n")
                    break
    # The purge's follow-up round (delivery/proxy_purge.py) runs in a daemon thread.
    time.sleep(3)


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    {"pages": pages, "run": run}[command](*args)
