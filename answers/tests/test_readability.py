"""Readability (issue 10): each section's reading grade, shown to the editor as they type
and to the reviewer when approving, against the target in settings.READABILITY_TARGETS;
advisory only."""

import re

import pytest
import textstat
from playwright.sync_api import expect

from answers import readability
from answers.attribution import NO_CITATION
from answers.models import Answer
from answers.testing import sign_in
from answers.tests.test_workflow import edit

PREVIEW = "/admin/markdown-preview/"
EASY = "We can help. The test is quick. It does not hurt. You can go home the same day."
HARD = (
    "Immunomodulatory therapeutic interventions demonstrated considerable heterogeneity "
    "regarding efficacy across investigational populations."
)


def test_the_grade_is_textstats_flesch_kincaid_over_the_words_patients_read():
    research = f"{EASY} [9]\n\n*A bridge* to the [next part](https://example.org). {NO_CITATION}"
    section = readability.grade_section("research", research)
    plain = f"{EASY} A bridge to the next part."
    assert section.grade == pytest.approx(textstat.flesch_kincaid_grade(plain))
    assert [s.text for s in section.sentences][-1] == "A bridge to the next part."
    assert all("[9]" not in s.text and NO_CITATION not in s.text for s in section.sentences)


def test_easy_text_is_within_the_target_and_hard_text_above_it():
    easy = readability.grade_section("short_answer", EASY)
    hard = readability.grade_section("short_answer", f"{EASY} {HARD}")
    assert easy.grade < 8 and not easy.above_target and easy.hardest == []
    assert hard.above_target
    assert [s.text for s in hard.hardest] == [HARD]


def test_the_target_comes_from_settings(settings):
    settings.READABILITY_TARGETS = {**settings.READABILITY_TARGETS, "en": 50}
    section = readability.grade_section("short_answer", f"{EASY} {HARD}")
    assert not section.above_target and section.hardest == []
    assert section.verdict == "within the target of grade 50"


def test_abbreviations_and_decimals_do_not_end_a_sentence():
    text = "Dr. Smith et al. found 2.5 times more, e.g. in MS. Ms. Jones agreed. Next one."
    spans = readability.sentence_spans(text)
    assert [text[a:b] for a, b in spans] == [
        "Dr. Smith et al. found 2.5 times more, e.g. in MS.",
        "Ms. Jones agreed.",
        "Next one.",
    ]


def test_a_word_that_only_ends_like_an_abbreviation_ends_its_sentence():
    text = "It was found in the Audr. Then came the Lavs. Last one."
    spans = readability.sentence_spans(text)
    assert [text[a:b] for a, b in spans] == [
        "It was found in the Audr.",
        "Then came the Lavs.",
        "Last one.",
    ]


def test_a_text_of_abbreviations_is_one_sentence():
    text = "Dr. " * 12_500
    assert readability.sentence_spans(text) == [(0, len(text))]


def test_each_question_to_ask_is_a_sentence_of_its_own():
    section = readability.grade_section("doctor_questions", "- Is it safe\n- What does it cost?")
    assert [s.text for s in section.sentences] == ["Is it safe", "What does it cost?"]
    assert section.grade is None and "too short to grade" in section.verdict


def test_the_demo_answer_is_graded_section_by_section(demo_answer):
    grades = {g.field: g for g in readability.grade_answer(demo_answer)}
    assert list(grades) == ["short_answer", "research", "doctor_questions"]
    research = grades["research"]
    # Written for readers of medical reviews: well above a patient's grade 8.
    assert research.above_target and research.shown_grade > 12
    hardest = research.hardest
    assert hardest[0].text.startswith("A 2023 review in The Lancet explains")
    assert hardest[0].text.endswith("this strategy is being explored for MS.")
    assert hardest[0].grade == pytest.approx(textstat.flesch_kincaid_grade(hardest[0].text))
    assert len(hardest) == 3 and hardest[0].grade >= hardest[1].grade >= hardest[2].grade


def test_the_preview_shows_the_grade_and_marks_the_hardest_sentence(client, editor):
    client.force_login(editor)
    html = client.post(f"{PREVIEW}?field=short_answer", {"content": f"{EASY} {HARD}"}).content
    html = html.decode()
    assert 'class="readability-check above"' in html
    assert re.search(r"Reading grade \d+\.\d</strong>: above the target of grade 8", html)
    assert f'<mark class="hard-sentence">{HARD}</mark>' in html
    assert f"<li><mark>{HARD}</mark> (grade " in html
    assert '<mark class="hard-sentence">We can help' not in html


