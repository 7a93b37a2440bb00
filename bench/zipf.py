"""
The load of bench/zipf.sh, and its report: patients reading the site through Varnish at a
fixed rate while bench/approvals.py approves answers.

    zipf.py run PAGES.json OUT_DIR    # load, then report; every request saved in OUT_DIR
    zipf.py report OUT_DIR            # the report again, from what a run saved

Open loop: requests are sent at the times a seeded Poisson process says (ZIPF_RATE a
second), whether or not earlier ones have been answered, and a request's latency runs
from the time it was due. A closed loop (wrk's connections) would send less while the
site is slow and measure its queue instead of what patients wait.

What is read, drawn with a seeded random.Random, so that two runs send the same requests:
answer pages by a Zipf law over the popularity rank approvals.py gave them (s = ZIPF_S),
the home page, topic pages (Zipf over topics, then over their page numbers) and search
pages (Zipf over a fixed list of common words), in the shares of MIX.

The timeline (ZIPF_T0, then the phases' minutes) is the one approvals.py follows: a
warm-up, the "after" phase (approvals purge what they change) and the "before" phase (each
approval also purges every page, as every approval did before surrogate keys).

Measured for each phase: Varnish's X-Cache of every response; what the app answered to
each of Varnish's fetches (varnishncsa -b: the app's own X-Cache, and whether the fetch
was a background refresh); PostgreSQL's transactions in the database each second
(bench/machine.py); the CPU of each layer and of processes outside the benchmark; and
p50/p99 latency.
"""

import asyncio
import bisect
import csv
import gzip
import json
import os
import random
import statistics
import sys
import time
from array import array
from itertools import accumulate

import aiohttp
from machine import TICKS, cpu_busy_ticks, nproc, ours, process_ticks, transactions
from phases import phases

RATE = float(os.environ.get("ZIPF_RATE", "500"))
S = float(os.environ.get("ZIPF_S", "1.0"))
SEED = int(os.environ.get("ZIPF_SEED", "1"))
URL = os.environ.get("ZIPF_URL", "")
HOST = os.environ.get("ZIPF_HOST", "")
DATABASE = os.environ.get("ZIPF_DB", "")
CONNECTIONS = int(os.environ.get("ZIPF_CONNECTIONS", "256"))
# Varnish keeps a page for PROXY_CACHE_SECONDS and serves it stale as long again while it
# fetches it anew (delivery/pages.py): a page read less often than that misses anyway.
TTL = float(os.environ.get("PROXY_CACHE_SECONDS", "300"))
# An approval's purge is sent again a second later (delivery/proxy_purge.py): a page
# fetched in between is dropped again, by the same approval.
SECOND_ROUND = 2.5
MIX = {"answer": 0.85, "topic": 0.06, "home": 0.05, "search": 0.04}
KINDS = list(MIX)
CACHE_CODES = ["-", "HIT", "MISS", "PASS"]
HEADERS = {
    "Host": HOST,
    "X-Forwarded-Proto": "https",  # as nginx in front sets it
    "Accept-Encoding": "gzip",  # as browsers ask; Varnish keeps this copy
    "User-Agent": "qasite-bench-zipf",
}


class Site:
    """Every page the load may read, by index, and the seeded draw over them."""

    def __init__(self, data):
        self.urls, self.kinds = ["/"], ["home"]
        self.answer_of = {}  # url -> answer row
        self.first_answer = 1
        for answer in data["answers"]:  # most read first
            self.urls.append(answer["url"])
            self.kinds.append("answer")
            self.answer_of[answer["url"]] = answer
        self.topics = []  # (first index, cumulative weights of its pages)
        for topic in data["topics"]:  # most read first
            first = len(self.urls)
            for number in range(1, topic["pages"] + 1):
                self.urls.append(topic["url"] + (f"?page={number}" if number > 1 else ""))
                self.kinds.append("topic")
            self.topics.append((first, zipf(topic["pages"])))
        self.first_search = len(self.urls)
        for word in data["search_words"]:
            self.urls.append(f"/search/?q={word}")
            self.kinds.append("search")
        self.answer_weights = zipf(len(data["answers"]))
        self.topic_weights = zipf(len(self.topics))
        self.search_weights = zipf(len(data["search_words"]))
        self.kind_weights = list(accumulate(MIX.values()))
        self.index = {url: index for index, url in enumerate(self.urls)}

    def draw(self, rng):
        kind = KINDS[pick(rng, self.kind_weights)]
        if kind == "home":
            return 0
        if kind == "answer":
            return self.first_answer + pick(rng, self.answer_weights)
        if kind == "search":
            return self.first_search + pick(rng, self.search_weights)
        first, pages = self.topics[pick(rng, self.topic_weights)]
        return first + pick(rng, pages)


