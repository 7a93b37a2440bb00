"""WCAG 2.2 AA (axe-core in Chromium), valid HTML (the W3C Nu validator) and Lighthouse's
accessibility, best-practices and SEO audits on the pages patients see. The checkers come
from npm (package.json); `make test` installs them."""

import json
import os
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse

from answers.models import Answer
from reports.models import Report

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def pages(demo_answer, spanish):
    """The pages patients see, with a translated answer and a right-to-left home page."""
    return {
        "home": "/",
        "topic": "/topics/oncology/",
        "answer": demo_answer.get_absolute_url(),
        "answer-es": spanish.get_absolute_url(),
        "home-ar": "/ar/",
        "search": "/search/?q=CAR-T+multiple+sclerosis",
        "not-found": "/ask/no-such-answer/",
        "about": "/about/",
        "report": reverse("reports:report", args=[demo_answer.question.slug]),
        "report-thanks": reverse("reports:thanks", args=[demo_answer.question.slug]),
    }


@pytest.mark.browser
@pytest.mark.conformance
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_axe_finds_no_accessibility_violations(chromium, live_server, demo_answer, spanish, width):
    # The CSP forbids injected scripts, rightly: bypass it for the checker only.
    context = chromium.new_context(bypass_csp=True, viewport={"width": width, "height": 900})
    page = context.new_page()
    found = {}
    for name, url in pages(demo_answer, spanish).items():
        page.goto(live_server.url + url)
        page.add_script_tag(path=str(AXE))
        result = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
        )
        for violation in result["violations"]:
            targets = [node["target"] for node in violation["nodes"]][:3]
            found.setdefault(name, []).append(f"{violation['id']}: {violation['help']} {targets}")
    context.close()
    assert found == {}


def lighthouse(url, tmp_path):
    """Lighthouse's report on `url`, loaded in Debian's Chromium (its own flags as the
    browser tests')."""
    from answers.testing import CHROMIUM, CHROMIUM_ARGS

    report = tmp_path / "lighthouse.json"
    subprocess.run(
        [
            str(LIGHTHOUSE),
            url,
            "--quiet",
            "--only-categories=accessibility,best-practices,seo",
            "--output=json",
            f"--output-path={report}",
            f"--chrome-flags=--headless=new {' '.join(CHROMIUM_ARGS)}",
        ],
        env={**os.environ, "CHROME_PATH": CHROMIUM},
        check=True,
        capture_output=True,
        timeout=300,
    )
    return json.loads(report.read_text())


def failed_audits(report):
    """{category: [failed audit titles]} for every category scoring below 100."""
    failed = {}
    for name, category in report["categories"].items():
        if category["score"] == 1:
            continue
        failed[name] = [
            report["audits"][ref["id"]]["title"]
            for ref in category["auditRefs"]
            if ref["weight"] and (report["audits"][ref["id"]]["score"] or 0) < 1
        ] or [f"score {category['score']}"]
    return failed


@pytest.mark.browser
@pytest.mark.conformance
@pytest.mark.django_db(transaction=True)
# Lighthouse refuses to audit a 404 page; axe and the validator cover that one. The home and
# answer templates are audited in Arabic and Spanish (one run each is ~12 s of the suite's
# budget): their hreflang, lang and dir are what a translation can get wrong; axe and the
# validator read the English pages too.
@pytest.mark.parametrize("name", ["topic", "about", "answer-es", "home-ar"])
def test_lighthouse_scores_100_for_accessibility_best_practices_and_seo(
    live_server, demo_answer, spanish, name, tmp_path
):
    report = lighthouse(live_server.url + pages(demo_answer, spanish)[name], tmp_path)
    assert report.get("runtimeError") is None
    assert failed_audits(report) == {}


@pytest.mark.browser
@pytest.mark.conformance
@pytest.mark.django_db(transaction=True)
def test_lighthouse_sees_search_results_kept_out_of_search_engines(
    live_server, demo_answer, spanish, tmp_path
):
    # Search result pages say noindex on purpose (they are endless and thin); Lighthouse
    # counts that against SEO, and nothing else.
    report = lighthouse(live_server.url + pages(demo_answer, spanish)["search"], tmp_path)
    assert failed_audits(report) == {"seo": ["Page is blocked from indexing"]}


def html_errors(pages, tmp_path, known=()):
    """The Nu validator's errors for {name: HTML bytes}, as "name.html:line: message",
    less the `known` ones: (start of the message, markup on the error's line or the one
    before it) pairs."""
    lines = {}
    for name, content in pages.items():
        (tmp_path / f"{name}.html").write_bytes(content)
        lines[f"{name}.html"] = content.decode().splitlines()
    paths = [str(tmp_path / name) for name in lines]
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *paths],
        capture_output=True,
        text=True,
        timeout=300,
    )
    errors = []
    for m in json.loads(result.stderr or '{"messages": []}')["messages"]:
        if m.get("type") != "error":
            continue
        name, line = Path(m.get("url", "")).name, m.get("lastLine", 0)
        around = "\n".join(lines.get(name, [])[max(line - 2, 0) : line])
        if not any(m["message"].startswith(start) and markup in around for start, markup in known):
            errors.append(f"{name}:{line}: {m['message']}")
    return errors


