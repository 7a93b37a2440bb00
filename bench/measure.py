"""
The measuring half of bench/run.sh, which starts the servers and then runs this.

Every target is loaded in turn with the same wrk settings, and the whole sequence is run
several times (A B C ... H, then again), so that a busy spell on this shared machine
hits every target about alike. A target's figure is its median over the rounds; a ratio is
the median of the ratios within each round. Next to each measurement it records what
else the machine was doing: the load average before and after, and the CPU used by
processes that are not the benchmark's ("others", in cores; the benchmark itself needs
both cores).

Queries per request are counted two ways: by Django in the process (bench/queries.py,
read from QUERIES_FILE), and under load from PostgreSQL's own count of transactions in
the target's database (autocommit: one statement, one transaction).

Standard library only; the targets come from the environment run.sh sets.
`measure.py --report results/latest.json` summarises a saved run again.
"""

import json
import os
import re
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field

from machine import (
    TICKS,
    children_ticks,
    cpu_busy_ticks,
    loadavg,
    nproc,
    ours,
    process_ticks,
    transactions,
    varnish_counters,
)

SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "6"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
# A run counts as quiet when other processes and the hypervisor (stolen time) took at
# most this many cores from it.
QUIET_CORES = float(os.environ.get("BENCH_QUIET_CORES", "0.15"))
WARMUP_SECONDS = 3
PORT = {name: os.environ[f"PORT_{name.upper()}"] for name in ("nginx", "varnish", "app", "off")}
PORT.update(floor=os.environ["PORT_FLOOR"], wagtail=os.environ["PORT_WAGTAIL"])
ANSWER = os.environ["ANSWER_PATH"]
WAGTAIL_PATH = os.environ["WAGTAIL_PATH"]
TOPIC = os.environ.get("TOPIC_PATH", "/topics/topic-3/")


@dataclass
class Target:
    name: str
    label: str
    port: str
    path: str
    database: str = ""  # for the count of transactions under load
    headers: tuple = ()  # sent with every request, besides X-Forwarded-Proto
    runs: list = field(default_factory=list)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}{self.path}"


TARGETS = [
    Target("nginx", "nginx: the saved answer page as a static file", PORT["nginx"], ANSWER),
    Target("varnish", "answer page through Varnish", PORT["varnish"], ANSWER),
    Target("warm", "answer page, warm page cache (Redis)", PORT["app"], ANSWER, "qasite_bench"),
    Target(
        "304",
        "answer page, If-None-Match (304), warm",
        PORT["app"],
        ANSWER,
        "qasite_bench",
        ("If-None-Match: " + os.environ.get("ANSWER_ETAG", ""),),
    ),
    Target("home", "home page, warm", PORT["app"], "/", "qasite_bench"),
    Target("topic", "topic page (100 answers), warm", PORT["app"], TOPIC, "qasite_bench"),
    Target("off", "answer page, page cache off", PORT["off"], ANSWER, "qasite_bench_off"),
    Target(
        "floor", "Django floor: stored HTML, one query", PORT["floor"], ANSWER, "qasite_bench_floor"
    ),
    Target(
        "wagtail",
        "Wagtail 7.0 page, RichTextField",
        PORT["wagtail"],
        WAGTAIL_PATH,
        "qasite_bench_wagtail",
    ),
]
BY_NAME = {target.name: target for target in TARGETS}

# name, numerator, denominator, target ("min" ratio, or None when it is for information)
RATIOS = [
    ("answer warm / Wagtail", "warm", "wagtail", 12.0),
    ("answer warm / Django floor", "warm", "floor", 1.5),
    ("cache off / Django floor", "off", "floor", 1.0),
    ("Varnish / nginx static", "varnish", "nginx", 0.5),
    ("home warm / answer warm", "home", "warm", 0.8),
    ("topic warm / answer warm", "topic", "warm", 0.8),
    ("answer 304 / answer warm", "304", "warm", 0.95),
    ("answer warm / cache off", "warm", "off", None),
    ("Django floor / Wagtail", "floor", "wagtail", None),
]