def zipf(count):
    """Cumulative weights of a Zipf law over `count` ranks: rank k is read 1/k^S as often
    as the first."""
    return list(accumulate(1 / rank**S for rank in range(1, count + 1)))


def pick(rng, cumulative):
    return bisect.bisect(cumulative, rng.random() * cumulative[-1])


# The run.


class Requests:
    """Every response, in columns (a run sends about half a million)."""

    def __init__(self):
        self.due = array("d")  # epoch seconds the request was due
        self.latency = array("d")  # seconds from due to the whole body received
        self.lag = array("d")  # seconds from due to sent: the client's own delay
        self.index = array("l")
        self.status = array("h")
        self.cache = array("b")  # CACHE_CODES
        self.app = []  # X-Cache-App, when the VCL sets it

    def add(self, due, latency, lag, index, status, cache, app):
        self.due.append(due)
        self.latency.append(latency)
        self.lag.append(lag)
        self.index.append(index)
        self.status.append(status)
        self.cache.append(CACHE_CODES.index(cache) if cache in CACHE_CODES else 0)
        self.app.append(app)

    def save(self, path, urls):
        with gzip.open(path, "wt", newline="") as file:
            out = csv.writer(file)
            out.writerow(["due", "latency", "lag", "url", "status", "x_cache", "x_cache_app"])
            for row in zip(
                self.due, self.latency, self.lag, self.index, self.status, self.cache, self.app,
                strict=True,
            ):  # fmt: skip
                due, latency, lag, index, status, cache, app = row
                out.writerow(
                    [f"{due:.4f}", f"{latency:.5f}", f"{lag:.5f}", urls[index], status,
                     CACHE_CODES[cache], app]
                )  # fmt: skip


async def fetch(session, site, index, due, lag, requests, epoch_of):
    status, cache, app = 0, "-", ""
    try:
        async with session.get(URL + site.urls[index], headers=HEADERS) as response:
            await response.read()
            status = response.status
            cache = response.headers.get("X-Cache", "-")
            app = response.headers.get("X-Cache-App", "")
    except (TimeoutError, aiohttp.ClientError) as error:
        print(f"  {site.urls[index]}: {error!r}", file=sys.stderr)
    requests.add(epoch_of(due), asyncio.get_running_loop().time() - due, lag, index, status,
                 cache, app)  # fmt: skip


def snapshot(database):
    """What the machine, PostgreSQL and this process have done so far."""
    busy, steal = cpu_busy_ticks()
    return {
        "time": time.time(),
        "busy": busy,
        "steal": steal,
        "processes": process_ticks(),
        "client_cpu": time.process_time(),
        "xacts": transactions(database),
    }


async def sample_transactions(database, samples, stop):
    while not stop.is_set():
        count = await asyncio.to_thread(transactions, database)
        samples.append((time.time(), count))
        try:
            await asyncio.wait_for(stop.wait(), 1.0)
        except TimeoutError:
            pass


