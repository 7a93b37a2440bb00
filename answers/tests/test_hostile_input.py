"""Characters no page or feed can carry, typed into every admin form: a message on the
field, the text kept in the form, nothing saved. Searches drop them instead of failing."""

import json
import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import reverse

from answers.models import Answer, ContributorProfile, Disclaimer, Topic
from citations.models import Source
from conftest import PASSWORD

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[2] / "citations" / "tests" / "fixtures"
IMPORT = "/admin/citations/source/import/"


class FormFields(HTMLParser):
    """The fields of an admin change form (`<form id="…_form">`), as a browser sends them."""

    def __init__(self):
        super().__init__()
        self.data, self.in_form, self.textarea, self.select = {}, False, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("id") or "").endswith("_form"):
            self.in_form = True
        if not self.in_form:
            return
        name, kind = attrs.get("name"), attrs.get("type", "text")
        if tag == "input" and name and kind not in ("submit", "button", "file"):
            if kind not in ("checkbox", "radio") or "checked" in attrs:
                self.data.setdefault(name, []).append(attrs.get("value") or "")
        elif tag == "textarea":
            self.textarea = name
            self.data[name] = [""]
        elif tag == "select":
            self.select = name
        elif tag == "option" and self.select and "selected" in attrs:
            self.data.setdefault(self.select, []).append(attrs.get("value") or "")

    def handle_data(self, data):
        if self.textarea:
            self.data[self.textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            # Browsers drop the newline that Django writes right after <textarea>.
            value = self.data[self.textarea][-1]
            self.data[self.textarea][-1] = value[1:] if value.startswith("\n") else value
            self.textarea = None
        elif tag == "select":
            self.select = None
        elif tag == "form":
            self.in_form = False


def form_data(client, url):
    response = client.get(url)
    assert response.status_code == 200
    parser = FormFields()
    parser.feed(response.content.decode())
    return parser.data


def field_errors(html, field_id):
    """The messages Django shows on the field whose input has `field_id`."""
    match = re.search(rf'<ul class="errorlist" id="{field_id}_error">(.*?)</ul>', html, re.S)
    if not match:
        return []
    return [unescape(item) for item in re.findall(r"<li>(.*?)</li>", match.group(1))]


@pytest.fixture
def site_admin(django_user_model):
    """A superuser: reviewer profiles are theirs to edit."""
    return django_user_model.objects.create_superuser(
        "ada", password=PASSWORD, first_name="Ada", last_name="Admin"
    )


def change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def snapshot(obj):
    """What is stored of `obj`: its row and its number of revisions."""
    row = type(obj).objects.filter(pk=obj.pk).values().get()
    return row, obj.history.count()


# (object, form field, field id on the page); the citation's locator is the inline's.
FIELDS = [
    ("answer", "short_answer", "id_short_answer"),
    ("answer", "research", "id_research"),
    ("answer", "doctor_questions", "id_doctor_questions"),
    ("answer", "citations-0-locator", "id_citations-0-locator"),
    ("source", "title", "id_title"),
    ("source", "authors", "id_authors"),
    ("source", "container_title", "id_container_title"),
    ("source", "notes", "id_notes"),
    ("source", "url", "id_url"),
    ("question", "text", "id_text"),
    ("topic", "name", "id_name"),
    ("topic", "description", "id_description"),
    ("disclaimer", "body", "id_body"),
    ("profile", "display_name", "id_display_name"),
    ("profile", "credentials", "id_credentials"),
    ("profile", "disclosures", "id_disclosures"),
]


@pytest.mark.parametrize("character", ["\x01", "\x00"], ids=["U+0001", "NUL"])
@pytest.mark.parametrize("kind, name, field_id", FIELDS, ids=[f[1] for f in FIELDS])
def test_unprintable_character_is_refused_on_its_field_and_nothing_is_saved(
    client, site_admin, reviewer, demo_answer, kind, name, field_id, character
):
    obj = {
        "answer": demo_answer,
        "source": demo_answer.citations.get(number=1).source,
        "question": demo_answer.question,
        "topic": demo_answer.question.topic,
        "disclaimer": Disclaimer.objects.get(),
        "profile": ContributorProfile.objects.get(user=reviewer),
    }[kind]
    client.force_login(site_admin)
    url = change_url(obj)
    data = form_data(client, url)
    typed = "https://example.org/pa" if name == "url" else "Fever and cough"
    hostile = f"{typed}{character}ge" if name == "url" else f"{typed} with{character} a chill"
    data[name] = [hostile]
    before = snapshot(obj)
    if kind == "answer":
        citation_before = snapshot(demo_answer.citations.get(number=1))

    response = client.post(url, {**data, "_save": "Save"})

    assert response.status_code == 200
    html = response.content.decode()
    column = len(hostile.split(character)[0]) + 1
    code = f"U+{ord(character):04X}"
    assert field_errors(html, field_id) == [
        f"This text contains a character that cannot be shown on a page ({code}) at character "
        f"{column}. Remove it: it may be invisible, so delete and retype the text around it."
    ]
    assert "Null characters are not allowed" not in html
    assert hostile in unescape(html)  # still in the form, to be corrected
    assert snapshot(obj) == before
    if kind == "answer":
        assert snapshot(demo_answer.citations.get(number=1)) == citation_before


def test_a_line_break_before_the_character_gives_its_line(client, editor, demo_answer):
    client.force_login(editor)
    url = change_url(demo_answer)
    data = form_data(client, url)
    data["research"] = [data["research"][0].replace("\n", "\r\n") + "\r\n\r\nNew [1].\x7f"]
    lines = data["research"][0].count("\r\n") + 1

    response = client.post(url, {**data, "_save": "Save"})

    assert response.status_code == 200
    [message] = field_errors(response.content.decode(), "id_research")
    assert f"(U+007F) at line {lines}, character 9." in message
    assert Answer.objects.get().research == demo_answer.research


def test_browser_line_endings_are_not_a_change(client, editor, demo_answer):
    """A browser sends CRLF; the save stores LF, so the revision shows no change."""
    source = demo_answer.citations.get(number=1).source
    source.notes = "Trial registration NCT01234567.\nSee also the 2024 update."
    source.save()
    client.force_login(editor)
    url = change_url(source)
    data = form_data(client, url)
    data["notes"] = [data["notes"][0].replace("\n", "\r\n")]
    assert "\r\n" in data["notes"][0]

    response = client.post(url, {**data, "_save": "Save"})

    assert response.status_code == 302
    source.refresh_from_db()
    assert source.notes == "Trial registration NCT01234567.\nSee also the 2024 update."
    new, old = source.history.all()[:2]
    assert new.diff_against(old).changed_fields == []


def test_citation_row_and_research_each_get_their_own_message(client, editor, demo_answer):
    client.force_login(editor)
    url = change_url(demo_answer)
    data = form_data(client, url)
    data["research"] = [data["research"][0] + "\n\nA claim [1].\x02"]
    data["citations-1-locator"] = ["Table\x03 2"]

    response = client.post(url, {**data, "_save": "Save"})

    html = response.content.decode()
    assert "(U+0002)" in field_errors(html, "id_research")[0]
    assert "(U+0003) at character 6." in field_errors(html, "id_citations-1-locator")[0]
    assert Answer.objects.get().research == demo_answer.research


def test_oversized_research_is_refused_once_without_marker_checks(client, editor, demo_answer):
    client.force_login(editor)
    url = change_url(demo_answer)
    data = form_data(client, url)
    # 70,004 characters, citing a number the answer has no citation for.
    data["research"] = ["A claim [99]. " * 5_000 + "End."]

    response = client.post(url, {**data, "_save": "Save"})

    assert response.status_code == 200
    assert field_errors(response.content.decode(), "id_research") == [
        "This text is 70,004 characters long; the limit is 50,000. Shorten it or split the answer."
    ]
    assert Answer.objects.get().research == demo_answer.research


def test_pasted_export_with_a_control_character_is_refused_with_its_place(client, editor):
    client.force_login(editor)
    export = (FIXTURES / "ris" / "pubmed_export_jour.ris").read_text(encoding="utf-8")
    lines = export.splitlines()
    lines[2] = lines[2] + "\x1a"
    response = client.post(IMPORT, {"references": "\r\n".join(lines)})

    assert response.status_code == 200
    assert field_errors(response.content.decode(), "id_references") == [
        "This text contains a character that cannot be shown on a page (U+001A) at line 3, "
        f"character {len(lines[2])}. Remove it: it may be invisible, so delete and retype the "
        "text around it."
    ]
    assert not Source.objects.exists()


def test_escaped_control_characters_in_an_export_are_dropped_and_the_source_saved(client, editor):
    client.force_login(editor)
    item = json.loads(
        (FIXTURES / "csl-json" / "article_journal_issue_range.csl.json").read_text("utf-8")
    )[0]
    item["title"] = "Coexistence\\u0000 or competition for\\u0001 resources?"
    preview = client.post(IMPORT, {"references": json.dumps(item).replace("\\\\u", "\\u")})
    assert preview.status_code == 200
    payload = preview.context["payload"]

    response = client.post(IMPORT, {"payload": payload, "chosen": ["0"]})

    assert response.status_code == 302
    assert Source.objects.get().title == "Coexistence or competition for resources?"


def test_search_drops_a_nul_instead_of_failing(client, demo_answer):
    response = client.get("/search/?q=fever%00")
    assert response.status_code == 200
    assert 'value="fever"' in response.content.decode()


def test_search_finds_the_answer_through_control_characters(client, demo_answer):
    response = client.get("/search/?q=multiple%01%00 sclerosis%7f")
    assert response.status_code == 200
    assert demo_answer.question.text in response.content.decode()


@pytest.mark.parametrize(
    "model, field, term, found",
    [("citation", "source", "CAR-T", "CAR-T"), ("answer", "question", "sclerosis", "Sclerosis")],
)
def test_autocomplete_drops_a_nul_instead_of_failing(
    client, editor, demo_answer, model, field, term, found
):
    client.force_login(editor)
    app = "citations" if model == "citation" else "answers"
    response = client.get(
        f"/admin/autocomplete/?term={term}%00&app_label={app}&model_name={model}&field_name={field}"
    )
    assert response.status_code == 200
    assert found in " ".join(result["text"] for result in response.json()["results"])


def test_topic_name_keeps_working_with_plain_text(client, editor, demo_answer):
    """The check refuses only what pages cannot show: accents, dashes and emoji pass."""
    topic = demo_answer.question.topic
    client.force_login(editor)
    url = change_url(topic)
    data = form_data(client, url)
    data["name"] = ["Neurologie – sclérose en plaques 🧠"]

    response = client.post(url, {**data, "_save": "Save"})

    assert response.status_code == 302
    assert Topic.objects.get().name == "Neurologie – sclérose en plaques 🧠"
