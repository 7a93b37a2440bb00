"""The trust screens as people use them: a reviewer opens an approval's audit record and
downloads it; an editor rewrites a site policy and a visitor reaches it from the footer."""

import json

import pytest
from playwright.sync_api import expect

from answers.models import SitePolicy
from answers.policies import DEFAULTS
from answers.testing import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reviewer_opens_the_audit_record_and_downloads_it(page, live_server, demo_answer, reviewer):
    sign_in(page, live_server, reviewer)
    page.goto(f"{live_server.url}/admin/")
    page.click("a:has-text('Published versions')")
    page.click(f"a:has-text('{demo_answer.live_version.question_text[:40]}')")
    expect(page.locator(".audit-ok")).to_contain_text("it matches what was approved")
    expect(page.locator(".audit-record")).to_contain_text("Erin Editor, MPH — Medical writer")
    with page.expect_download() as download:
        page.click("a.button:has-text('Download as JSON')")
    record = json.loads(open(download.value.path(), encoding="utf-8").read())
    assert record["fingerprint"] == demo_answer.live_version.fingerprint
    assert record["reviewer"]["display_name"] == "Dr Robin Reviewer"
    expect(page.locator("input[type=submit]")).to_have_count(0)  # nothing to save


def test_editor_rewrites_a_policy_and_a_visitor_follows_the_footer_to_it(
    page, live_server, demo_answer, editor, chromium
):
    for kind, body in DEFAULTS.items():  # as migrated (browser tests flush the tables)
        SitePolicy.objects.get_or_create(kind=kind, defaults={"body": body})
    sign_in(page, live_server, editor)
    page.goto(f"{live_server.url}/admin/")
    page.click("a:has-text('Site policies')")
    page.click("a:has-text('Ownership and funding')")
    page.fill("#id_body", "qasite is paid for by the Demo Foundation, which sees no answer first.")
    page.fill("#id_change_reason", "Named the funder")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    page.click("a:has-text('Ownership and funding')")
    page.click("a.historylink")
    expect(page.locator("#change-history")).to_contain_text("Named the funder")

    visitor = chromium.new_context().new_page()
    visitor.goto(f"{live_server.url}{demo_answer.get_absolute_url()}")
    visitor.click(".site-footer a:has-text('Ownership and funding')")
    expect(visitor.locator("h1")).to_have_text("Ownership and funding")
    expect(visitor.locator(".policy")).to_contain_text("paid for by the Demo Foundation")
    visitor.context.close()