async def run_load(site, spans):
    loop = asyncio.get_running_loop()
    mono, epoch = loop.time(), time.time()

    def epoch_of(when):
        return epoch + (when - mono)

    def mono_of(when):
        return mono + (when - epoch)

    rng = random.Random(SEED)
    requests, samples, snapshots = Requests(), [], []
    stop = asyncio.Event()
    sampler = asyncio.create_task(sample_transactions(DATABASE, samples, stop))
    pending = set()
    # Let go of an idle connection well before Varnish does (zipf.sh: timeout_idle 60 s).
    connector = aiohttp.TCPConnector(limit=CONNECTIONS, keepalive_timeout=2)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(
        connector=connector, timeout=timeout, auto_decompress=False
    ) as session:
        due = mono_of(spans[0][1])
        for name, start, end in spans:
            await asyncio.sleep(max(0.0, mono_of(start) - loop.time()))
            snapshots.append(await asyncio.to_thread(snapshot, DATABASE))
            print(f"{time.strftime('%H:%M:%S')} {name}: {(end - start) / 60:g} min at "
                  f"{RATE:g} req/s", flush=True)  # fmt: skip
            last_note = loop.time()
            while due < mono_of(end):
                delay = due - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                index = site.draw(rng)
                task = asyncio.create_task(
                    fetch(session, site, index, due, loop.time() - due, requests, epoch_of)
                )
                pending.add(task)
                task.add_done_callback(pending.discard)
                due += rng.expovariate(RATE)
                if loop.time() - last_note > 30:
                    last_note = loop.time()
                    print(f"  {time.strftime('%H:%M:%S')} {len(requests.due):,} answered, "
                          f"{len(pending)} in flight", flush=True)  # fmt: skip
        if pending:
            await asyncio.wait(pending, timeout=60)
        snapshots.append(await asyncio.to_thread(snapshot, DATABASE))
    stop.set()
    await sampler
    return requests, samples, snapshots


def run(pages_file, out_dir):
    data = json.load(open(pages_file))
    site = Site(data)
    spans = phases()
    requests, samples, snapshots = asyncio.run(run_load(site, spans))
    os.makedirs(out_dir, exist_ok=True)
    requests.save(os.path.join(out_dir, "requests.csv.gz"), site.urls)
    # A snapshot at each phase's start, and one at the end.
    cpu = [
        {"phase": spans[n][0], **cpu_use(snapshots[n], snapshots[n + 1])} for n in range(len(spans))
    ]
    with open(os.path.join(out_dir, "run.json"), "w") as file:
        json.dump(
            {
                "rate": RATE, "s": S, "seed": SEED, "mix": MIX, "ttl": TTL,
                "connections": CONNECTIONS, "spans": spans, "nproc": nproc(),
                "database": DATABASE, "transactions": samples, "cpu": cpu,
                "commit": os.environ.get("BENCH_COMMIT", ""),
            },
            file,
        )  # fmt: skip
    return report(out_dir)


# What each layer used: the benchmark's processes by name, the rest as "others".
LAYERS = (
    ("varnish", ("varnishd", "cache-main")),
    ("gunicorn", ("gunicorn", ".venv/bin/python .venv/bin/gunicorn")),
    ("postgres", ("postgres:",)),
    ("redis", ("redis-server",)),
    ("approvals", ("approvals.py",)),
    ("client", ("zipf.py",)),
    ("varnishncsa", ("varnishncsa",)),
)


def cpu_use(before, after):
    """Cores used between two snapshots: each layer's, others' and stolen."""
    seconds = (after["time"] - before["time"]) * TICKS
    mine = ours(after["processes"], {DATABASE})
    used = {name: 0.0 for name, _ in LAYERS}
    ours_total = 0
    for pid, (ticks, _, command) in after["processes"].items():
        if pid not in mine:
            continue
        spent = ticks - before["processes"].get(pid, (0, 0, ""))[0]
        ours_total += spent
        for name, marks in LAYERS:
            if any(mark in command for mark in marks):
                used[name] += spent / seconds
                break
    return {
        **{name: round(value, 3) for name, value in used.items()},
        "others": round(max(0.0, (after["busy"] - before["busy"] - ours_total) / seconds), 3),
        "steal": round((after["steal"] - before["steal"]) / seconds, 3),
        "client_process": round((after["client_cpu"] - before["client_cpu"]) * TICKS / seconds, 3),
        "xacts": after["xacts"] - before["xacts"],
    }


