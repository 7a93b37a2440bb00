"""Whole sites for tests that break real parts: a PostgreSQL cluster of their own holding a
template database (the demo content and a second published answer), a database copied from
it for each test, gunicorn with two workers, and a redis-server and Varnish when asked for.
Everything is driven from outside, over HTTP and `manage.py`, so the same tests can be run
against another release (QASITE_APP_ROOT, delivery/tests/app_server.py)."""

import contextlib
import json
import shutil
import subprocess
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pytest
import requests

from delivery.tests.app_server import APP_ROOT, ROOT, free_port, manage, running_app
from delivery.tests.test_database_outage import ANSWER, Cluster, as_postgres, pg_tool
from delivery.tests.varnish_server import running_varnish

TEMPLATE = "qasite_template"
# As the page prints it (a check for it must be able to fail: case and all).
QUESTION = "Are CAR-T cell therapies currently being used to treat Multiple Sclerosis"
# The answer that stays published through every test.
OTHER = "/ask/does-a-second-answer-stay-on-the-site/"
OTHER_QUESTION = "Does a second answer stay on the site?"

SECOND_ANSWER = f"""
from django.contrib.auth import get_user_model
from answers.models import Answer, Authorship, Question
from citations.models import Citation
users = get_user_model().objects
editor, reviewer = users.get(username="editor"), users.get(username="reviewer")
demo = Answer.objects.get(question__slug="{ANSWER.split("/")[2]}")
question = Question.objects.create(
    text="{OTHER_QUESTION}", slug="{OTHER.split("/")[2]}", topic=demo.question.topic
)
answer = Answer.objects.create(
    question=question, short_answer="Yes: it is not withdrawn.", research=demo.research,
    doctor_questions=demo.doctor_questions,
)
for citation in demo.citations.all():
    Citation.objects.create(answer=answer, number=citation.number, source=citation.source)
for authorship in demo.authorships.all():
    Authorship.objects.create(answer=answer, contributor=authorship.contributor)
# record_citations() in releases before issue 23 (QASITE_APP_ROOT)
(getattr(answer, "record_snapshots", None) or answer.record_citations)()
answer.submit(editor)
answer.approve(reviewer)
"""

# The demo answer's Spanish translation, which load_demo_content publishes: its address and
# question, read from the template (JSON), or null in a release that publishes none.
SPANISH = f"""
import json
from django.core.exceptions import FieldError
from answers.models import Answer
try:
    spanish = (
        Answer.objects.filter(question__language="es", live_version__isnull=False)
        .filter(question__translation_of__slug="{ANSWER.split("/")[2]}")
        .select_related("question")
        .first()
    )
except FieldError:  # a release from before translations
    spanish = None
page = spanish and {{"path": spanish.get_absolute_url(), "question": spanish.question.text}}
print(json.dumps(page))
"""

WITHDRAW = """
from django.contrib.auth import get_user_model
from answers.models import Answer
answer = Answer.objects.get(question__slug="{slug}")
answer.withdraw(get_user_model().objects.get(username="reviewer"), comment="Safety review")
"""


def database_url(cluster, name):
    return f"postgres://postgres@127.0.0.1:{cluster.port}/{name}"


@contextlib.contextmanager
def template_cluster():
    """A cluster with the template database: migrated, demo accounts, two answers live."""
    cluster = Cluster()
    cluster.start()
    try:
        as_postgres(pg_tool("createdb"), "-h", "127.0.0.1", "-p", str(cluster.port), TEMPLATE)
        env = {
            "DATABASE_URL": database_url(cluster, TEMPLATE),
            "PAGE_CACHE_DIR": f"{cluster.directory}/template-pages",
            "DEBUG": "1",
        }
        for command in (["migrate"], ["create_demo_accounts"], ["load_demo_content"]):
            manage(env, *command)
        manage(env, "shell", "-c", SECOND_ANSWER)
        spanish = json.loads(manage(env, "shell", "-c", SPANISH).stdout.splitlines()[-1])
        cluster.spanish = Page(**spanish) if spanish else None
        yield cluster
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            cluster.stop()
        shutil.rmtree(cluster.directory, ignore_errors=True)


@dataclass(frozen=True)
class Page:
    """An answer's page: its address, and its question, which the page shows."""

    path: str
    question: str

    @property
    def slug(self):
        return self.path.rstrip("/").rsplit("/", 1)[-1]


