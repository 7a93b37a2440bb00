"""The answer page's JSON-LD says its language (issue 26): inLanguage as a BCP 47 tag, and
a translation names its original (translationOfWork)."""

import json
import re

from answers.structured_data import medical_web_page
from answers.tests.test_search_languages import SPANISH, spanish_translation


def json_ld(client, path):
    html = client.get(path).content.decode()
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(found.group(1))


def test_each_page_says_its_language(client, demo_answer, editor, reviewer):
    spanish_translation(demo_answer, editor, reviewer)
    english = json_ld(client, demo_answer.get_absolute_url())
    assert english["inLanguage"] == "en-GB" and "translationOfWork" not in english
    spanish = json_ld(client, f"/es/ask/{SPANISH['slug']}/")
    assert spanish["inLanguage"] == "es"
    assert spanish["name"] == SPANISH["question_text"]
    original = "http://testserver" + demo_answer.get_absolute_url()
    assert spanish["translationOfWork"] == {"@type": "MedicalWebPage", "url": original}


def test_a_translation_can_name_its_original(demo_answer, editor, reviewer):
    spanish = spanish_translation(demo_answer, editor, reviewer)
    original = "https://qasite.example" + demo_answer.get_absolute_url()
    data = medical_web_page(spanish.live_version, "https://qasite.example/es/ask/x/", original)
    assert data["translationOfWork"] == {"@type": "MedicalWebPage", "url": original}