# The report.


def load_requests(out_dir):
    rows = []
    with gzip.open(os.path.join(out_dir, "requests.csv.gz"), "rt", newline="") as file:
        for row in csv.DictReader(file):
            rows.append(
                (float(row["due"]), float(row["latency"]), float(row["lag"]), row["url"],
                 int(row["status"]), row["x_cache"], row["x_cache_app"])
            )  # fmt: skip
    rows.sort()
    return rows


def load_backend(out_dir):
    """Varnish's fetches from the app: (time, url, app's X-Cache, fetch or bgfetch, status,
    seconds the app took)."""
    path = os.path.join(out_dir, "backend.log")
    fetches = []
    if not os.path.exists(path):
        return fetches
    for line in open(path):
        parts = line.split()
        if len(parts) == 6:
            when, status, app, reason, took, url = parts
            fetches.append((float(when), url, app.lower(), reason, int(status), int(took) / 1e6))
    fetches.sort()
    return fetches


def load_approvals(out_dir):
    path = os.path.join(out_dir, "approvals.jsonl")
    if not os.path.exists(path):
        return []
    return [json.loads(line) for line in open(path) if line.strip()]


def percentile(values, share):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(share * len(values)))]


def shows(approval, url):
    """Which of the pages showing `approval`'s answer `url` is, or None: its own page, its
    topic's pages, the home page (recently reviewed) and search results."""
    path = url.split("?")[0]
    if path == approval["url"]:
        return "own page"
    if path == approval["topic"]:
        return "topic"
    if path == "/":
        return "home"
    if path == "/search/":
        return "search"
    return None


class Purges:
    """The approvals of a run, grouped into events (one minute's approval, or its burst),
    to find which one made a page miss: the latest approval between the page's last fetch
    and the miss."""

    def __init__(self, approvals):
        self.approvals = sorted(approvals, key=lambda a: a["approved"])
        self.times = [a["approved"] for a in self.approvals]
        self.events = {}
        for approval in self.approvals:
            key = (approval["phase"], approval["minute"])
            event = self.events.setdefault(key, {"phase": key[0], "minute": key[1], "of": []})
            event["of"].append(approval)

    def cause(self, url, last_fetch, now):
        """("shows an approved answer" or "other page, after an approval", the event), or
        (None, None) if no approval came between the page's last fetch and now."""
        lo = bisect.bisect_right(self.times, last_fetch - SECOND_ROUND)
        hi = bisect.bisect_right(self.times, now)
        between = self.approvals[lo:hi]
        for approval in reversed(between):
            if shows(approval, url):
                return "shows an approved answer", self.event_of(approval)
        if between:
            return "other page, after an approval", self.event_of(between[-1])
        return None, None

    def event_of(self, approval):
        return self.events[(approval["phase"], approval["minute"])]


def classify_misses(rows, purges):
    """Each Varnish miss's cause, in this order: the first request for the page in the run
    (compulsory); its copy outlived (TTL and stale-while-revalidate past since it was last
    fetched); an approval since it was last fetched (the page shows the approved answer,
    or not); or none of these (unexplained). Returns (cause, event) for each row."""
    fetched, causes = {}, []
    for due, latency, _, url, status, cache, _ in rows:
        cause = (None, None)
        if status != 200:
            cause = ("error", None)  # nothing kept: the next request misses again
        elif cache == "MISS":
            last = fetched.get(url)
            if last is None:
                cause = ("compulsory", None)
            elif due - last > 2 * TTL:
                cause = ("expired", None)
            else:
                # Varnish looked the page up between sending and answering: a purge until
                # the answer may have come first.
                cause = purges.cause(url, last, due + latency)
                if cause[0] is None:
                    cause = ("unexplained", None)
            # Varnish keeps the copy from when the app's answer came, not from the request.
            fetched[url] = due + latency
        elif url not in fetched:
            fetched[url] = due  # a HIT for a page fetched before the log began
        elif cache == "HIT" and due - fetched[url] > TTL:
            fetched[url] = due  # served stale; Varnish fetches it again in the background
        causes.append(cause)
    return causes


