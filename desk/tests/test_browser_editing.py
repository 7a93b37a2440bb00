"""An editor writes a cited answer in real Chromium and a patient reads it."""

import pytest
from playwright.sync_api import expect

from answers.models import Answer, Question, Topic
from answers.testing import pick_autocomplete, publish, sign_in
from citations.models import Source

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_editor_writes_answer_with_marker_and_patient_reads_it(page, live_server, editor, reviewer):
    topic = Topic.objects.create(name="Cardiology", slug="cardiology")
    question = Question.objects.create(
        text="Does aspirin prevent a first heart attack?", slug="aspirin", topic=topic
    )
    Source.objects.create(
        title="Aspirin for primary prevention", authors="Doe J; Roe R", doi="10.1000/asp",
        evidence_type=Source.EvidenceType.RCT,
    )  # fmt: skip
    sign_in(page, live_server, editor)

    page.goto(f"{live_server.url}/admin/answers/answer/add/")
    pick_autocomplete(page, "id_question", "aspirin", "Does aspirin prevent")
    page.fill("#id_short_answer", "For most people without heart disease, no.")
    page.fill("#id_research", "A large trial found more bleeding than benefit [1].")
    preview = page.locator("#id_research + .markdownx-preview")
    expect(preview.locator("sup.citation a[href='#ref-1']")).to_have_text("1")
    expect(preview.locator("sup.citation a")).to_have_attribute("aria-label", "Reference 1")

    page.fill("#id_citations-0-number", "1")
    pick_autocomplete(page, "id_citations-0-source", "primary", "Aspirin for primary prevention")
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    answer = Answer.objects.get(question=question)
    assert answer.status == Answer.Status.DRAFT
    assert page.request.get(f"{live_server.url}/ask/aspirin/").status == 404

    publish(answer, editor, reviewer)  # the review workflow has a browser test of its own

    patient = page.context.browser.new_context().new_page()
    patient.goto(f"{live_server.url}/ask/aspirin/")
    expect(patient.locator("h1")).to_have_text("Does aspirin prevent a first heart attack?")
    marker = patient.locator("sup.citation a")
    expect(marker).to_have_text("1")
    marker.click()
    expect(patient.locator("#ref-1")).to_contain_text("Aspirin for primary prevention")
    assert patient.url.endswith("/ask/aspirin/#ref-1")
    patient.context.close()
