"""Readers keep reading while PostgreSQL restarts: a PostgreSQL cluster of the test's own,
gunicorn with two workers, requests all along, and the database stopped and started."""

import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest
import requests

from delivery.tests.app_server import ROOT, free_port, running_app

pytestmark = pytest.mark.servers

PG_BIN = Path("/usr/lib/postgresql")
ANSWER = (
    "/ask/are-car-t-cell-therapies-currently-being-used-to-treat-multiple-sclerosis-"
    "according-to-recent-reviews/"
)


def pg_tool(name):
    found = sorted(PG_BIN.glob(f"*/bin/{name}"))
    assert found, f"PostgreSQL's {name} is missing (make test installs postgresql)"
    return str(found[-1])


def as_postgres(*command):
    """Run a PostgreSQL tool as the postgres user (initdb refuses root)."""
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=60)


class Cluster:
    def __init__(self):
        self.directory = tempfile.mkdtemp(prefix="qasite-outage-")
        self.port = free_port()
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
        data = f"{self.directory}/data"
        as_postgres(pg_tool("initdb"), "-D", data, "-A", "trust", "-U", "postgres")
        self.data = data

    @property
    def url(self):
        return f"postgres://postgres@127.0.0.1:{self.port}/qasite"

    def start(self):
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1"
        log = f"{self.directory}/server.log"  # not our pipes: pg_ctl would wait on them
        as_postgres(pg_tool("pg_ctl"), "-D", self.data, "-l", log, "-o", options, "-w", "start")

    def stop(self):
        as_postgres(pg_tool("pg_ctl"), "-D", self.data, "-m", "fast", "-w", "stop")


@pytest.fixture
def site():
    """A fresh cluster with the demo content loaded, served by gunicorn (2 workers)."""
    cluster = Cluster()
    cluster.start()
    try:
        as_postgres(pg_tool("createdb"), "-h", "127.0.0.1", "-p", str(cluster.port), "qasite")
        env = {
            "DATABASE_URL": cluster.url,
            "PAGE_CACHE_DIR": f"{cluster.directory}/pages",
            "DEBUG": "1",
            "DATABASE_CONN_MAX_AGE": "60",
        }
        for command in ("migrate", "create_demo_accounts", "load_demo_content"):
            subprocess.run(
                [str(ROOT / ".venv/bin/python"), "manage.py", command],
                cwd=ROOT, env={**os.environ, **env}, check=True, capture_output=True,
                timeout=300,
            )  # fmt: skip
        with running_app(env, workers=2) as url:
            yield cluster, url
    finally:
        try:
            cluster.stop()
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(cluster.directory, ignore_errors=True)


def signed_in(url, username, password):
    session = requests.Session()
    login = session.get(url + "/admin/login/", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text).group(1)
    session.post(
        url + "/admin/login/",
        {"username": username, "password": password, "csrfmiddlewaretoken": token},
        headers={"Referer": url + "/admin/login/"},
        timeout=10,
    )
    assert session.get(url + "/admin/", timeout=10).status_code == 200
    return session


class Load(threading.Thread):
    """Requests in a loop, each result kept with the phase it was made in."""

    def __init__(self, url, paths, session=None):
        super().__init__(daemon=True)
        self.url, self.paths, self.session = url, paths, session or requests.Session()
        self.phase, self.results, self.running = "before", [], True

    def run(self):
        deadline = time.monotonic() + 120  # bounded, whatever happens
        while self.running and time.monotonic() < deadline:
            for path in self.paths:
                phase = self.phase
                try:
                    r = self.session.get(self.url + path, timeout=5, allow_redirects=False)
                    self.results.append((phase, path, r.status_code, r.text))
                except requests.RequestException as error:
                    self.results.append((phase, path, None, str(error)))

    def seen(self, phase, path):
        return [(status, text) for p, q, status, text in self.results if (p, q) == (phase, path)]


def test_readers_keep_reading_through_a_postgresql_restart(site):
    cluster, url = site
    for _ in range(6):  # both workers have the pages in the shared cache
        assert requests.get(url + ANSWER, timeout=10).status_code == 200
        assert requests.get(url + "/", timeout=10).status_code == 200
    editor = signed_in(url, "editor", "editor-demo-pass")
    public = Load(url, [ANSWER, "/", "/search/?q=multiple+sclerosis"])
    admin = Load(url, ["/admin/answers/answer/"], session=editor)
    public.start()
    admin.start()
    time.sleep(1.5)

    public.phase = admin.phase = "stopping"  # a request made now may still be answered
    cluster.stop()
    public.phase = admin.phase = "down"
    time.sleep(3)
    public.phase = admin.phase = "restarting"
    cluster.start()
    time.sleep(2)
    public.phase = admin.phase = "after"
    time.sleep(2)
    public.running = admin.running = False
    public.join(10)
    admin.join(10)

    every = public.results + admin.results
    assert len(every) > 50
    assert not [r for r in every if r[2] is None], "a request got no answer"
    assert not [r for r in every if r[2] == 500], "a request answered 500"

    # While the database is down: cached pages are served, the rest get a friendly 503.
    for path in (ANSWER, "/"):
        down = public.seen("down", path)
        assert down and {status for status, _ in down} == {200}, path
    assert all("Dr Robin Reviewer" in text for status, text in public.seen("down", ANSWER))
    search = public.seen("down", "/search/?q=multiple+sclerosis")
    assert search and {status for status, _ in search} == {503}
    assert "This page is not available just now" in search[0][1]
    listing = admin.seen("down", "/admin/answers/answer/")
    assert listing and {status for status, _ in listing} == {503}
    assert "The database is unavailable right now" in listing[0][1]

    # Once it is back, everything answers again.
    for loader, path in [(public, ANSWER), (public, "/"), (admin, "/admin/answers/answer/")]:
        after = loader.seen("after", path)
        assert after and {status for status, _ in after} == {200}, path
    search_after = public.seen("after", "/search/?q=multiple+sclerosis")
    assert search_after and {status for status, _ in search_after} == {200}
    assert "Are CAR-T cell therapies" in search_after[-1][1]
