"""WCAG 2.2 AA (axe-core in Chromium) and valid HTML (the W3C Nu validator) on the pages
patients see. The checkers come from npm (package.json); `make test` installs them."""

import json
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def pages(demo_answer):
    return {
        "home": "/",
        "topic": "/topics/oncology/",
        "answer": demo_answer.get_absolute_url(),
        "search": "/search/?q=CAR-T+multiple+sclerosis",
        "not-found": "/ask/no-such-answer/",
        "about": "/about/",
    }


@pytest.mark.browser
@pytest.mark.conformance
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_axe_finds_no_accessibility_violations(chromium, live_server, demo_answer, width):
    # The CSP forbids injected scripts, rightly: bypass it for the checker only.
    context = chromium.new_context(bypass_csp=True, viewport={"width": width, "height": 900})
    page = context.new_page()
    found = {}
    for name, url in pages(demo_answer).items():
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


@pytest.mark.conformance
@pytest.mark.django_db
def test_pages_are_valid_html(client, demo_answer, tmp_path):
    files = []
    for name, url in pages(demo_answer).items():
        response = client.get(url)
        assert response.status_code in (200, 404), name
        path = tmp_path / f"{name}.html"
        path.write_bytes(response.content)
        files.append(str(path))
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *files],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    errors = [
        f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m['message']}"
        for m in messages
        if m.get("type") == "error"
    ]
    assert errors == []