def demo_page(cluster, language):
    """The demo answer's page in `language` ("en-gb" or "es"), on the template site."""
    if language == "en-gb":
        return Page(ANSWER, QUESTION)
    if cluster.spanish is None:
        # A release from before translations (QASITE_APP_ROOT) has no Spanish page to test.
        assert APP_ROOT != ROOT, "load_demo_content published no Spanish translation"
        pytest.skip("this release publishes no Spanish translation of the demo answer")
    return cluster.spanish


def taken_down_with(cluster, language):
    """The pages a withdrawal of the demo answer in `language` takes down: a translation's
    withdrawal only its own; the original's, its translations' too."""
    withdrawn = demo_page(cluster, language)
    if language != "en-gb" or getattr(cluster, "spanish", None) is None:
        return [withdrawn]
    return [withdrawn, cluster.spanish]


@contextlib.contextmanager
def new_database(cluster):
    """A database of this test's own, copied from the template."""
    name = f"qasite_{uuid.uuid4().hex[:10]}"
    port = str(cluster.port)
    as_postgres(pg_tool("createdb"), "-h", "127.0.0.1", "-p", port, "-T", TEMPLATE, name)
    try:
        yield database_url(cluster, name)
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            as_postgres(
                pg_tool("dropdb"), "-h", "127.0.0.1", "-p", port, "--force", "--if-exists", name
            )


@dataclass
class Site:
    url: str
    env: dict
    cluster: Cluster
    varnish: str = ""
    pages: str = ""
    extra: dict = field(default_factory=dict)

    def withdraw(self, slug=None, **env):
        """Withdraw an answer from another process, as a reviewer on another app server
        would; `env` changes what that process reaches."""
        slug = slug or ANSWER.split("/")[2]
        manage({**self.env, **env}, "shell", "-c", WITHDRAW.format(slug=slug))

    def purge(self, *keys):
        """Drop the pages carrying `keys` from every cache, from another process
        (`manage.py purge_pages`)."""
        manage(self.env, "purge_pages", *keys)


@contextlib.contextmanager
def serving(cluster, tmp_path, *, redis_url="", varnish=False, **env):
    """The app server (2 workers) on a new copy of the template database; Varnish in front
    if asked for (its purge address given to the app)."""
    with contextlib.ExitStack() as stack:
        database = stack.enter_context(new_database(cluster))
        pages = tmp_path / f"pages-{uuid.uuid4().hex[:6]}"
        environment = {
            "DATABASE_URL": database,
            "PAGE_CACHE_DIR": str(pages),
            "DEBUG": "1",
            "DATABASE_CONN_MAX_AGE": "60",
            **({"REDIS_URL": redis_url} if redis_url else {}),
            **env,
        }
        if varnish:
            # Varnish needs the app's port, the app needs Varnish's: fix the app's first.
            port = free_port()
            workdir = tmp_path / f"varnish-{uuid.uuid4().hex[:6]}"
            workdir.mkdir()
            proxy = stack.enter_context(running_varnish(port, workdir))
            environment["PROXY_PURGE_URLS"] = proxy
            url = stack.enter_context(running_app(environment, workers=2, port=port))
        else:
            proxy = ""
            url = stack.enter_context(running_app(environment, workers=2))
        yield Site(url=url, env=environment, cluster=cluster, varnish=proxy, pages=str(pages))


def get(url, **headers):
    return requests.get(url, headers=headers, timeout=10, allow_redirects=False)


def fetch(url, count=16, **headers):
    """`count` GETs of `url`, four at a time, so that both workers answer some."""
    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(lambda _: get(url, **headers), range(count)))


def statuses(responses):
    return {response.status_code for response in responses}


def warm(url, **headers):
    """Both workers serve `url` from their page cache: so a test of a take-down has a kept
    copy that must not come back."""
    responses = fetch(url, 16, **headers)
    assert statuses(responses) == {200}, url
    assert "hit" in {response.headers.get("X-Cache") for response in responses}, f"{url} not kept"
    return responses


def during(seconds, *checks):
    """Run each check (a callable that asserts) over and over for `seconds`."""
    deadline = time.monotonic() + seconds
    rounds = 0
    while time.monotonic() < deadline or not rounds:
        for check in checks:
            check()
        rounds += 1
    return rounds


def always_served(url, text=OTHER_QUESTION, **headers):
    def check():
        responses = fetch(url, 8, **headers)
        assert statuses(responses) == {200}, f"{url} was not served: {statuses(responses)}"
        assert all(text in response.text for response in responses)

    return check
