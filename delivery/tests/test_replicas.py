"""Public reads from a real streaming replica: a PostgreSQL cluster of the test's own, a hot
standby of it made with pg_basebackup, and gunicorn with DATABASE_REPLICA_URLS. Both
clusters log every statement, so where a request's queries ran is read from the logs."""

import os
import shutil
import subprocess
import time
import uuid

import pytest
import requests

from delivery.tests.app_server import ROOT, free_port, running_app
from delivery.tests.test_database_outage import ANSWER, Cluster, as_postgres, pg_tool, signed_in

pytestmark = pytest.mark.servers

LOGGING = "-c log_statement=all -c log_min_duration_statement=-1 -c logging_collector=off"


class Standby:
    """A hot standby of `primary`, streaming from it."""

    def __init__(self, primary):
        self.primary = primary
        self.directory = primary.directory
        self.data = f"{self.directory}/standby"
        self.port = free_port()
        as_postgres(
            pg_tool("pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary.port),
            "-U", "postgres", "-D", self.data, "-R", "-X", "stream", "--checkpoint=fast",
        )  # fmt: skip
        self.log = f"{self.directory}/standby.log"

    @property
    def url(self):
        return f"postgres://postgres@127.0.0.1:{self.port}/qasite"

    def start(self):
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 {LOGGING}"
        as_postgres(
            pg_tool("pg_ctl"), "-D", self.data, "-l", self.log, "-o", options, "-w", "start"
        )

    def stop(self):
        as_postgres(pg_tool("pg_ctl"), "-D", self.data, "-m", "fast", "-w", "stop")

    def sql(self, statement):
        return psql(self.port, statement)


def psql(port, statement):
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    result = subprocess.run(
        [*prefix, pg_tool("psql"), "-h", "127.0.0.1", "-p", str(port), "-d", "qasite",
         "-At", "-c", statement],
        check=True, capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    return result.stdout.strip()


class Log:
    """A server's log, read from where it stood when marked."""

    def __init__(self, path):
        self.path, self.offset = path, 0

    def mark(self):
        self.offset = os.path.getsize(self.path)

    def since(self):
        with open(self.path, errors="replace") as file:
            file.seek(self.offset)
            return file.read()


def manage(env, *args):
    return subprocess.run(
        [str(ROOT / ".venv/bin/python"), "manage.py", *args],
        cwd=ROOT, env={**os.environ, **env}, check=True, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip


@pytest.fixture(scope="module")
def site():
    """Primary and standby with the demo content, served by gunicorn (2 workers) that
    reads public pages from the standby."""
    primary = Cluster()
    primary.log = f"{primary.directory}/server.log"
    original_start = primary.start

    def start_logging():
        options = (
            f"-p {primary.port} -k {primary.directory} -c listen_addresses=127.0.0.1 {LOGGING}"
        )
        as_postgres(
            pg_tool("pg_ctl"), "-D", primary.data, "-l", primary.log, "-o", options, "-w",
            "start",
        )  # fmt: skip

    primary.start = start_logging
    standby = None
    try:
        primary.start()
        as_postgres(pg_tool("createdb"), "-h", "127.0.0.1", "-p", str(primary.port), "qasite")
        env = {
            "DATABASE_URL": primary.url,
            "PAGE_CACHE_DIR": f"{primary.directory}/pages",
            "DEBUG": "1",
        }
        for command in ("migrate", "create_demo_accounts", "load_demo_content"):
            manage(env, command)
        standby = Standby(primary)
        standby.start()
        wait_for_replay(primary, standby)
        app_env = {**env, "DATABASE_REPLICA_URLS": standby.url}
        with running_app(app_env, workers=2) as url:
            yield {
                "url": url, "env": env, "primary": primary, "standby": standby,
                "primary_log": Log(primary.log), "standby_log": Log(standby.log),
            }  # fmt: skip
    finally:
        for cluster in (standby, primary):
            if cluster is None:
                continue
            try:
                cluster.stop()
            except subprocess.CalledProcessError:
                pass
        primary.start = original_start
        shutil.rmtree(primary.directory, ignore_errors=True)


def wait_for_replay(primary, standby, seconds=30):
    target = psql(primary.port, "SELECT pg_current_wal_lsn()")
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if standby.sql(f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn") == "t":
            return
        time.sleep(0.1)
    raise AssertionError("the standby did not catch up")


def where_it_ran(site, request):
    """Run `request()`; return (its result, the primary's log, the standby's log)."""
    site["primary_log"].mark()
    site["standby_log"].mark()
    result = request()
    time.sleep(0.2)  # the servers write their logs as they go
    return result, site["primary_log"].since(), site["standby_log"].since()


def test_the_standby_is_a_real_streaming_replica(site):
    assert site["standby"].sql("SELECT pg_is_in_recovery()") == "t"
    assert psql(site["primary"].port, "SELECT count(*) FROM pg_stat_replication") == "1"


def test_public_pages_are_read_from_the_standby(site):
    word = f"replicaprobe{uuid.uuid4().hex[:8]}"
    response, on_primary, on_standby = where_it_ran(
        site, lambda: requests.get(f"{site['url']}/search/?q={word}", timeout=10)
    )
    assert response.status_code == 200
    assert word in on_standby and word not in on_primary
    # The answer page, not kept yet by this worker: its one read runs on the standby.
    page, on_primary, on_standby = where_it_ran(
        site, lambda: requests.get(f"{site['url']}{ANSWER}?fresh={word}", timeout=10)
    )
    assert page.status_code == 200 and "CAR-T" in page.text
    slug = ANSWER.strip("/").split("/")[-1]
    assert slug in on_standby
    assert "SELECT v.id, v.page_key" not in on_primary


def test_staff_reads_and_every_write_go_to_the_primary(site):
    session = signed_in(site["url"], "editor", "editor-demo-pass")
    word = f"staffprobe{uuid.uuid4().hex[:8]}"
    listed, on_primary, on_standby = where_it_ran(
        site,
        lambda: session.get(f"{site['url']}/admin/answers/answer/?q={word}", timeout=10),
    )
    assert listed.status_code == 200
    assert word in on_primary and word not in on_standby
    # Signed in, even a public page is read from the primary (what they just wrote).
    page, on_primary, on_standby = where_it_ran(
        site, lambda: session.get(f"{site['url']}/search/?q={word}x", timeout=10)
    )
    assert f"{word}x" in on_primary and f"{word}x" not in on_standby
    # A patient's report is a write: on the primary, and never tried on the standby.
    report_url = f"{site['url']}{ANSWER}report/"
    visitor = requests.Session()
    form = visitor.get(report_url, timeout=10)
    token = form.text.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    sent, on_primary, on_standby = where_it_ran(
        site,
        lambda: visitor.post(
            report_url,
            {"csrfmiddlewaretoken": token, "kind": "other", "text": f"Typo {word}"},
            headers={"Referer": report_url},
            timeout=10,
            allow_redirects=False,
        ),
    )
    assert sent.status_code == 302
    assert f"Typo {word}" in on_primary and f"Typo {word}" not in on_standby
    assert "read-only transaction" not in on_standby


SLUG = ANSWER.split("/")[2]

PUBLISH = """
from django.contrib.auth import get_user_model
from answers.models import Answer
users = get_user_model().objects
editor, reviewer = users.get(username="editor"), users.get(username="{reviewer}")
answer = Answer.objects.get(question__slug="{slug}")
answer.short_answer = "{text}"
answer._history_user = editor
answer.save()
answer.record_edit(editor)
answer.submit(editor)
answer.approve(reviewer)
"""

WITHDRAW = """
from django.contrib.auth import get_user_model
from answers.models import Answer
answer = Answer.objects.get(question__slug="{slug}")
answer.withdraw(get_user_model().objects.get(username="reviewer"), comment="Lag")
"""


def test_a_lagging_standby_never_shows_a_spanish_page_from_before_a_publication(site):
    """The demo answer's Spanish translation (load_demo_content publishes it, approved by
    `revisora`, who reviews in Spanish): its page is read from the standby once the standby
    has replayed its approval, from the primary until then; and its withdrawal takes it
    down at once, and only it, however far behind the standby is."""
    slug = psql(site["primary"].port, "SELECT slug FROM answers_question WHERE language = 'es'")
    assert slug, "load_demo_content published no Spanish translation"
    url, original = f"{site['url']}/es/ask/{slug}/", site["url"] + ANSWER
    assert requests.get(url, timeout=10).status_code == 200
    site["standby"].sql("SELECT pg_wal_replay_pause()")
    try:
        text = "Aprobada mientras la réplica va con retraso."
        manage(
            site["env"], "shell", "-c", PUBLISH.format(slug=slug, reviewer="revisora", text=text)
        )
        shown = [requests.get(url, timeout=10) for _ in range(4)]  # both workers
        assert all(r.status_code == 200 and text in r.text for r in shown)
        assert text not in site["standby"].sql("SELECT short_answer FROM answers_answer")
    finally:
        site["standby"].sql("SELECT pg_wal_replay_resume()")
    wait_for_replay(site["primary"], site["standby"])
    # Under another name of the host: an address the page cache has not kept yet.
    host = {"Host": url.split("/")[2].replace("127.0.0.1", "localhost")}
    page, on_primary, on_standby = where_it_ran(
        site, lambda: requests.get(url, headers=host, timeout=10)
    )
    assert page.status_code == 200 and text in page.text
    assert slug in on_standby and "SELECT v.id, v.page_key" not in on_primary
    site["standby"].sql("SELECT pg_wal_replay_pause()")
    try:
        manage(site["env"], "shell", "-c", WITHDRAW.format(slug=slug))
        assert {requests.get(url, timeout=10).status_code for _ in range(4)} == {404}
        assert {requests.get(original, timeout=10).status_code for _ in range(4)} == {200}
    finally:
        site["standby"].sql("SELECT pg_wal_replay_resume()")
    wait_for_replay(site["primary"], site["standby"])


def test_a_lagging_standby_never_shows_the_page_from_before_a_publication(site):
    url = site["url"] + ANSWER
    assert requests.get(url, timeout=10).status_code == 200  # kept by the page cache
    site["standby"].sql("SELECT pg_wal_replay_pause()")
    try:
        text = "Approved while the replica lags."
        manage(
            site["env"], "shell", "-c", PUBLISH.format(slug=SLUG, reviewer="reviewer", text=text)
        )
        shown = [requests.get(url, timeout=10) for _ in range(4)]  # both workers
        assert all(r.status_code == 200 for r in shown)
        assert all("Approved while the replica lags." in r.text for r in shown)
        # The standby really is behind: it still has the old text.
        assert "Approved while" not in site["standby"].sql(
            "SELECT short_answer FROM answers_answer"
        )
        manage(site["env"], "shell", "-c", WITHDRAW.format(slug=SLUG))
        assert {requests.get(url, timeout=10).status_code for _ in range(4)} == {404}
    finally:
        site["standby"].sql("SELECT pg_wal_replay_resume()")
    wait_for_replay(site["primary"], site["standby"])
    word = f"resumed{uuid.uuid4().hex[:8]}"
    _, on_primary, on_standby = where_it_ran(
        site, lambda: requests.get(f"{site['url']}/search/?q={word}", timeout=10)
    )
    assert word in on_standby  # caught up: reads go back to it