@pytest.mark.conformance
@pytest.mark.django_db
def test_pages_are_valid_html(client, demo_answer, spanish, tmp_path):
    found, urls = {}, pages(demo_answer, spanish)
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code in (200, 404), name
        found[name] = response.content
    refused = client.post(urls["report"], {"text": "x" * 2001})
    assert refused.status_code == 400
    found["report-refused"] = refused.content
    assert html_errors(found, tmp_path) == []


# Errors in Django's own admin markup, not ours, each matched by message and markup.
DJANGO_ADMIN_ERRORS = [
    # AutocompleteSelect renders only the selected option, with no empty placeholder,
    # even when the field is required (the answer's question).
    (
        "The first “option” element in a “select” element with a “required” attribute",
        'class="admin-autocomplete"',
    ),
]


def admin_pages(answer):
    """The admin pages editors and reviewers work in, with the demo content."""
    revisions = list(answer.history.order_by("history_id").values_list("history_id", flat=True))
    report = Report.objects.create(
        answer=answer, version=answer.live_version, kind="other", text="<b>Hard</b> to read."
    )
    first, last = revisions[0], revisions[-1]
    return {
        "home": reverse("admin:index"),
        "answer-change": reverse("admin:answers_answer_change", args=[answer.pk]),
        "answer-revisions": reverse("admin:answers_answer_timeline", args=[answer.pk]),
        "answer-compare": reverse("admin:answers_answer_compare", args=[answer.pk])
        + f"?from={first}&to={last}",
        "answer-restore": reverse("admin:answers_answer_restore", args=[answer.pk, first]),
        "answer-submit": reverse("admin:answers_answer_transition", args=[answer.pk, "submit"]),
        "answer-approve": reverse("admin:answers_answer_transition", args=[answer.pk, "approve"]),
        "answer-withdraw": reverse("admin:answers_answer_transition", args=[answer.pk, "withdraw"]),
        "answer-set-expiry": reverse(
            "admin:answers_answer_transition", args=[answer.pk, "set_expiry"]
        ),
        "answer-list": reverse("admin:answers_answer_changelist"),
        "topic-change": reverse("admin:answers_topic_change", args=[answer.question.topic_id]),
        "question-change": reverse("admin:answers_question_change", args=[answer.question.pk]),
        "disclaimer-change": reverse(
            "admin:answers_disclaimer_change", args=[answer.question.topic.disclaimer_id]
        ),
        "source-change": reverse(
            "admin:citations_source_change", args=[answer.citations.get(number=1).source_id]
        ),
        "source-list": reverse("admin:citations_source_changelist"),
        "source-import": reverse("admin:citations_source_import"),
        "report-list": reverse("admin:reports_report_changelist"),
        "report-change": reverse("admin:reports_report_change", args=[report.pk]),
        "due-for-review": reverse("admin:desk_reviewqueue_changelist"),
    }


@pytest.mark.conformance
@pytest.mark.django_db
@pytest.mark.parametrize("role", ["editor", "reviewer"])
def test_admin_pages_are_valid_html(client, demo_answer, tmp_path, role, request):
    # The demo answer cites 9, 10, 11, 1, so its change page offers the renumber form.
    # A form inside the change form is an error here ("Nested forms are not allowed"):
    # browsers end the change form where the inner one starts, and Save submits nothing.
    client.force_login(request.getfixturevalue(role))
    found = {}
    for name, url in admin_pages(demo_answer).items():
        response = client.get(url)
        assert response.status_code == 200, name
        found[name] = response.content
    assert "Renumber by order of first use" in found["answer-change"].decode()
    assert html_errors(found, tmp_path, known=DJANGO_ADMIN_ERRORS) == []


@pytest.mark.conformance
@pytest.mark.django_db
def test_shared_record_page_with_answers_waiting_is_valid_html(
    client, demo_answer, editor, tmp_path
):
    # A source edited under the live demo answer sends it back to draft; the source's page
    # then offers its own form to submit it again, which must not sit inside the change form.
    source = demo_answer.citations.get(number=1).source
    source.title = f"{source.title} (corrected)"
    source.save()
    Answer.objects.sharing(source).record_shared_edit(editor, "Corrected the title")
    client.force_login(editor)
    page = client.get(reverse("admin:citations_source_change", args=[source.pk])).content
    assert "Answers waiting to be submitted again" in page.decode()
    assert "Submit this answer for review" in page.decode()
    assert html_errors({"source-waiting": page}, tmp_path) == []
