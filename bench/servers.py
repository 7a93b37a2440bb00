"""
The measuring half of bench/servers.sh, which starts the servers and then runs this.

`servers.py compare`: what gunicorn's gthread worker and Granian send for the answer page
and its neighbours (a 200, a 304, a HEAD, gzip, a 404, a redirect, the admin's sign-in page)
against what gunicorn's sync worker sends, header by header and byte by byte, Date aside.
Two requests to gunicorn sync first show what changes from one request to the next anyway
(the CSRF cookie and token, CSP nonces), which is then not counted as a difference.

`servers.py load`: every server loaded in turn with wrk, nginx with them, in rounds (as
bench/measure.py does for bench/run.sh, whose wrk runs and records of the machine's
activity this reuses), once with keep-alive and once with "Connection: close" on every
request. A server's figure is its median over the rounds; a ratio is the median of the
ratios within each round. Beside req/s it gives the CPU time the server's processes
spent a request: on this shared machine, a busy neighbour takes req/s from every server
(nginx's single worker less than the Python servers' four or more processes), but
hardly changes what a request costs.
"""

import gzip
import http.client
import json
import os
import re
import statistics
import sys
import time

# bench/measure.py makes bench/run.sh's targets when imported, from run.sh's variables;
# none of those targets is loaded here, so their ports may be empty.
for name in ("PORT_APP", "PORT_VARNISH", "PORT_OFF", "PORT_FLOOR", "PORT_WAGTAIL", "WAGTAIL_PATH"):
    os.environ.setdefault(name, "")

import measure  # noqa: E402
from machine import TICKS, nproc, process_ticks  # noqa: E402

ANSWER = os.environ["ANSWER_PATH"]
DATABASE = "qasite_bench_servers"
SERVERS = {
    "sync": "gunicorn, 2 sync workers",
    "gthread": f"gunicorn, 2 gthread workers, {os.environ.get('GTHREADS', '?')} threads each",
    "granian": f"Granian WSGI, 2 workers, blocking threads {os.environ.get('GRANIAN_THREADS')}",
}
PORT = {name: int(os.environ[f"PORT_{name.upper()}"]) for name in ("nginx", *SERVERS)}
PID = {name: int(os.environ.get(f"PID_{name.upper()}", "0")) for name in ("nginx", *SERVERS)}
CLOSE = ("Connection: close",)


