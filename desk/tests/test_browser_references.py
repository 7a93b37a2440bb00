"""References as AMA prints them (issue 25), clicked in real Chromium on the demo content
`make run` loads: a patient reads the demo answer's references, an editor imports a book
chapter and adds a web page by hand, the source form asking what each kind prints."""

import pytest
from playwright.sync_api import expect

from answers.testing import sign_in_as
from citations.models import Source
from citations.tests.test_importers import CHAPTER_RIS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = "/tmp/shots"


def test_a_patient_reads_the_demo_references_as_ama_prints_them(chromium, live_server, demo):
    page = chromium.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(live_server.url + demo.get_absolute_url())
    references = page.locator("ol.references > li")
    expect(references).to_have_count(4)
    expect(page.locator("#ref-10")).to_contain_text(
        "Wang W, Tian D, Qin C, et al. Anti-BCMA CAR-T cells in progressive multiple sclerosis. "
        "Cell. Published online October 15, 2025. Accessed December 7, 2026. "
        "https://www.cell.com/cell/fulltext/S0092-8674(25)01088-8"
    )
    expect(page.locator("#ref-1 i")).to_have_text("Front Med (Lausanne)")
    expect(page.locator("#ref-9")).to_contain_text("Lancet. 2023;402(10416):2034-2044.")
    expect(page.locator("#ref-11 i")).to_have_text("J Neurol")
    page.locator("#references").scroll_into_view_if_needed()
    page.screenshot(path=f"{SHOTS}/references-public.png", full_page=True)

    # The audit record of the approval keeps the same full reference.
    reviewer = sign_in_as(chromium, live_server, "reviewer")
    demo.refresh_from_db()
    reviewer.goto(
        f"{live_server.url}/admin/answers/publishedversion/{demo.live_version.pk}/change/"
    )
    expect(reviewer.locator(".audit-record")).to_contain_text(
        "Cell. Published online October 15, 2025. Accessed December 7, 2026. "
        "https://www.cell.com/cell/fulltext/S0092-8674(25)01088-8"
    )
    reviewer.screenshot(path=f"{SHOTS}/references-audit.png", full_page=True)


def test_an_editor_imports_a_chapter_and_adds_a_web_page(chromium, live_server, demo):
    page = sign_in_as(chromium, live_server, "editor")
    page.set_viewport_size({"width": 1280, "height": 900})

    # A chapter pasted as RIS: the preview prints it as AMA does, with its book.
    page.goto(f"{live_server.url}/admin/citations/source/import/")
    page.fill("#id_references", CHAPTER_RIS)
    page.click("input[value='Read references']")
    row = page.locator("#content-main tbody tr")
    expect(row).to_contain_text(
        "Higgins JPT, Li T, Deeks JJ. Choosing effect measures and computing estimates of "
        "effect. In: Higgins JPT, Thomas J, eds. Cochrane Handbook for Systematic Reviews of "
        "Interventions. 2nd ed. John Wiley & Sons; 2019:143-176. doi:10.1002/9781119536604.ch6"
    )
    page.screenshot(path=f"{SHOTS}/references-import.png", full_page=True)
    page.click("input[value='Add the ticked references']")
    expect(page.locator(".messagelist")).to_contain_text("Added 1 source")
    chapter = Source.objects.get(doi="10.1002/9781119536604.ch6")
    assert (chapter.kind, chapter.editors, chapter.edition) == (
        "chapter",
        "Higgins JPT; Thomas J",
        "2",
    )

    # Its form shows the book's fieldset, and no conference or report one.
    page.goto(f"{live_server.url}/admin/citations/source/{chapter.pk}/change/")
    expect(page.locator("#id_editors")).to_have_value("Higgins JPT; Thomas J")
    expect(page.locator("#id_editors")).to_be_visible()
    expect(page.locator("#id_event")).to_be_hidden()
    expect(page.locator("#id_number")).to_be_hidden()

    # A web page by hand: choosing the kind shows what a web page needs, and hides the rest.
    page.goto(f"{live_server.url}/admin/citations/source/add/")
    expect(page.locator("#id_volume")).to_be_visible()  # a journal article, until changed
    page.select_option("#id_kind", "webpage")
    expect(page.locator("#id_volume")).to_be_hidden()
    expect(page.locator("#id_editors")).to_be_hidden()
    expect(page.locator("#id_accessed")).to_be_visible()
    page.fill("#id_title", "Multiple sclerosis: what it is")
    page.fill("#id_container_title", "National Health Service")
    page.fill("#id_year", "2024")
    page.select_option("#id_month", "3")
    page.fill("#id_day", "12")
    page.fill("#id_url", "https://www.nhs.uk/conditions/multiple-sclerosis/")
    page.fill("#id_accessed", "2026-12-07")
    page.select_option("#id_evidence_type", "other")
    page.click("input[name=_continue]")
    expect(page.locator(".field-reference_preview")).to_contain_text(
        "Multiple sclerosis: what it is. National Health Service. March 12, 2024. "
        "Accessed December 7, 2026. https://www.nhs.uk/conditions/multiple-sclerosis/"
    )
    page.screenshot(path=f"{SHOTS}/references-source-form.png", full_page=True)

    # A fieldset that holds a value is never hidden, whatever the kind chosen.
    page.goto(f"{live_server.url}/admin/citations/source/{chapter.pk}/change/")
    page.select_option("#id_kind", "webpage")
    expect(page.locator("#id_editors")).to_be_visible()  # "Higgins JPT; Thomas J" stays
    expect(page.locator("#id_event")).to_be_hidden()  # empty, and not a web page's


def test_an_impossible_date_is_refused_with_a_clear_message(chromium, live_server, demo):
    page = sign_in_as(chromium, live_server, "editor")
    page.goto(f"{live_server.url}/admin/citations/source/add/")
    page.fill("#id_title", "A title")
    page.fill("#id_year", "2023")
    page.select_option("#id_month", "2")
    page.fill("#id_day", "30")
    page.click("input[name=_save]")
    expect(page.locator("#id_day_error")).to_have_text("February 2023 has no day 30.")
    expect(page.locator("#id_title")).to_have_value("A title")  # nothing typed is lost
    assert not Source.objects.filter(title="A title").exists()