def classify_fetches(fetches, purges):
    """The same for each of Varnish's fetches that the app did not answer from its page
    cache: the first fetch of the page, an approval since its last fetch, or none."""
    fetched, causes = {}, []
    for when, url, state, *_ in fetches:
        cause = (None, None)
        if state == "-":
            cause = ("not page-cached", None)  # search results: never in the app's cache
        elif state != "hit":
            last = fetched.get(url)
            if last is None:
                cause = ("compulsory", None)
            else:
                cause = purges.cause(url, last, when)
                if cause[0] is None:
                    cause = ("unexplained", None)
        fetched[url] = when
        causes.append(cause)
    return causes


def phase_rows(rows, causes, start, end):
    lo = bisect.bisect_left(rows, (start,))
    hi = bisect.bisect_left(rows, (end,))
    return rows[lo:hi], causes[lo:hi]


def summarise_phase(name, start, end, rows, causes, fetches, fetch_causes, approvals, run):
    seconds = end - start
    out = {"phase": name, "seconds": seconds, "requests": len(rows)}
    out["achieved_rate"] = len(rows) / seconds
    out["client_lag_p99_ms"] = 1000 * percentile([r[2] for r in rows], 0.99)
    out["errors"] = sum(1 for r in rows if r[4] != 200)
    counts = {code: 0 for code in CACHE_CODES}
    for r in rows:
        counts[r[5] if r[5] in counts else "-"] += 1
    out["varnish"] = counts
    # What the app did for the misses patients waited for (the VCL's X-Cache-App).
    app_for_misses = {}
    for r in rows:
        if r[5] == "MISS":
            app_for_misses[r[6] or "none"] = app_for_misses.get(r[6] or "none", 0) + 1
    out["app_for_varnish_misses"] = app_for_misses
    miss_causes = {}
    for cause, _ in causes:
        if cause:
            miss_causes[cause] = miss_causes.get(cause, 0) + 1
    out["varnish_miss_causes"] = miss_causes
    total = len(rows) or 1
    compulsory = miss_causes.get("compulsory", 0)
    expired = miss_causes.get("expired", 0)
    out["varnish_hit_ratio"] = counts["HIT"] / total
    out["varnish_hit_ratio_repeat"] = counts["HIT"] / max(1, total - compulsory)
    out["varnish_hit_ratio_cached"] = counts["HIT"] / max(1, total - compulsory - expired)
    # The app: what it answered to each of Varnish's fetches.
    mine = [f for f in fetches if start <= f[0] < end]
    app_causes = {}
    for f, (cause, _) in zip(fetches, fetch_causes, strict=True):
        if cause and start <= f[0] < end:
            app_causes[cause] = app_causes.get(cause, 0) + 1
    out["app_miss_causes"] = app_causes
    app = {}
    for _, _, state, reason, *_ in mine:
        key = f"{state} ({reason})"
        app[key] = app.get(key, 0) + 1
    out["app_fetches"] = app
    hits = sum(1 for f in mine if f[2] == "hit")
    answered = sum(1 for f in mine if f[2] in ("hit", "miss", "stale"))
    out["app_hit_ratio"] = hits / answered if answered else float("nan")
    out["app_fetches_per_second"] = len(mine) / seconds
    out["app_renders_per_second"] = sum(1 for f in mine if f[2] != "hit") / seconds
    out["app_fetch_p50_ms"] = 1000 * percentile([f[5] for f in mine], 0.5)
    out["app_fetch_p99_ms"] = 1000 * percentile([f[5] for f in mine], 0.99)
    # PostgreSQL.
    samples = [s for s in run["transactions"] if start <= s[0] <= end]
    if len(samples) >= 2:
        xacts = (samples[-1][1] - samples[0][1]) / (samples[-1][0] - samples[0][0])
        # PostgreSQL's counts arrive in bursts (a backend reports them at most once a
        # second, an idle one within 10 s): the busiest 10 s, not the busiest second.
        per_ten, first = [], 0
        for last, (when, count) in enumerate(samples):
            while when - samples[first][0] > 10:
                first += 1
            if when - samples[first][0] >= 9 and last > first:
                per_ten.append((count - samples[first][1]) / (when - samples[first][0]))
        out["pg_xacts_per_second"] = xacts
        out["pg_xacts_per_second_10s_max"] = max(per_ten) if per_ten else xacts
    driver = sum(a["statements"] for a in approvals if start <= a["approved"] < end)
    out["approval_statements"] = driver
    out["approval_statements_per_second"] = driver / seconds
    # Patients.
    latencies = [r[1] for r in rows if r[4] == 200]
    out["p50_ms"] = 1000 * percentile(latencies, 0.5)
    out["p99_ms"] = 1000 * percentile(latencies, 0.99)
    out["p999_ms"] = 1000 * percentile(latencies, 0.999)
    for code in ("HIT", "MISS"):
        values = [r[1] for r in rows if r[5] == code and r[4] == 200]
        out[f"{code.lower()}_p50_ms"] = 1000 * percentile(values, 0.5)
        out[f"{code.lower()}_p99_ms"] = 1000 * percentile(values, 0.99)
    cpu = next((c for c in run["cpu"] if c["phase"] == name), None)
    out["cpu"] = cpu
    return out


