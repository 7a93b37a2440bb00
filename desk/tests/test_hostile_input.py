"""Characters no page or feed can carry, typed into every admin form, and megabytes pasted
into a Markdown field: a message on the field, the text kept in the form, nothing saved, and
no work done on the refused text. Searches drop such characters instead of failing."""

import json
import re
from contextlib import contextmanager
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from unittest.mock import patch
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.urls import reverse

from answers import attribution, readability, rendering
from answers.models import Answer, ContributorProfile, Disclaimer, SitePolicy, Topic
from answers.policies import DEFAULTS
from answers.testing import PASSWORD
from citations import markers
from citations.models import Source

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[2] / "citations" / "tests" / "fixtures"
IMPORT = "/admin/citations/source/import/"
FORM = "application/x-www-form-urlencoded"


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
        if tag == "textarea" and self.textarea:
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


# What an editor might paste by mistake: a megabyte, or all but the most a form can send
# (DATA_UPLOAD_MAX_MEMORY_SIZE, 2.5 MB), as a browser without the admin's script sends it.
PASTED_SIZES = {"1 MB": 1_000_000, "2.4 MB": 2_400_000}
PARAGRAPH = (
    "In the phase 2 trial, CAR-T cell therapy lowered the yearly relapse rate of patients "
    "with relapsing MS, and most of them had no serious side effects in the first year of "
    "follow-up; the authors call for larger trials before it is offered outside studies [1]."
)


def pasted(length):
    """`length` characters of research-like Markdown, as the editor typed it (LF)."""
    return "\n\n".join([PARAGRAPH] * (length // (len(PARAGRAPH) + 2) + 1))[:length]


@contextmanager
def work_on_texts():
    """Spies on what a Markdown text costs once accepted (wraps=: the real functions run;
    the spies only record the texts they are given): finding its citation markers, the
    attribution check's parse, the renderer's parse and the reading grade."""
    with (
        patch("citations.markers.find_markers", wraps=markers.find_markers) as find_markers,
        patch("answers.attribution.parse", wraps=attribution.parse) as attribution_parse,
        patch("answers.rendering.parse_markdown", wraps=rendering.parse_markdown) as render,
        patch("answers.readability.grade_section", wraps=readability.grade_section) as grade,
    ):
        yield {
            "citation markers": find_markers,
            "attribution": attribution_parse,
            "renderer": render,
            "reading grade": grade,
        }


def texts_over_the_limit(spies):
    """For each spy, how many times it was given a text longer than a field may be."""
    return {
        name: sum(
            any(isinstance(arg, str) and len(arg) > settings.MARKDOWN_MAX_CHARS for arg in c.args)
            for c in spy.call_args_list
        )
        for name, spy in spies.items()
    }


@pytest.mark.parametrize("size", PASTED_SIZES.values(), ids=PASTED_SIZES.keys())
@pytest.mark.parametrize("name", ["research", "short_answer"])
def test_pasted_megabytes_are_refused_before_any_work_on_them(
    client, editor, demo_answer, name, size
):
    client.force_login(editor)
    url = change_url(demo_answer)
    data = form_data(client, url)
    typed = pasted(size)
    data[name] = [typed.replace("\n", "\r\n")]  # as a browser sends it
    before = snapshot(demo_answer)

    with work_on_texts() as spies:
        response = client.post(
            url, urlencode({**data, "_save": "Save"}, doseq=True), content_type=FORM
        )

    assert response.status_code == 200
    html = response.content.decode()
    assert field_errors(html, f"id_{name}") == [
        f"This text is {size:,} characters long; the limit is 50,000. Shorten it or split the "
        "answer."
    ]
    shown = FormFields()
    shown.feed(html)
    assert shown.data[name][0].replace("\r\n", "\n") == typed  # still in the form, to be cut
    assert snapshot(demo_answer) == before
    # The page shown again still checks the stored answer's markers (so the spies work),
    # but nothing parsed, checked, rendered or graded the refused text.
    assert spies["citation markers"].called
    assert texts_over_the_limit(spies) == dict.fromkeys(spies, 0)


@pytest.mark.parametrize(
    "kind, name, limit",
    [("disclaimer", "body", 50_000), ("topic", "description", 50_000), ("policy", "body", 20_000)],
)
def test_every_markdown_form_refuses_a_pasted_megabyte_with_its_limit(
    client, editor, demo_answer, kind, name, limit
):
    if kind == "policy":  # as migrated (browser tests flush the tables)
        obj, _ = SitePolicy.objects.get_or_create(
            kind="editorial", defaults={"body": DEFAULTS["editorial"]}
        )
    else:
        obj = Disclaimer.objects.get() if kind == "disclaimer" else demo_answer.question.topic
    client.force_login(editor)
    url = change_url(obj)
    page = client.get(url).content.decode()
    # The limit for the admin's script; never maxlength, where a browser cuts a paste.
    assert re.search(rf'<textarea name="{name}"[^>]* data-max-chars="{limit}"', page)
    assert not re.search(rf'<textarea name="{name}"[^>]* maxlength=', page)
    data = form_data(client, url)
    typed = pasted(1_000_000)
    data[name] = [typed.replace("\n", "\r\n")]
    before = snapshot(obj)

    response = client.post(url, {**data, "_save": "Save"})

    assert response.status_code == 200
    html = response.content.decode()
    assert field_errors(html, f"id_{name}") == [
        f"This text is 1,000,000 characters long; the limit is {limit:,}. Shorten it or split "
        "the answer."
    ]
    assert typed[:1_000] in unescape(html).replace("\r\n", "\n")
    assert snapshot(obj) == before


def test_refused_research_is_not_checked_against_the_citations_in_its_place(
    client, editor, demo_answer
):
    """The stored research cites [1]; the editor removes citation 1 and its marker, in a
    text refused for another reason. The stored text must not be checked in its place."""
    client.force_login(editor)
    url = change_url(demo_answer)
    data = form_data(client, url)
    row = next(k for k, v in data.items() if k.endswith("-number") and v == ["1"])
    data[row.replace("-number", "-DELETE")] = ["on"]
    data["research"] = [data["research"][0].replace(" [1]", "") + "\x01"]

    response = client.post(url, {**data, "_save": "Save"})

    assert response.status_code == 200
    [message] = field_errors(response.content.decode(), "id_research")
    assert "(U+0001)" in message
    assert Answer.objects.get().research == demo_answer.research
    assert demo_answer.citations.filter(number=1).exists()


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