def wrk(url, seconds, headers=()):
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{CONNECTIONS}",
            f"-d{seconds}s",
            "--latency",
            "-H",
            "X-Forwarded-Proto: https",
            *(item for header in headers for item in ("-H", header)),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result = {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "p50": latency_ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)),
        "p99": latency_ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)),
        "non2xx": 0,
        "socket_errors": 0,
    }
    if found := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        result["non2xx"] = int(found.group(1))
    if found := re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    ):
        # gunicorn's sync workers close each connection after the response: wrk counts
        # some of those closes as read errors; timeouts and refused connects are real.
        result["socket_errors"] = int(found.group(1)) + int(found.group(4))
    return result


def latency_ms(text):
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def measure(target, databases):
    """One wrk run of `target`, with what the machine did meanwhile."""
    xacts = transactions(target.database)
    counters = varnish_counters() if target.name == "varnish" else {}
    load_before = loadavg()
    processes = process_ticks()
    busy, steal = cpu_busy_ticks()
    children = children_ticks()
    started = time.monotonic()
    result = wrk(target.url, SECONDS, target.headers)
    elapsed = time.monotonic() - started
    busy_after, steal_after = cpu_busy_ticks()
    children_after = children_ticks()
    processes_after = process_ticks()
    result["load_before"], result["load_after"] = load_before, loadavg()
    mine = ours(processes_after, databases)
    ours_ticks = children_after - children  # wrk, which has exited by now
    others = {}
    for pid, (ticks, _, command) in processes_after.items():
        used = ticks - processes.get(pid, (0, 0, ""))[0]  # new: all in this run
        if pid in mine:
            ours_ticks += used
        elif used > 0:
            others[command] = others.get(command, 0) + used
    scale = elapsed * TICKS
    result["others_cores"] = max(0.0, (busy_after - busy - ours_ticks) / scale)
    result["steal"] = (steal_after - steal) / scale
    result["top_others"] = [
        f"{command} {ticks / scale:.2f}"
        for command, ticks in sorted(others.items(), key=lambda item: -item[1])[:3]
        if ticks / scale >= 0.05
    ]
    result["xacts"] = transactions(target.database) - xacts if target.database else None
    after = varnish_counters() if counters else {}
    if after:
        hits = after["MAIN.cache_hit"] - counters["MAIN.cache_hit"]
        misses = after["MAIN.cache_miss"] - counters["MAIN.cache_miss"]
        result["varnish_hit"] = hits / max(1, hits + misses)
        result["backend_requests"] = after["MAIN.backend_req"] - counters["MAIN.backend_req"]
    return result


def median(values):
    return statistics.median(values) if values else float("nan")


def quiet(run):
    """Nothing else ran meanwhile: neither other processes here nor, as far as the
    hypervisor's stolen time tells, other machines on the same host."""
    return run["others_cores"] + run["steal"] <= QUIET_CORES


def ratio_rounds(top, bottom, quiet_only=False):
    pairs = zip(BY_NAME[top].runs, BY_NAME[bottom].runs, strict=True)
    return [a["rps"] / b["rps"] for a, b in pairs if not quiet_only or (quiet(a) and quiet(b))]


def queries_table():
    path = os.environ.get("QUERIES_FILE")
    if not path or not os.path.exists(path):
        return {}
    rows = {}
    for line in open(path):
        row = json.loads(line)
        rows[row["page"]] = row
    return rows


def spread(values, digits=0):
    return f"{min(values):.{digits}f}-{max(values):.{digits}f}" if values else "-"