def per_event(event, rows, causes, fetches, fetch_causes):
    """What one minute's approval (or its burst) made miss at each layer, by the pages
    that show the answer and the others."""
    varnish, app, related = {}, {}, set()
    for layer, items, found in (
        (varnish, rows, causes),
        (app, fetches, fetch_causes),
    ):
        for item, (cause, of) in zip(items, found, strict=True):
            if of is not event:
                continue
            url = item[3] if layer is varnish else item[1]
            where = "other"
            if cause == "shows an approved answer":
                where = next(shows(a, url) for a in event["of"] if shows(a, url))
                if layer is varnish:
                    related.add(url)
            layer[where] = layer.get(where, 0) + 1
    first = event["of"][0]
    return {
        "phase": event["phase"],
        "minute": event["minute"],
        "approvals": len(event["of"]),
        "urls": [a["url"] for a in event["of"]],
        "seconds": round(event["of"][-1]["ended"] - first["started"], 2),
        "statements": sum(a["statements"] for a in event["of"]),
        "varnish_misses": varnish,
        "varnish_related_pages_missed": len(related),
        "app_misses": app,
    }


def report(out_dir):
    run = json.load(open(os.path.join(out_dir, "run.json")))
    rows = load_requests(out_dir)
    fetches = load_backend(out_dir)
    approvals = load_approvals(out_dir)
    purges = Purges(approvals)
    causes = classify_misses(rows, purges)
    fetch_causes = classify_fetches(fetches, purges)
    phases_out = []
    for name, start, end in run["spans"]:
        mine, mine_causes = phase_rows(rows, causes, start, end)
        phases_out.append(
            summarise_phase(
                name, start, end, mine, mine_causes, fetches, fetch_causes, approvals, run
            )
        )
    approvals_out = [
        per_event(event, rows, causes, fetches, fetch_causes) for event in purges.events.values()
    ]
    summary = {"run": {k: v for k, v in run.items() if k != "transactions"},
               "phases": phases_out, "approvals": approvals_out}  # fmt: skip
    with open(os.path.join(out_dir, "summary.json"), "w") as file:
        json.dump(summary, file, indent=1)
    print_report(run, phases_out, approvals_out)
    return 0


