"""Signing in to the admin: password guessing is limited per account and client (django-axes),
and the demo accounts' public passwords open nothing unless DEBUG is on."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.contrib.auth import authenticate
from django.core.cache import caches
from django.test import Client, RequestFactory

from answers.testing import PASSWORD
from desk.demo_accounts import REFUSED

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
LOGIN = "/admin/login/"
# Clients as our proxy (127.0.0.1, the test client's REMOTE_ADDR) reports them.
FIRST, SECOND = "203.0.113.5", "198.51.100.7"
WAIT = (
    "Too many failed sign-ins for this account from your network. Wait 15 minutes, then try again."
)
WRONG = "Please enter the correct username and password"


def sign_in(client, username, password, address=FIRST):
    return client.post(
        LOGIN,
        {"username": username, "password": password, "next": "/admin/"},
        HTTP_X_FORWARDED_FOR=address,
    )


def signed_in(client):
    return "_auth_user_id" in client.session


def lock(client, username, address=FIRST):
    """Five wrong passwords: the fifth already gets the wait page."""
    for attempt in range(1, 6):
        response = sign_in(client, username, f"guess-{attempt}", address)
        assert response.status_code == (429 if attempt == 5 else 200)
    return response


def test_the_sixth_try_waits_even_with_the_right_password(client, reviewer):
    for attempt in range(1, 5):
        response = sign_in(client, "robin", f"guess-{attempt}")
        assert response.status_code == 200
        assert WRONG in response.content.decode()
    assert sign_in(client, "robin", "guess-5").status_code == 429

    right = sign_in(client, "robin", PASSWORD)
    page = right.content.decode()
    assert right.status_code == 429
    assert WAIT in page
    assert "qasite editorial admin" in page  # the admin's look, not axes' bare text
    assert right["Retry-After"] == "900"
    assert "no-store" in right["Cache-Control"]
    assert 'name="password"' not in page and WRONG not in page
    assert not signed_in(client)
    assert client.get("/admin/").status_code == 302  # to the sign-in page
    # Nothing on the page tells the right password from a wrong one.
    assert sign_in(client, "robin", "guess-6").content == right.content


def test_another_client_can_still_sign_in_to_a_locked_account(client, reviewer):
    lock(client, "robin")
    assert sign_in(client, "robin", PASSWORD).status_code == 429

    elsewhere = Client()
    response = sign_in(elsewhere, "robin", PASSWORD, address=SECOND)
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert signed_in(elsewhere)
    assert not signed_in(client)


def test_a_client_cannot_escape_the_lock_by_moving_within_its_ipv6_network(client, reviewer):
    for attempt in range(1, 6):  # five addresses of one /64, as a client's own device picks
        response = sign_in(client, "robin", "guess", address=f"2001:db8:1:2::{attempt:x}")
    assert response.status_code == 429
    moved = sign_in(client, "robin", PASSWORD, address="2001:db8:1:2:ffff::1")
    assert moved.status_code == 429 and not signed_in(client)
    elsewhere = sign_in(Client(), "robin", PASSWORD, address="2001:db8:1:3::1")  # another /64
    assert elsewhere.status_code == 302


def test_a_client_cannot_escape_the_lock_by_writing_its_own_forwarded_for(client, reviewer):
    # The client writes the left part; our proxy appends the address it really saw.
    for attempt in range(1, 6):
        response = sign_in(client, "robin", "guess", address=f"192.0.2.{attempt}, {FIRST}")
    assert response.status_code == 429
    response = sign_in(client, "robin", PASSWORD, address=f"192.0.2.99, {FIRST}")
    assert response.status_code == 429
    assert not signed_in(client)


def test_another_account_from_the_same_client_is_not_locked(client, reviewer, editor):
    lock(client, "robin")
    assert sign_in(client, "robin", PASSWORD).status_code == 429

    response = sign_in(client, "erin", PASSWORD)
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_signing_in_clears_the_failures_so_far(client, reviewer):
    for attempt in range(1, 5):
        assert sign_in(client, "robin", f"guess-{attempt}").status_code == 200
    assert sign_in(client, "robin", PASSWORD).status_code == 302
    client.post("/admin/logout/")
    assert not AccessAttempt.objects.exists()

    # Four more failures are four, not eight: the lock comes at the fifth, as at first.
    for attempt in range(1, 5):
        response = sign_in(client, "robin", f"guess-{attempt}")
        assert response.status_code == 200 and WRONG in response.content.decode()
    assert sign_in(client, "robin", "guess-5").status_code == 429


def test_the_count_is_kept_in_the_database_across_restarts(reviewer):
    before = Client()
    for attempt in range(1, 4):
        assert sign_in(before, "robin", f"guess-{attempt}").status_code == 200
    attempt = AccessAttempt.objects.get()
    assert (attempt.username, attempt.ip_address) == ("robin", FIRST)
    assert attempt.failures_since_start == 3

    # A new worker or app server: a new session, no cache, only the database in common.
    for cache in caches.all():
        cache.clear()
    after = Client()
    assert sign_in(after, "robin", "guess-4").status_code == 200
    assert sign_in(after, "robin", "guess-5").status_code == 429
    assert sign_in(after, "robin", PASSWORD).status_code == 429
    assert AccessFailureLog.objects.filter(username="robin", ip_address=FIRST).count() == 6
    assert AccessFailureLog.objects.filter(locked_out=True).count() == 2


def test_the_wait_page_names_the_configured_wait(client, reviewer, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = 45 / 60  # as LOGIN_COOLOFF_MINUTES=45 sets it
    assert sign_in(client, "robin", "guess-1").status_code == 200
    response = sign_in(client, "robin", "guess-2")
    assert response.status_code == 429
    assert "Wait 45 minutes, then try again." in response.content.decode()
    assert response["Retry-After"] == "2700"


def settings_with(**env):
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("LOGIN_")}
    environment = {**inherited, "DEBUG": "1", **env}
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "--verbosity", "0", "-c",
         "from django.conf import settings; "
         "print(settings.AXES_FAILURE_LIMIT, settings.AXES_COOLOFF_TIME * 60)"],
        cwd=ROOT, env=environment, capture_output=True, text=True,
    )  # fmt: skip


def test_the_limits_come_from_the_environment():
    assert settings_with().stdout.split() == ["5", "15.0"]
    result = settings_with(LOGIN_FAILURE_LIMIT="3", LOGIN_COOLOFF_MINUTES="45")
    assert result.stdout.split() == ["3", "45.0"]
    result = settings_with(LOGIN_FAILURE_LIMIT="0")
    assert result.returncode != 0
    assert "LOGIN_FAILURE_LIMIT and LOGIN_COOLOFF_MINUTES must be 1 or more" in result.stderr


def test_a_superuser_sees_and_lifts_a_lockout_in_the_admin(client, reviewer, admin_user):
    locked = Client()
    lock(locked, "robin")

    client.force_login(admin_user)
    assert "Access attempts" in client.get("/admin/").content.decode()
    listing = client.get("/admin/axes/accessattempt/?locked_out=yes").content.decode()
    assert "robin" in listing and FIRST in listing and "Locked Out" in listing
    attempt = AccessAttempt.objects.get(username="robin")
    assert client.get(f"/admin/axes/accessattempt/{attempt.pk}/change/").status_code == 200
    response = client.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()

    assert sign_in(locked, "robin", PASSWORD).status_code == 302
    assert signed_in(locked)


def test_demo_passwords_sign_in_only_with_debug(client, settings, demo):
    settings.DEBUG = False
    # Only the published pair is refused: a wrong password gets the usual message.
    page = sign_in(client, "editor", "reviewer-demo-pass").content.decode()
    assert WRONG in page and REFUSED not in page

    response = sign_in(client, "editor", "editor-demo-pass")
    page = response.content.decode()
    assert response.status_code == 200
    assert REFUSED in page and WRONG not in page
    assert 'name="password"' in page  # on the form, which can be tried again
    assert not signed_in(client)

    settings.DEBUG = True
    response = sign_in(client, "editor", "editor-demo-pass")
    assert response.status_code == 302
    assert signed_in(client)


def test_no_sign_in_path_accepts_a_demo_password_without_debug(settings, demo):
    request = RequestFactory().post(LOGIN)
    settings.DEBUG = False
    assert authenticate(request, username="reviewer", password="reviewer-demo-pass") is None
    settings.DEBUG = True
    user = authenticate(request, username="reviewer", password="reviewer-demo-pass")
    assert user is not None and user.username == "reviewer"


def test_a_real_account_named_editor_signs_in_with_its_own_password(
    client, settings, django_user_model
):
    django_user_model.objects.create_user("editor", password=PASSWORD, is_staff=True)
    settings.DEBUG = False
    # The demo pair is refused whoever holds the name: the password is public.
    response = sign_in(client, "editor", "editor-demo-pass")
    assert REFUSED in response.content.decode() and not signed_in(client)

    response = sign_in(client, "editor", PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


def test_a_username_longer_than_any_account_gets_the_usual_message(client):
    # Django's form does not enforce the username's length; axes stores 255 characters.
    response = sign_in(client, "x" * 5_000, "guess")
    assert response.status_code == 200
    assert WRONG in response.content.decode()
    assert AccessAttempt.objects.get().username == "x" * 255
