"""Fixtures shared by every test: named users, the demo answer, a browser, an SMTP server.
Plain helpers that tests import by name live in answers/testing.py, not here."""

import pytest
from django.conf import settings

from answers.testing import CHROMIUM, CHROMIUM_ARGS, PASSWORD, committed, staff_user


def pytest_configure(config):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if not settings.REDIS_URL:
        # The page cache of this run only, not the developer's `make run` pages.
        import tempfile

        settings.PAGE_CACHE_DIR = tempfile.mkdtemp(prefix="qasite-pages-")
        settings.CACHES["default"]["LOCATION"] = settings.PAGE_CACHE_DIR
    if settings.CACHES["ratelimit"]["BACKEND"].endswith("LockedFileCache"):
        settings.CACHES["ratelimit"]["LOCATION"] = f"{settings.PAGE_CACHE_DIR}/ratelimit"


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects, so that every run checks all tests
def pytest_collection_modifyitems(items):
    """A test that drives Chromium says so, so that `-m "not browser"` never starts one."""
    unmarked = [
        item.nodeid
        for item in items
        if {"page", "chromium"} & set(getattr(item, "fixturenames", ()))
        and not item.get_closest_marker("browser")
    ]
    if unmarked:
        raise pytest.UsageError(
            "These tests use Chromium without @pytest.mark.browser:\n" + "\n".join(unmarked)
        )


@pytest.fixture(autouse=True)
def empty_page_cache():
    """Each test starts with no kept page: the database is new, so must the pages be."""
    from django.core.cache import caches

    from delivery import page_cache

    page_cache.clear()
    caches[settings.RATELIMIT_USE_CACHE].clear()  # and no report counted yet


@pytest.fixture(autouse=True)
def quiet_live_server(request):
    """A browser test's pages may still be talking to the live server as it ends: a closing
    tab sends what was typed (desk/static/desk/keep_typing.js). Wait until the server has
    answered them, before the database is emptied under their feet."""
    if not request.node.get_closest_marker("browser"):
        yield
        return
    import threading
    import time

    from django.core.signals import request_finished, request_started

    lock, state = threading.Lock(), {"open": 0, "last": 0.0}

    def started(**kwargs):
        with lock:
            state["open"] += 1
            state["last"] = time.monotonic()

    def finished(**kwargs):
        with lock:
            state["open"] -= 1
            state["last"] = time.monotonic()

    request_started.connect(started, weak=False)
    request_finished.connect(finished, weak=False)
    yield
    ending = time.monotonic()
    deadline = ending + 5
    while time.monotonic() < deadline:
        with lock:
            quiet_since = max(state["last"], ending)
            if state["open"] <= 0 and time.monotonic() - quiet_since > 0.3:
                break
        time.sleep(0.05)
    request_started.disconnect(started)
    request_finished.disconnect(finished)


@pytest.fixture
def editor(django_user_model):
    """An editor who is also the demo answer's writer (so it can meet the JAMA gate)."""
    from answers.models import ContributorProfile

    user = staff_user(django_user_model, "erin", "Erin", "Editor", group="Editor")
    ContributorProfile.objects.create(
        user=user, display_name="Erin Editor", credentials="MPH", role="Medical writer",
        disclosures="None declared",
    )  # fmt: skip
    return user


@pytest.fixture
def reviewer(django_user_model):
    from answers.models import ContributorProfile

    user = staff_user(django_user_model, "robin", "Robin", "Reviewer", group="Medical reviewer")
    ContributorProfile.objects.create(
        user=user, display_name="Dr Robin Reviewer", credentials="MD, PhD",
        role="Consultant neurologist", disclosures="None declared",
    )  # fmt: skip
    return user


@pytest.fixture
def second_reviewer(django_user_model):
    from answers.models import ContributorProfile

    user = staff_user(django_user_model, "sam", "Sam", "Second", group="Medical reviewer")
    ContributorProfile.objects.create(
        user=user, display_name="Dr Sam Second", credentials="MBBS",
        disclosures="Speaker fees from a maker of MS treatments (2025).",
    )  # fmt: skip
    return user


@pytest.fixture
def other_staff(django_user_model):
    """Staff with no editorial role (e.g. someone from support)."""
    return staff_user(django_user_model, "otto", "Otto", "Other")


@pytest.fixture
def visitor(django_user_model):
    """A signed-in user who is not staff (e.g. an account from another part of the site)."""
    return django_user_model.objects.create_user("vic", password=PASSWORD)


@pytest.fixture
def demo_answer(db, editor, reviewer):
    """The demo answer, submitted by the editor and approved by the reviewer."""
    from answers.demo_content import load_answer_file

    with committed():
        answer, _ = load_answer_file(editor=editor, reviewer=reviewer)
    return answer


@pytest.fixture
def demo(settings):
    """The accounts and the demo answer (the English original; the demo also has its Spanish
    translation), created by the commands `make run` calls."""
    import io

    from django.core.management import call_command

    from answers.models import Answer

    settings.DEBUG = True  # the demo accounts are refused otherwise, as on a real server
    call_command("create_demo_accounts", stdout=io.StringIO())
    settings.DEBUG = False
    call_command("load_demo_content", stdout=io.StringIO())
    return Answer.objects.get(question__translation_of=None)  # the original, not its translation


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium driven by Playwright (browsers cannot be downloaded here)."""
    import os

    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in the test thread; the ORM calls the
    # tests make there are still plain synchronous calls.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    context = chromium.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server (aiosmtpd) on a free local port, with Django's SMTP backend
    pointed at it. Its `messages` are what arrived: (recipients, email.message)."""
    import email
    import email.policy
    import socket

    from aiosmtpd.controller import Controller

    class Inbox:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
            self.messages.append((list(envelope.rcpt_tos), message))
            return "250 Message accepted"

        def to(self, address):
            return [message for recipients, message in self.messages if address in recipients]

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS, settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = False, "", ""
    yield inbox
    controller.stop()
