"""
The 100,000-answer figures (issue 12): the admin's answer list, its search box and each
filter, the reviewers' lists, the sources list (issue 25), public search, topic pages and
the sitemap, each requested in turn through Django's test client against a database
seeded by `seed_answers`, and the commands' time and peak memory (check_retractions
against recorded Crossref answers served on this machine). Prints a table, writes
bench/results/scale.json and the query plans (EXPLAIN ANALYZE) of each path's slowest
query to bench/results/scale-plans.txt.

    DATABASE_URL=postgres://…/qasite_bench100k bench/scale.sh

Timings are per request, inside the process (no network, no gunicorn): what the database
and Django cost. Each path is asked `ROUNDS` times, the paths interleaved, after one
warm-up round; the figure is the 95th percentile. The machine's load is recorded before
and after.
"""

import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qasite.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.admin import site as admin_site  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from answers.models import Answer, Topic  # noqa: E402
from citations.models import Source  # noqa: E402
from citations.tests import recorded_crossref  # noqa: E402
from patient_site.sitemaps import AnswerSitemap  # noqa: E402

ROUNDS = int(os.getenv("ROUNDS", "20"))
RESULTS = ROOT / "bench" / "results"
FIXTURES = ROOT / "citations" / "tests" / "fixtures"


def words():
    """A common and a rare word of the seeded texts, and a two-word query."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT word, ndoc FROM ts_stat("
            "'SELECT search_vector FROM answers_publishedversion WHERE search_vector IS NOT NULL') "
            "WHERE length(word) > 5 ORDER BY ndoc DESC"
        )
        rows = cursor.fetchall()
    picks = [rows[len(rows) // 50][0], rows[len(rows) * 3 // 4][0]]
    picks += [rows[len(rows) // 20][0], rows[len(rows) // 10][0]]
    common, rare, first, second = (as_written(lexeme) for lexeme in picks)
    return common, rare, f"{first} {second}"


def as_written(lexeme):
    """A word of the texts whose stem is `lexeme` ("diseas" is "disease"): what a person
    types, so that the search stems it as the index did."""
    for prefix in (lexeme, lexeme[:-1]):  # "pneumostomi" is written "pneumostomy"
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT lower(substring(t from %s)) FROM (SELECT question_text || ' ' || "
                "short_answer || ' ' || research_plain AS t FROM answers_publishedversion) v "
                "WHERE t ~* %s LIMIT 1",
                [rf"(?i)\m({prefix}[a-z-]*)", rf"\m{prefix}"],
            )
            row = cursor.fetchone()
        if row:
            return row[0]
    return lexeme


def paths():
    common, rare, pair = words()
    topic = Topic.objects.order_by("pk").first()
    big_topic = max(Topic.objects.all()[:50], key=lambda t: t.questions.count())
    last_sitemap_page = -(-Answer.objects.published().count() // AnswerSitemap.limit)
    admin = [
        ("admin: answer list", "/admin/answers/answer/"),
        ("admin: list, page 100", "/admin/answers/answer/?p=100"),
        ("admin: search, common word", f"/admin/answers/answer/?q={common}"),
        ("admin: search, rare word", f"/admin/answers/answer/?q={rare}"),
        ("admin: filter status=draft", "/admin/answers/answer/?status__exact=draft"),
        ("admin: filter status=in review", "/admin/answers/answer/?status__exact=in_review"),
        ("admin: filter status=published", "/admin/answers/answer/?status__exact=published"),
        ("admin: filter review=overdue", "/admin/answers/answer/?review=overdue"),
        ("admin: filter review=due", "/admin/answers/answer/?review=due"),
        ("admin: filter review=flagged", "/admin/answers/answer/?review=flagged"),
        ("admin: filter review=changed", "/admin/answers/answer/?review=changed"),
        ("admin: filter review=reported", "/admin/answers/answer/?review=reported"),
        ("admin: filter topic", f"/admin/answers/answer/?question__topic__id__exact={topic.pk}"),
        ("admin: due for review list", "/admin/desk/reviewqueue/"),
        ("admin: home (My work)", "/admin/"),
        ("admin: patient reports", "/admin/reports/report/?state=open"),
        *sources_paths(common),
    ]
    public = [
        ("public: search, common word", f"/search/?q={common}"),
        ("public: search, rare word", f"/search/?q={rare}"),
        ("public: search, two words", f"/search/?q={pair.replace(' ', '+')}"),
        ("public: topic page 1", big_topic.get_absolute_url()),
        ("public: topic page 3", f"{big_topic.get_absolute_url()}?page=3"),
        ("public: sitemap index", "/sitemap.xml"),
        ("public: sitemap, answers page 1", "/sitemap-answers.xml"),
        ("public: sitemap, answers last page", f"/sitemap-answers.xml?p={last_sitemap_page}"),
    ]
    return admin, public


def sources_paths(common):
    """Admin → Sources (25,000 at 100,000 answers): its first and a deep page, the year
    filter, a search, the sort by "cited in", and the citation inline's autocomplete."""
    years = Source.objects.exclude(year=None).order_by("year").values_list("year", flat=True)
    median_year = years[years.count() // 2]
    list_display = admin_site._registry[Source].list_display
    by_cited_in = list_display.index("cited_in") + 1  # after the action checkbox
    autocomplete = "/admin/autocomplete/?app_label=citations&model_name=citation&field_name=source"
    return [
        ("admin: sources list", "/admin/citations/source/"),
        ("admin: sources, page 100", "/admin/citations/source/?p=100"),
        ("admin: sources, filter year", f"/admin/citations/source/?year={median_year}"),
        ("admin: sources, search", f"/admin/citations/source/?q={common}"),
        ("admin: sources by cited in", f"/admin/citations/source/?o=-{by_cited_in}"),
        ("admin: source autocomplete", f"{autocomplete}&term={common[:3]}"),
    ]


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def measure(admin, public):
    user_model = get_user_model()
    superuser, _ = user_model.objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    staff, visitor = Client(), Client()
    staff.force_login(superuser)
    targets = [(name, url, staff) for name, url in admin] + [
        (name, url, visitor) for name, url in public
    ]
    samples = {name: [] for name, _, _ in targets}
    for round_number in range(ROUNDS + 1):
        for name, url, client in targets:
            started = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, (name, url, response.status_code)
            if round_number:  # the first round warms caches and connections
                samples[name].append(elapsed)
    return targets, samples


def plans(targets, samples, top=6):
    """EXPLAIN ANALYZE of the slowest query of the slowest paths."""
    slowest = sorted(targets, key=lambda t: -percentile(samples[t[0]], 0.95))[:top]
    out = []
    for name, url, client in slowest:
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        query = max(captured.captured_queries, key=lambda q: float(q["time"]))
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
            plan = "\n".join(row[0] for row in cursor.fetchall())
        out.append(f"## {name}: {url}\n\n{query['sql']}\n\n{plan}\n")
    return "\n".join(out)


# Crossref's answer for every DOI in check_retractions' run: the retraction notice's own
# record (no update notice, so the command changes no source). What the command costs
# beside the network.
RECORDED_CROSSREF = FIXTURES / "crossref/works_retraction_notice_10.1016_s0140-6736(20)31324-6.json"


# Runs one command as manage.py does, then prints its own peak memory (maxrss, in KB).
WITH_PEAK = (
    "import resource, runpy, sys\n"
    "sys.argv = ['manage.py', *sys.argv[1:]]\n"
    "try:\n"
    "    runpy.run_path('manage.py', run_name='__main__')\n"
    "finally:\n"
    "    print(f'peak_kb={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}', file=sys.stderr)\n"
)


def commands():
    """Each command's wall time and peak memory (maxrss) in a process of its own."""
    crossref, _ = recorded_crossref.serve(RECORDED_CROSSREF.read_bytes())
    env = {**os.environ, "CROSSREF_API_URL": f"http://127.0.0.1:{crossref.server_port}"}
    results = {}
    for command in (
        ["check_reviews_due"], ["check_citations"], ["check_jama"], ["check_retractions"]
    ):  # fmt: skip
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", WITH_PEAK, *command],
            cwd=ROOT, capture_output=True, text=True, env=env,
        )  # fmt: skip
        peak = re.search(r"peak_kb=(\d+)", done.stderr)
        results[command[0]] = {
            "seconds": round(time.perf_counter() - started, 1),
            "peak_mb": round(int(peak[1]) / 1024) if peak else None,
            "exit": done.returncode,
            "last_line": (done.stdout.strip().splitlines() or [""])[-1][:120],
        }
    crossref.shutdown()
    return results