def fetch(port, method, path, headers=()):
    """(status line, [(name, value)] as sent, in order, body, whether the server keeps the
    connection open), Host 127.0.0.1 whatever the port, so that pages compare."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request(
        method, path, headers={"Host": "127.0.0.1", "X-Forwarded-Proto": "https", **dict(headers)}
    )
    response = connection.getresponse()
    body = response.read()
    kept = not response.will_close
    connection.close()
    return f"{response.status} {response.reason}", response.getheaders(), body, kept


def requests(etag):
    slashless = ANSWER.rstrip("/")
    return [
        ("200", "GET", ANSWER, {}),
        ("304 (If-None-Match)", "GET", ANSWER, {"If-None-Match": etag}),
        ("HEAD", "HEAD", ANSWER, {}),
        ("gzip", "GET", ANSWER, {"Accept-Encoding": "gzip"}),
        ("404", "GET", "/ask/no-such-answer-here/", {}),
        ("a tracking parameter (utm_source)", "GET", ANSWER + "?utm_source=newsletter", {}),
        ("redirect (an unknown parameter)", "GET", ANSWER + "?utm_source=newsletter&x=1", {}),
        ("redirect (no slash)", "GET", slashless, {}),
        ("/admin/login/", "GET", "/admin/login/", {}),
    ]


# What changes between two requests, or between two processes, whatever the server: the
# CSRF cookie and token (a new one each time), CSP nonces, the time in Expires and in a
# cookie's expiry, and the order of the CSP's directives (it follows the process's hash
# seed). Masked before servers are compared.
CSRF_COOKIE = re.compile(r"(csrftoken=)[^;]+")
CSRF_FIELD = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]+')
NONCE = re.compile(r"'nonce-[^']+'")
NONCE_ATTRIBUTE = re.compile(rb'nonce="[^"]+"')
# An HTTP date (Expires, a cookie's expiry) is the time of the response, like Date.
HTTP_DATE = re.compile(r"\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT")


def normal_headers(headers):
    """[(lower-case name, value)] without Date, per-request values masked; without the
    length of a gzipped body either, which varies with its random file name (below)."""
    gzipped = ("content-encoding", "gzip") in ((n.lower(), v) for n, v in headers)
    out = []
    for name, value in headers:
        name = name.lower()
        if name == "date" or (gzipped and name == "content-length"):
            continue
        value = NONCE.sub("'nonce-?'", CSRF_COOKIE.sub(r"\1?", HTTP_DATE.sub("<date>", value)))
        if name == "content-security-policy":
            value = "; ".join(sorted(part.strip() for part in value.split(";")))
        out.append((name, value))
    return out


def normal_body(body, headers):
    """The body as a client reads it (gunzipped: the gzip header's file name is random,
    Django's defence against BREACH), per-request values masked."""
    if dict(normal_headers(headers)).get("content-encoding") == "gzip":
        body = gzip.decompress(body)
    return NONCE_ATTRIBUTE.sub(b'nonce="?"', CSRF_FIELD.sub(rb"\1?", body))


def first_difference(a, b):
    pairs = enumerate(zip(a, b, strict=False))
    at = next((i for i, (x, y) in pairs if x != y), min(len(a), len(b)))
    return f"at byte {at}: {a[max(0, at - 30) : at + 40]!r} / {b[max(0, at - 30) : at + 40]!r}"


def differences(reference, other):
    """What `other` (status, headers, body, kept) sends that `reference` does not, as text."""
    found = []
    if other[0] != reference[0]:
        found.append(f"status {other[0]} (not {reference[0]})")
    spelled = {name.lower(): name for name, _ in reference[1]}
    if any(spelled.get(name.lower(), name) != name for name, _ in other[1]):
        found.append("header names in other letter case")
    mine, theirs = normal_headers(reference[1]), normal_headers(other[1])
    if mine != theirs:
        extra = [f"+ {name}: {value}" for name, value in theirs if (name, value) not in mine]
        missing = [f"- {name}: {value}" for name, value in mine if (name, value) not in theirs]
        found += extra + missing
        if not extra and not missing:
            found.append("the same headers in another order")
    body, other_body = normal_body(reference[2], reference[1]), normal_body(other[2], other[1])
    if body != other_body:
        found.append(f"body differs {first_difference(body, other_body)}")
    return found


def compare():
    _, headers, _, _ = fetch(PORT["sync"], "GET", ANSWER)
    etag = dict(headers).get("ETag", "")
    differing = 0
    for label, method, path, headers in requests(etag):
        answers = {}
        for server in SERVERS:
            for _ in range(6):  # both workers keep the page, and their first misses are over
                fetch(PORT[server], method, path, headers)
            answers[server] = fetch(PORT[server], method, path, headers)
        reference = answers["sync"]
        status, sent, body, kept = reference
        location = dict(normal_headers(sent)).get("location")
        print(
            f"{label}: gunicorn sync sends {status}"
            + (f" to {location}" if location else "")
            + f", {len(sent)} headers, {len(body)} bytes, keeps the connection: "
            + ("yes" if kept else "no")
        )
        noise = differences(reference, fetch(PORT["sync"], method, path, headers))
        if noise:
            print(f"  (two requests to gunicorn sync differ: {'; '.join(noise)})")
        for server in list(SERVERS)[1:]:
            found = differences(reference, answers[server])
            differing += bool(found)
            print(
                f"  {server:<8} {'the same' if not found else '; '.join(found)}"
                f" (keeps the connection: {'yes' if answers[server][3] else 'no'})"
            )
    print(
        f"{differing} responses differ from gunicorn sync's beyond Date and the letter case "
        "of header names (+ a header only the other server sends, - one only gunicorn sync "
        "sends); the CSRF token, CSP nonces, times in Expires and cookies, the order of the "
        "CSP's directives and the length of a gzipped body masked."
    )


def targets():
    found = []
    for close in (False, True):
        suffix, headers = ("-close", CLOSE) if close else ("", ())
        found.append(
            measure.Target(
                f"nginx{suffix}", "nginx, the saved page", PORT["nginx"], ANSWER, "", headers
            )  # fmt: skip
        )
        for server, label in SERVERS.items():
            found.append(
                measure.Target(f"{server}{suffix}", label, PORT[server], ANSWER, DATABASE, headers)
            )
    return found


def median(values):
    return statistics.median(values) if values else float("nan")


def tree_ticks(processes, root):
    """CPU ticks used so far by the process `root` and all its descendants."""
    tree, changed = {root}, True
    while changed:
        changed = False
        for pid, (_, parent, _) in processes.items():
            if parent in tree and pid not in tree:
                tree.add(pid)
                changed = True
    return sum(processes[pid][0] for pid in tree if pid in processes)


def server_of(target):
    return target.name.removesuffix("-close")


def load():
    loaded = targets()
    databases = {DATABASE}
    started = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    print(f"Warming up each target for {measure.WARMUP_SECONDS} s")
    for target in loaded:
        measure.wrk(target.url, measure.WARMUP_SECONDS, target.headers)
    for number in range(1, measure.ROUNDS + 1):
        print(f"Round {number}/{measure.ROUNDS} (* a run that was not quiet)", flush=True)
        nginx = {}
        for target in loaded:
            before = tree_ticks(process_ticks(), PID[server_of(target)])
            run = measure.measure(target, databases)
            used = tree_ticks(process_ticks(), PID[server_of(target)]) - before
            run["server_cpu_us"] = used / TICKS / max(1, run["requests"]) * 1e6
            target.runs.append(run)
            if target.name.startswith("nginx"):
                nginx[target.name.endswith("-close")] = run["rps"]
            problems = []
            if run["non2xx"]:
                problems.append(f"{run['non2xx']} non-2xx responses")
            if run["socket_errors"]:
                problems.append(f"{run['socket_errors']} connect errors or timeouts")
            print(
                f"{' ' if measure.quiet(run) else '*'} {target.name:<14} {run['rps']:>8.0f} req/s"
                f"  p50 {run['p50']:6.2f} ms  p99 {run['p99']:6.2f} ms"
                f"  {run['rps'] / nginx[target.name.endswith('-close')]:6.1%} of nginx"
                f"  CPU {run['server_cpu_us']:5.0f} us/req"
                f"  load {run['load_before']:.2f}->{run['load_after']:.2f}"
                f"  others {run['others_cores']:.2f} steal {run['steal']:.2f}"
                + (f"  [{'; '.join(run['top_others'])}]" if run["top_others"] else "")
                + (f"  !! {', '.join(problems)}" if problems else ""),
                flush=True,
            )
    finished = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    results = report(loaded, started, finished)
    if out := os.environ.get("BENCH_JSON"):
        with open(out, "w") as file:
            json.dump(results, file, indent=1)
        print(f"\nAll runs: {out}")
    failed = [run for t in loaded for run in t.runs if run["non2xx"] or run["socket_errors"]]
    return 1 if failed else 0


def ratios(top, bottom, quiet_only=False, key="rps"):
    """top / bottom in each round; for CPU a request, bottom / top (a cost: less is more)."""
    if key == "server_cpu_us":
        return [b[key] / a[key] for a, b in zip(top.runs, bottom.runs, strict=True)]
    return [
        a[key] / b[key]
        for a, b in zip(top.runs, bottom.runs, strict=True)
        if not quiet_only or (measure.quiet(a) and measure.quiet(b))
    ]


def report(loaded, started, finished):
    """Medians per target, and ratios to nginx (keep-alive) and to gunicorn sync within each
    round: over the rounds in which both sides were quiet when there are two, else all."""
    by_name = {target.name: target for target in loaded}
    print()
    print(
        f"qasite {os.environ.get('BENCH_COMMIT', '?')}. Started {started}, finished "
        f"{finished}; nproc {nproc()}; wrk -t2 -c{measure.CONNECTIONS}, {measure.SECONDS} s "
        f"a run, {measure.ROUNDS} rounds. A run is quiet when processes outside the "
        f"benchmark and stolen time took at most {measure.QUIET_CORES:g} cores meanwhile."
    )
    for name, label in SERVERS.items():
        print(f"  {name}: {label}")
    print()
    header = (
        f"{'target':<14} {'req/s':>8} {'n':>2} {'min-max':>13} {'p50 ms':>6} {'p99 ms':>6} "
        f"{'/ nginx':>8} {'n':>2} {'/ sync':>7} {'CPU us':>6} {'/ nginx':>7} {'others':>6}"
    )
    print(header)
    print("-" * len(header))
    summary = {}
    for target in loaded:
        runs = target.runs
        calm = [run for run in runs if measure.quiet(run)]
        used = calm if len(calm) >= 2 else runs
        rps = [run["rps"] for run in used]
        row = {
            "rps": median(rps),
            "quiet_runs": len(calm),
            "p50": median([run["p50"] for run in used]),
            "p99": median([run["p99"] for run in used]),
        }
        for key, other in (("nginx", by_name["nginx"]), ("sync", by_name["sync"])):
            every, calm_ratios = ratios(target, other), ratios(target, other, quiet_only=True)
            row[f"per_{key}"] = median(calm_ratios if len(calm_ratios) >= 2 else every)
            row[f"per_{key}_rounds"] = ratios(target, other)
        row["cpu_us"] = median([run["server_cpu_us"] for run in runs])
        row["cpu_per_nginx"] = median(ratios(target, by_name["nginx"], key="server_cpu_us"))
        summary[target.name] = row
        print(
            f"{target.name:<14} {row['rps']:>8.0f} {len(calm):>2} "
            f"{min(r['rps'] for r in runs):>6.0f}-{max(r['rps'] for r in runs):<6.0f} "
            f"{row['p50']:>6.2f} {row['p99']:>6.2f} {row['per_nginx']:>8.1%} "
            f"{len(ratios(target, by_name['nginx'], True)):>2} {row['per_sync']:>6.2f}x "
            f"{row['cpu_us']:>6.0f} {row['cpu_per_nginx']:>7.1%} "
            f"{median([r['others_cores'] for r in runs]):>6.2f}"
        )
    print()
    print("req/s, p50, p99: medians over the quiet runs (n of them) if at least 2, else all.")
    print("/ nginx: the median over the rounds of the target's req/s over nginx's (with")
    print("keep-alive) in the same round; n: rounds in which both were quiet. / sync: the same")
    print("over gunicorn sync's. -close: every request sent with 'Connection: close'.")
    print("CPU us: CPU time of the server's processes per request served (all runs' median);")
    print("/ nginx after it: nginx's CPU a request over the target's, within each round, the")
    print("median (nginx with keep-alive: a server at 20 % costs five times nginx a request).")
    best = max(SERVERS, key=lambda name: summary[name]["per_nginx"])
    goal = "holds" if summary[best]["per_nginx"] >= 0.20 else "does NOT hold"
    print(
        f"Best: {best}, {summary[best]['per_nginx']:.1%} of nginx's req/s and "
        f"{summary[best]['cpu_per_nginx']:.1%} of its CPU efficiency: the 20 % target {goal} "
        "in req/s."
    )
    return {
        "commit": os.environ.get("BENCH_COMMIT", ""),
        "started": started,
        "finished": finished,
        "seconds": measure.SECONDS,
        "rounds": measure.ROUNDS,
        "connections": measure.CONNECTIONS,
        "servers": SERVERS,
        "summary": summary,
        "targets": {t.name: {"label": t.label, "url": t.url, "runs": t.runs} for t in loaded},
    }


if __name__ == "__main__":
    if sys.argv[1:] == ["compare"]:
        compare()
    elif sys.argv[1:] == ["load"]:
        sys.exit(load())
    else:
        sys.exit("usage: servers.py compare | load")
