"""Password guessing at the admin's sign-in page, in real Chromium."""

import pytest
from playwright.sync_api import expect

from answers.testing import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

WAIT = (
    "Too many failed sign-ins for this account from your network. Wait 15 minutes, then try again."
)


def try_password(page, live_server, username, password):
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")


def test_six_wrong_passwords_then_the_right_one_still_waits(live_server, page, reviewer):
    for attempt in range(1, 5):
        try_password(page, live_server, "robin", f"guess-{attempt}")
        expect(page.locator(".errornote")).to_contain_text("Please enter the correct username")
    for attempt in range(5, 7):
        try_password(page, live_server, "robin", f"guess-{attempt}")
        expect(page.locator("#login-locked")).to_have_text(WAIT)

    try_password(page, live_server, "robin", PASSWORD)
    expect(page.locator("#login-locked")).to_have_text(WAIT)
    expect(page.locator("#site-name")).to_have_text("qasite editorial admin")
    expect(page).to_have_title("Wait before signing in again | qasite admin")
    expect(page.locator("#user-tools")).to_have_count(0)
    expect(page.locator("#my-work-title")).to_have_count(0)
    page.screenshot(path="/tmp/login_locked.png")

    page.goto(f"{live_server.url}/admin/")
    expect(page).to_have_url(f"{live_server.url}/admin/login/?next=/admin/")