def report(queries, started, finished):
    """The summary: medians per target and ratios, over the quiet runs when there are at
    least two (the verdicts use those), and over all runs."""
    print()
    print(
        f"qasite {os.environ.get('BENCH_COMMIT', '?')}. "
        f"Started {started}, finished {finished}; nproc {nproc()}; wrk -t2 -c{CONNECTIONS}, "
        f"{SECONDS} s a run, {ROUNDS} rounds; gunicorn: 2 sync workers. A run is quiet when "
        f"processes outside the benchmark and stolen time took at most {QUIET_CORES:g} "
        "cores meanwhile."
    )
    print()
    header = (
        f"{'target':<8} {'quiet req/s':>11} {'n':>2} {'all req/s':>9} {'min-max':>12} "
        f"{'p50 ms':>6} {'p99 ms':>6} {'queries':>8} {'xacts/req':>9} {'others':>6} {'steal':>5}"
    )
    print(header)
    print("-" * len(header))
    for target in TARGETS:
        runs = target.runs
        calm = [run for run in runs if quiet(run)] if sum(map(quiet, runs)) >= 2 else runs
        q = queries.get(target.name)
        q_text = f"{q['then']}" if q else "-"
        if q and q["first"] != q["then"]:
            q_text = f"{q['then']} ({q['first']})"
        xacts = [run["xacts"] for run in runs if run["xacts"] is not None]
        per_request = f"{sum(xacts) / sum(run['requests'] for run in runs):.2f}" if xacts else "-"
        rps = [run["rps"] for run in runs]
        quiet_rps = [run["rps"] for run in runs if quiet(run)]
        print(
            f"{target.name:<8} {median(quiet_rps):>11.0f} {len(quiet_rps):>2} {median(rps):>9.0f} "
            f"{spread(rps):>12} {median([r['p50'] for r in calm]):>6.2f} "
            f"{median([r['p99'] for r in calm]):>6.2f} {q_text:>8} {per_request:>9} "
            f"{median([r['others_cores'] for r in runs]):>6.2f} "
            f"{median([r['steal'] for r in runs]):>5.2f}"
        )
    print()
    print("quiet req/s: median of the quiet runs (n of them); p50 and p99: medians of the")
    print("quiet runs if at least 2, else of all. queries: counted by Django in the process,")
    print("steady state (a cold request, for the app a page-cache miss, in brackets).")
    print("xacts/req: PostgreSQL transactions in the target's database during its runs, per")
    print("request served. others: median cores used by processes outside the benchmark;")
    print("steal: median cores the hypervisor gave to other machines.")
    varnish = [run for run in BY_NAME["varnish"].runs if "varnish_hit" in run]
    print(
        f"Varnish hit rate {median([r['varnish_hit'] for r in varnish]):.2%}, "
        f"{sum(r['backend_requests'] for r in varnish)} backend fetches in all "
        f"({len(varnish)} of {len(BY_NAME['varnish'].runs)} runs counted)."
    )
    print()
    print(
        f"{'ratio':<27} {'quiet':>6} {'n':>2} {'min-max':>10} {'all':>6} {'min-max':>10} "
        f"{'target':>7}  holds"
    )
    verdicts = {}
    for name, top, bottom, goal in RATIOS:
        every, calm = ratio_rounds(top, bottom), ratio_rounds(top, bottom, quiet_only=True)
        value = median(calm) if len(calm) >= 2 else median(every)
        holds = "" if goal is None else ("yes" if value >= goal else "NO")
        print(
            f"{name:<27} {median(calm):>6.2f} {len(calm):>2} {spread(calm, 2):>10} "
            f"{median(every):>6.2f} {spread(every, 2):>10} "
            f"{'' if goal is None else f'>= {goal:g}':>7}  {holds}"
        )
        if goal is not None:
            verdicts[name] = holds
    warm = BY_NAME["warm"].runs
    calm = [run for run in warm if quiet(run)]
    warm_p99 = median([run["p99"] for run in (calm if len(calm) >= 2 else warm)])
    verdicts["answer warm p99 <= 10 ms"] = "yes" if warm_p99 <= 10 else "NO"
    print()
    verdict = verdicts["answer warm p99 <= 10 ms"]
    print(f"answer warm p99 {warm_p99:.2f} ms (target <= 10 ms): {verdict}")
    for name, limit in (("warm", 0), ("off", 2)):
        if q := queries.get(name):
            verdict = "yes" if q["then"] <= limit else "NO"
            verdicts[f"{name} queries <= {limit}"] = verdict
            print(f"{name} queries per request {q['then']} (target <= {limit}): {verdict}")
    if any(len(ratio_rounds(top, bottom, True)) < 2 for _, top, bottom, _ in RATIOS):
        print()
        print("Fewer than 2 quiet rounds for some ratios: the verdicts above use all rounds.")
        print("The machine was busy; run again at a quieter moment.")
    return {
        "commit": os.environ.get("BENCH_COMMIT", ""),
        "started": started,
        "finished": finished,
        "seconds": SECONDS,
        "rounds": ROUNDS,
        "connections": CONNECTIONS,
        "quiet_cores": QUIET_CORES,
        "nproc": nproc(),
        "targets": {t.name: {"label": t.label, "url": t.url, "runs": t.runs} for t in TARGETS},
        "queries": queries,
        "ratios": {name: ratio_rounds(top, bottom) for name, top, bottom, _ in RATIOS},
        "verdicts": verdicts,
    }


