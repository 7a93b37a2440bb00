"""
What else the machine was doing while bench/measure.py loaded a target: the load average,
the CPU busy and stolen time, the CPU of each process (so that the benchmark's own can be
told from the others'), PostgreSQL's transactions in a database and Varnish's counters.
Standard library only, from /proc and the servers' own tools.
"""

import os
import resource
import subprocess
import sys
import time

TICKS = os.sysconf("SC_CLK_TCK")


def loadavg():
    return float(open("/proc/loadavg").read().split()[0])


def cpu_busy_ticks():
    """Busy and stolen ticks of the whole machine, from /proc/stat."""
    values = [int(v) for v in open("/proc/stat").readline().split()[1:]]
    user, nice, system, idle, iowait, irq, softirq, steal = values[:8]
    return user + nice + system + irq + softirq, steal


def process_ticks():
    """{pid: (ticks used, parent pid, short command line)} for every live process."""
    found = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            stat = open(f"/proc/{pid}/stat").read()
            cmdline = open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\0", b" ")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        found[int(pid)] = (
            int(fields[11]) + int(fields[12]),
            int(fields[1]),
            cmdline.decode(errors="replace").strip()[:70] or stat.split()[1],
        )
    return found


def ours(processes, benchmark_databases):
    """The benchmark's processes: run.sh's tree (servers, nginx, Varnish), Redis, and the
    PostgreSQL backends connected to the benchmark's databases."""
    root = int(os.environ.get("BENCH_ROOT_PID", os.getppid()))
    mine, changed = {root}, True
    while changed:
        changed = False
        for pid, (_, parent, _) in processes.items():
            if parent in mine and pid not in mine:
                mine.add(pid)
                changed = True
    for pid, (_, _, command) in processes.items():
        if command.startswith("redis-server") or (
            command.startswith("postgres:")
            and any(f" {db} " in command for db in benchmark_databases)
        ):
            mine.add(pid)
    return mine


def transactions(database):
    if not database:
        return 0
    out = subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-Atc",
            "select xact_commit + xact_rollback from pg_stat_database "
            f"where datname = '{database}'",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return int(out.strip() or 0)


def varnish_counters():
    """Varnish's hit, miss and backend counters; {} (and why, on stderr) if it cannot say."""
    names = ("MAIN.cache_hit", "MAIN.cache_miss", "MAIN.backend_req")
    command = ["varnishstat", "-n", os.environ["VARNISH_DIR"], "-1"]
    for name in names:
        command += ["-f", name]
    for _ in range(3):
        done = subprocess.run(command, capture_output=True, text=True)
        counters = {
            line.split()[0]: int(line.split()[1])
            for line in done.stdout.splitlines()
            if line.strip()
        }
        if done.returncode == 0 and all(name in counters for name in names):
            return counters
        time.sleep(0.5)
    print(f"  varnishstat failed: {done.stderr.strip() or done.stdout.strip()}", file=sys.stderr)
    return {}


def children_ticks():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (usage.ru_utime + usage.ru_stime) * TICKS


def nproc():
    return subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