def test_a_marked_sentence_keeps_its_emphasis_and_links(client, editor):
    client.force_login(editor)
    hard = HARD.replace("considerable", "*considerable*").replace(
        "populations", "[populations](https://example.org)"
    )
    html = client.post(f"{PREVIEW}?field=research", {"content": f"{EASY} {hard} [1]"})
    html = html.content.decode()
    assert '<em><mark class="hard-sentence">considerable</mark></em>' in html
    assert '<mark class="hard-sentence">populations</mark></a>' in html
    assert '<sup class="citation"><a href="#ref-1"' in html


def test_easy_text_gets_no_marks(client, editor):
    client.force_login(editor)
    html = client.post(f"{PREVIEW}?field=doctor_questions", {"content": EASY}).content.decode()
    assert 'class="readability-check within"' in html
    assert "within the target of grade 8" in html and "<mark" not in html


def test_other_fields_get_no_grade(client, editor):
    client.force_login(editor)
    html = client.post(PREVIEW, {"content": HARD}).content.decode()
    assert "Reading grade" not in html and "<mark" not in html


def test_a_hostile_preview_is_escaped_and_still_graded(client, editor):
    client.force_login(editor)
    content = "<script>alert(1)</script> " + "Pneumonoultramicroscopic" * 2000
    html = client.post(f"{PREVIEW}?field=short_answer", {"content": content}).content.decode()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "Reading grade" in html


def test_a_hard_answer_can_still_be_submitted_and_approved(demo_answer, editor, reviewer):
    edit(demo_answer, editor, short_answer=f"{demo_answer.short_answer} {HARD}")
    assert readability.grade_section("research", demo_answer.research).above_target
    assert readability.grade_section("short_answer", demo_answer.short_answer).above_target
    demo_answer.submit(editor)
    demo_answer.approve(reviewer)
    assert demo_answer.status == Answer.Status.PUBLISHED


def test_the_reviewer_sees_the_grades_when_approving(client, demo_answer, editor, reviewer):
    edit(demo_answer, editor, short_answer=f"{demo_answer.short_answer} {HARD}")
    demo_answer.submit(editor)
    client.force_login(reviewer)
    page = client.get(f"/admin/answers/answer/{demo_answer.pk}/workflow/approve/")
    html = page.content.decode()
    assert "<h2>Readability</h2>" in html and "aims at grade 8 or below" in html
    research = readability.grade_section("research", demo_answer.research)
    row = re.search(r"<th scope=\"row\">What the research says</th>(.*?)</tr>", html, re.S)
    assert f"<td>{research.shown_grade}</td>" in row.group(1)
    assert "Above the target of grade 8" in row.group(1)
    assert "<mark>A systematic review from 2024" in row.group(1)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_editor_sees_the_grades_as_they_type(page, live_server, demo_answer, editor):
    sign_in(page, live_server, editor)
    page.goto(f"{live_server.url}/admin/answers/answer/{demo_answer.pk}/change/")
    research = page.locator("#id_research + .markdownx-preview .readability-check")
    expect(research).to_contain_text("above the target of grade 8")
    expect(
        page.locator("#id_research + .markdownx-preview mark.hard-sentence").first
    ).to_be_visible()

    short = page.locator("#id_short_answer + .markdownx-preview")
    page.fill("#id_short_answer", EASY)
    expect(short.locator(".readability-check")).to_contain_text("within the target of grade 8")
    expect(short.locator("mark")).to_have_count(0)
    page.locator("#id_short_answer").press_sequentially(" " + HARD)
    expect(short.locator(".readability-check")).to_contain_text("above the target of grade 8")
    expect(short.locator("p mark.hard-sentence")).to_have_text(HARD)
    expect(short.locator(".readability-check li")).to_contain_text(HARD)

    questions = page.locator("#id_doctor_questions + .markdownx-preview")
    page.fill("#id_doctor_questions", "- Is it safe for me?\n- What does it cost?")
    expect(questions.locator("li")).to_have_count(2)  # the list as patients will read it
    expect(questions.locator(".readability-check")).to_contain_text("too short to grade")