def others_now(seconds=5):
    """Cores used by processes outside the benchmark over a few idle seconds."""
    processes, (busy, _) = process_ticks(), cpu_busy_ticks()
    time.sleep(seconds)
    processes_after, (busy_after, _) = process_ticks(), cpu_busy_ticks()
    mine = ours(processes_after, {t.database for t in TARGETS if t.database})
    used = sum(
        ticks - processes.get(pid, (0, 0, ""))[0]
        for pid, (ticks, _, _) in processes_after.items()
        if pid in mine
    )
    return max(0.0, (busy_after - busy - used) / (seconds * TICKS))


def main():
    if sys.argv[1:2] == ["--report"]:  # summarise a saved run again
        saved = json.load(open(sys.argv[2]))
        for target in TARGETS:
            target.runs = saved["targets"][target.name]["runs"]
        report(saved["queries"], saved["started"], saved["finished"])
        return 0
    databases = {target.database for target in TARGETS if target.database}
    queries = queries_table()
    started = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    idle = others_now()
    print(f"Before the load, processes outside the benchmark used {idle:.2f} cores")
    if idle > QUIET_CORES:
        print("  the machine is busy: expect noisy runs (uptime, top: who is it?)")
    print(f"Warming up each target for {WARMUP_SECONDS} s")
    for target in TARGETS:
        wrk(target.url, WARMUP_SECONDS, target.headers)
    for number in range(1, ROUNDS + 1):
        print(f"Round {number}/{ROUNDS} (* a run that was not quiet)", flush=True)
        for target in TARGETS:
            run = measure(target, databases)
            target.runs.append(run)
            problems = []
            if run["non2xx"]:
                problems.append(f"{run['non2xx']} non-2xx responses")
            if run["socket_errors"]:
                problems.append(f"{run['socket_errors']} connect errors or timeouts")
            extra = f"  hit {run['varnish_hit']:.1%}" if "varnish_hit" in run else ""
            xacts = run["xacts"]
            if xacts is not None:
                extra += f"  xacts/req {xacts / max(1, run['requests']):.2f}"
            print(
                f"{' ' if quiet(run) else '*'} {target.name:<8} {run['rps']:>8.0f} req/s  "
                f"p50 {run['p50']:6.2f} ms  "
                f"p99 {run['p99']:6.2f} ms  load {run['load_before']:.2f}->{run['load_after']:.2f}"
                f"  others {run['others_cores']:.2f} steal {run['steal']:.2f}{extra}"
                + (f"  [{'; '.join(run['top_others'])}]" if run["top_others"] else "")
                + (f"  !! {', '.join(problems)}" if problems else ""),
                flush=True,
            )
    # A PostgreSQL backend reports its counts at most once a second, and an idle one
    # within 10 s: what a run's last second did lands in the next run on that database.
    # After the last round, wait for it and give it to the last run on each database.
    last = {}
    for target in TARGETS:
        if target.database:
            last[target.database] = target
    before = {database: transactions(database) for database in last}
    time.sleep(11)
    for database, target in last.items():
        target.runs[-1]["xacts"] += transactions(database) - before[database]
    results = report(queries, started, time.strftime("%Y-%m-%d %H:%M:%S %Z"))
    if out := os.environ.get("BENCH_JSON"):
        with open(out, "w") as file:
            json.dump(results, file, indent=1)
        print(f"\nAll runs: {out}")
    failed = [
        run for target in TARGETS for run in target.runs if run["non2xx"] or run["socket_errors"]
    ]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
