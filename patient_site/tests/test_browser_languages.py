"""The public site in another language as a patient's browser shows it: Arabic laid out
right to left, and the language switcher between an answer and its translation."""

import pytest
from playwright.sync_api import expect

from patient_site.tests.conftest import SPANISH_QUESTION

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def layout(page):
    """The page's direction, and the site name's distances from the viewport's edges."""
    return page.evaluate(
        """() => {
            const box = document.querySelector(".site-name").getBoundingClientRect();
            return {
                direction: getComputedStyle(document.documentElement).direction,
                fromLeft: box.left,
                fromRight: document.documentElement.clientWidth - box.right,
            };
        }"""
    )


def test_the_arabic_home_page_is_laid_out_right_to_left(chromium, live_server, db):
    context = chromium.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{live_server.url}/ar/")
    arabic = layout(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "إجابات عن الأسئلة الشائعة لدى المرضى"
    )
    page.goto(f"{live_server.url}/")
    english = layout(page)
    context.close()
    assert arabic["direction"] == "rtl" and english["direction"] == "ltr"
    # The site name starts the header: at the right in Arabic, at the left in English.
    assert arabic["fromRight"] < 24 < arabic["fromLeft"]
    assert english["fromLeft"] < 24 < english["fromRight"]


def test_a_patient_switches_an_answer_to_spanish_and_back(page, live_server, demo_answer, spanish):
    english_url = f"{live_server.url}{demo_answer.get_absolute_url()}"
    page.goto(english_url)
    switcher = page.get_by_role("navigation", name="Languages")
    expect(switcher.locator("[aria-current]")).to_have_text("English")
    switcher.get_by_role("link", name="Español").click()

    expect(page).to_have_url(f"{live_server.url}{spanish.get_absolute_url()}")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", level=1)).to_have_text(SPANISH_QUESTION)
    expect(page.get_by_role("heading", name="Qué dice la investigación")).to_be_visible()
    switcher = page.get_by_role("navigation", name="Idiomas")
    expect(switcher.locator("[aria-current]")).to_have_text("Español")
    switcher.get_by_role("link", name="English").click()

    expect(page).to_have_url(english_url)
    expect(page.locator("html")).to_have_attribute("lang", "en-GB")
    expect(page.get_by_role("heading", name="What the research says")).to_be_visible()