def main():
    counts = {
        "answers": Answer.objects.count(),
        "published": Answer.objects.published().count(),
        "topics": Topic.objects.count(),
    }
    load_before = os.getloadavg()
    admin, public = paths()
    targets, samples = measure(admin, public)
    load_after = os.getloadavg()
    rows = {
        name: {
            "p50_ms": round(statistics.median(values), 1),
            "p95_ms": round(percentile(values, 0.95), 1),
            "url": url,
        }
        for (name, url, _), values in zip(targets, samples.values(), strict=True)
    }
    print(f"{counts} — {ROUNDS} requests a path; load {load_before[0]:.2f} → {load_after[0]:.2f}")
    print(f"{'path':36} {'p50 ms':>8} {'p95 ms':>8}  target")
    for name, row in rows.items():
        target = 300 if name.startswith("admin") else 50 if "search" in name else None
        verdict = "" if target is None else ("ok" if row["p95_ms"] < target else "MISSED")
        print(
            f"{name:36} {row['p50_ms']:8.1f} {row['p95_ms']:8.1f}  "
            f"{'< ' + str(target) if target else '':6} {verdict}"
        )
    ran = commands()
    for name, result in ran.items():
        seconds, peak, line = result["seconds"], result["peak_mb"], result["last_line"]
        print(f"{name:24} {seconds:7.1f} s  peak {peak} MB  {line}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "scale-plans.txt").write_text(plans(targets, samples))
    (RESULTS / "scale.json").write_text(
        json.dumps(
            {
                "counts": counts,
                "rounds": ROUNDS,
                "load": [load_before, load_after],
                "paths": rows,
                "commands": ran,
                "database": settings.DATABASES["default"]["NAME"],
            },
            indent=1,
        )  # fmt: skip
    )


if __name__ == "__main__":
    main()