def print_report(run, phases_out, approvals_out):
    print()
    started = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(run["spans"][0][1]))
    print(
        f"qasite {run.get('commit') or '?'}; load from {started} UTC; {run['rate']:g} req/s "
        f"open loop, Zipf s={run['s']:g}, seed {run['seed']}, mix "
        + ", ".join(f"{k} {v:.0%}" for k, v in run["mix"].items())
        + f"; Varnish TTL {run['ttl']:g} s; nproc {run['nproc']}"
    )
    print()
    columns = [
        ("requests", "requests", "{:,}"), ("achieved req/s", "achieved_rate", "{:.1f}"),
        ("client lag p99 ms", "client_lag_p99_ms", "{:.1f}"), ("errors", "errors", "{}"),
        ("Varnish hit ratio, raw", "varnish_hit_ratio", "{:.2%}"),
        ("  excluding first requests", "varnish_hit_ratio_repeat", "{:.2%}"),
        ("  and copies outlived (TTL)", "varnish_hit_ratio_cached", "{:.2%}"),
        ("Varnish HIT / MISS / PASS", None, None),
        ("misses: first request", ("varnish_miss_causes", "compulsory"), "{}"),
        ("misses: copy outlived", ("varnish_miss_causes", "expired"), "{}"),
        ("misses: shows an approved answer", ("varnish_miss_causes", "shows an approved answer"), "{}"),  # noqa: E501
        ("misses: other page, after approval", ("varnish_miss_causes", "other page, after an approval"), "{}"),  # noqa: E501
        ("misses: unexplained", ("varnish_miss_causes", "unexplained"), "{}"),
        ("errors (no page kept)", ("varnish_miss_causes", "error"), "{}"),
        ("app fetches/s (from Varnish)", "app_fetches_per_second", "{:.2f}"),
        ("app hit ratio (of its fetches)", "app_hit_ratio", "{:.2%}"),
        ("app renders/s (not a hit)", "app_renders_per_second", "{:.2f}"),
        ("app time per fetch p50 / p99 ms", ("app_fetch_p50_ms", "app_fetch_p99_ms"), "{:.1f} / {:.1f}"),  # noqa: E501
        ("app misses: first fetch", ("app_miss_causes", "compulsory"), "{}"),
        ("app misses: shows an approved answer", ("app_miss_causes", "shows an approved answer"), "{}"),  # noqa: E501
        ("app misses: other page, after approval", ("app_miss_causes", "other page, after an approval"), "{}"),  # noqa: E501
        ("app misses: unexplained", ("app_miss_causes", "unexplained"), "{}"),
        ("app: not page-cached (search)", ("app_miss_causes", "not page-cached"), "{}"),
        ("PostgreSQL xacts/s", "pg_xacts_per_second", "{:.1f}"),
        ("  max over 10 s", "pg_xacts_per_second_10s_max", "{:.1f}"),
        ("  approval driver statements/s", "approval_statements_per_second", "{:.1f}"),
        ("p50 ms (all)", "p50_ms", "{:.2f}"), ("p99 ms (all)", "p99_ms", "{:.2f}"),
        ("p99.9 ms (all)", "p999_ms", "{:.1f}"),
        ("p50 / p99 ms, Varnish HIT", ("hit_p50_ms", "hit_p99_ms"), "{:.2f} / {:.2f}"),
        ("p50 / p99 ms, Varnish MISS", ("miss_p50_ms", "miss_p99_ms"), "{:.1f} / {:.1f}"),
    ]  # fmt: skip
    names = [p["phase"] for p in phases_out]
    print(f"{'':36}" + "".join(f"{n:>18}" for n in names))
    for label, key, form in columns:
        cells = []
        for phase in phases_out:
            if key is None:
                v = phase["varnish"]
                cells.append(f"{v['HIT']}/{v['MISS']}/{v['PASS']}")
            elif isinstance(key, tuple) and key[0].endswith("_causes"):
                cells.append(form.format(phase[key[0]].get(key[1], 0)))
            elif isinstance(key, tuple):
                cells.append(form.format(*(phase.get(k, float("nan")) for k in key)))
            else:
                value = phase.get(key)
                cells.append("-" if value is None else form.format(value))
        print(f"{label:36}" + "".join(f"{c:>18}" for c in cells))
    print()
    print("App's answers to Varnish's fetches (its X-Cache; fetch = a miss, bgfetch = a stale")
    print("copy served while refreshed):")
    for phase in phases_out:
        print(f"  {phase['phase']:8} " + ", ".join(
            f"{k} {v}" for k, v in sorted(phase["app_fetches"].items())))  # fmt: skip
    print("The app's X-Cache on the Varnish misses patients waited for (none: not page-cached,")
    print("as search results are):")
    for phase in phases_out:
        print(f"  {phase['phase']:8} " + ", ".join(
            f"{k} {v}" for k, v in sorted(phase["app_for_varnish_misses"].items())))  # fmt: skip
    print()
    print("CPU, cores (others: processes outside the benchmark; steal: the hypervisor's):")
    first = phases_out[0]["cpu"] or {}
    keys = [k for k in first if k not in ("phase", "xacts")]
    print(f"  {'':8}" + "".join(f"{k:>12}" for k in keys))
    for phase in phases_out:
        if phase["cpu"]:
            print(f"  {phase['phase']:8}" + "".join(f"{phase['cpu'][k]:>12.2f}" for k in keys))
    print()
    print("Each minute's approval (or burst): the misses it caused at each layer, by the")
    print("pages showing the answer (own page, topic, home, search) and other pages: a page")
    print("missed after it was approved, with no approval between, since its last fetch.")
    print(f"  {'phase':7} {'min':>3} {'n':>2} {'secs':>5} {'stmts':>5}  {'Varnish':44} app")
    for a in approvals_out:
        v = ", ".join(f"{k} {n}" for k, n in sorted(a["varnish_misses"].items())) or "none"
        p = ", ".join(f"{k} {n}" for k, n in sorted(a["app_misses"].items())) or "none"
        print(
            f"  {a['phase']:7} {a['minute']:>3} {a['approvals']:>2} {a['seconds']:>5} "
            f"{a['statements']:>5}  {v:44} {p}"
        )
    for a in approvals_out:
        if a["approvals"] > 1:
            print(
                f"  {a['phase']}, a burst of {a['approvals']} in {a['seconds']} s: Varnish missed "
                f"{a['varnish_related_pages_missed']} pages showing the answers and "
                f"{a['varnish_misses'].get('other', 0)} other pages; the app "
                f"{a['app_misses'].get('other', 0)} other pages"
            )
    for phase in ("after", "before"):
        single = [a for a in approvals_out if a["phase"] == phase and a["approvals"] == 1]
        if single:
            other = statistics.mean(a["varnish_misses"].get("other", 0) for a in single)
            related = statistics.mean(a["varnish_related_pages_missed"] for a in single)
            app_other = statistics.mean(a["app_misses"].get("other", 0) for a in single)
            print(
                f"  {phase}, one approval (mean of {len(single)}): Varnish missed "
                f"{related:.1f} pages showing the answer and {other:.1f} other pages; the app "
                f"{app_other:.1f} other pages"
            )
    after = next((p for p in phases_out if p["phase"] == "after"), None)
    if after:
        ratio = after["varnish_hit_ratio_cached"]
        print()
        print(
            f"Target: Varnish hit ratio >= 99 % in the after phase (first requests and "
            f"outlived copies aside): {ratio:.2%}, {'yes' if ratio >= 0.99 else 'NO'}"
        )
        others = [
            a["varnish_misses"].get("other", 0) + a["app_misses"].get("other", 0)
            for a in approvals_out
            if a["phase"] == "after"
        ]
        print(
            "Target: an approval makes only pages showing its answer miss, at each layer: "
            f"{sum(others)} misses elsewhere after {len(others)} approvals or bursts, "
            f"{'yes' if not any(others) else 'NO'}"
        )


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    sys.exit({"run": run, "report": report}[command](*args))
