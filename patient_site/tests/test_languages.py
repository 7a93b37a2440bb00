"""The public site in each language: its interface text from the catalogues, the <html>
element's lang and dir, the hreflang links and the language switcher of an answer, and the
notice on a translation whose original was approved again since."""

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation as django_translation
from django.utils.dateformat import format as format_date
from django.utils.formats import number_format

from answers import languages, translation
from answers.testing import committed, publish
from citations.models import Source
from patient_site.templatetags.answer_tags import EVIDENCE_LABELS
from patient_site.templatetags.page_languages import IN_A_SENTENCE
from patient_site.tests.conftest import SPANISH_QUESTION, SPANISH_SLUG
from reports.forms import KIND_LABELS
from reports.models import Report

LOCALE = Path(settings.BASE_DIR) / "locale"
TRANSLATED = [code for code in languages.codes() if not languages.is_default(code)]


# The catalogues.


def po_entries(path):
    """The entries of a .po file, header left out: [{"msgctxt", "msgid", "msgid_plural",
    "msgstr": [...], "fuzzy"}]. Enough of the format for what makemessages writes."""
    entries, entry, field = [], None, None
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if entry and entry.get("msgid"):
                entries.append(entry)
            entry, field = None, None
            continue
        entry = entry if entry is not None else {"msgstr": {}, "fuzzy": False}
        if line.startswith("#,"):
            entry["fuzzy"] = "fuzzy" in line
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry_field_append(entry, field, unquote(line))
        else:
            keyword, _, text = line.partition(" ")
            field = keyword
            entry_field_append(entry, field, unquote(text), start=True)
    for entry in entries:
        entry["msgstr"] = [entry["msgstr"][k] for k in sorted(entry["msgstr"])]
    return entries


def entry_field_append(entry, field, text, start=False):
    plural = re.fullmatch(r"msgstr\[(\d+)\]", field)
    if field == "msgstr" or plural:
        index = int(plural.group(1)) if plural else 0
        entry["msgstr"][index] = ("" if start else entry["msgstr"][index]) + text
    else:
        entry[field] = ("" if start else entry[field]) + text


def unquote(text):
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
    return re.sub(r"\\(.)", lambda m: escapes[m.group(1)], text.strip()[1:-1])


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_entry_of_the_catalogue_is_translated_and_compiled(code):
    folder = LOCALE / code / "LC_MESSAGES"
    entries = po_entries(folder / "django.po")
    assert len(entries) > 100
    assert [e["msgid"] for e in entries if e["fuzzy"]] == []
    assert [e["msgid"] for e in entries if not all(e["msgstr"])] == []
    # The compiled catalogue Django reads says the same (`make messages` ran since).
    catalogue = compiled_catalogue(code)
    for e in entries:
        key = f"{e['msgctxt']}\x04{e['msgid']}" if "msgctxt" in e else e["msgid"]
        if "msgid_plural" in e:
            found = [catalogue._catalog.get((key, n)) for n in range(len(e["msgstr"]))]
        else:
            found = [catalogue._catalog.get(key)]
        assert found == e["msgstr"], f"{e['msgid']!r}: run `make messages`"


def compiled_catalogue(code):
    with open(LOCALE / code / "LC_MESSAGES" / "django.mo", "rb") as compiled:
        return gettext.GNUTranslations(compiled)


@pytest.mark.parametrize("code, forms", [("es", 3), ("ar", 6)])
def test_each_plural_has_every_form_of_its_language(code, forms):
    """Spanish counts one, millions and the rest; Arabic zero, one, two, a few, many and
    the rest: the header says so as Django's own catalogues do, and each plural has all."""
    assert compiled_catalogue(code)._info["plural-forms"].startswith(f"nplurals={forms};")
    for e in po_entries(LOCALE / code / "LC_MESSAGES" / "django.po"):
        if "msgid_plural" in e:
            assert len(e["msgstr"]) == forms, e["msgid"]


def test_every_frozen_label_and_language_has_words_in_each_language():
    """Labels frozen in English (evidence types) or kept on a model (report kinds), and
    languages named in a sentence: each has an entry, so none is left in English."""
    evidence = {label for value, label in Source.EvidenceType.choices if value}
    assert set(EVIDENCE_LABELS) == evidence
    assert set(KIND_LABELS) == set(Report.Kind)
    assert {code.partition("-")[0] for code in languages.codes()} <= set(IN_A_SENTENCE)
    for code in TRANSLATED:
        with django_translation.override(code):
            for words in [*EVIDENCE_LABELS.values(), *KIND_LABELS.values()]:
                assert str(words) not in evidence | set(Report.Kind.labels), (code, words)


# An answer and its Spanish translation (the `spanish` fixture).


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def head_links(html):
    """{hreflang: href} of the page head's alternate links, the feed's left out."""
    return dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html))


def switcher(html):
    """The language switcher's entries: (language name, lang, address or None for the
    current language)."""
    nav = html[html.index('<nav class="language-switcher"') :]
    nav = nav[: nav.index("</nav>")]
    links = re.findall(r'<a href="([^"]+)" hreflang="([^"]+)" lang="\2" dir="\w+">([^<]+)</a>', nav)
    current = re.findall(r'<span lang="([^"]+)" dir="\w+" aria-current="true">([^<]+)</span>', nav)
    return [(name, lang, url) for url, lang, name in links] + [
        (name, lang, None) for lang, name in current
    ]


def test_spanish_answer_reads_in_spanish_with_hreflang_links_both_ways(
    client, demo_answer, spanish
):
    english_url = f"http://testserver{demo_answer.get_absolute_url()}"
    spanish_url = f"http://testserver/es/ask/{SPANISH_SLUG}/"
    assert spanish.get_absolute_url() == f"/es/ask/{SPANISH_SLUG}/"
    html = page(client, spanish.get_absolute_url())
    assert '<html lang="es" dir="ltr">' in html
    assert f"<h1>{SPANISH_QUESTION}</h1>" in html
    for interface in [
        ">Qué dice la investigación</h2>",
        ">Qué preguntar a su médico</h2>",
        ">Referencias</h2>",
        "Revisado médicamente por Dr Robin Reviewer, MD, PhD",
        "Escrito por Erin Editor, MPH",
        ">Última revisión</dt>",
        '<span class="evidence-type">Revisión sistemática / metaanálisis</span>',
        ">Buscar respuestas</label>",
        ">Comunique un problema con esta respuesta</a>",
    ]:
        assert interface in html
    for english in ["What the research says", "Medically reviewed by", "References</h2>"]:
        assert english not in html
    # Its dates in Spanish words, as the long date of the page.
    reviewed = spanish.live_version.reviewed_on
    assert f">{spanish_date(reviewed)}</time>" in html
    assert head_links(html) == {"en-GB": english_url, "es": spanish_url, "x-default": english_url}
    assert switcher(html) == [
        ("English", "en-GB", english_url),
        ("العربية", "ar", "/ar/"),
        ("Español", "es", None),
    ]

    english = page(client, demo_answer.get_absolute_url())
    assert '<html lang="en-GB" dir="ltr">' in english
    assert head_links(english) == {
        "en-GB": english_url,
        "es": spanish_url,
        "x-default": english_url,
    }
    assert switcher(english) == [
        ("Español", "es", spanish_url),
        ("العربية", "ar", "/ar/"),
        ("English", "en-GB", None),
    ]
    assert "Medically reviewed by Dr Robin Reviewer, MD, PhD" in english


def test_an_answer_in_one_language_has_no_hreflang_links(client, demo_answer):
    html = page(client, demo_answer.get_absolute_url())
    assert head_links(html) == {}
    # The switcher still offers the other languages, at their home pages.
    assert switcher(html) == [
        ("Español", "es", "/es/"),
        ("العربية", "ar", "/ar/"),
        ("English", "en-GB", None),
    ]


def spanish_date(day):
    """`day` as a Spanish page writes it: "7 de diciembre de 2026"."""
    with django_translation.override("es"):
        return format_date(day, r"j \d\e F \d\e Y")


def test_a_spanish_page_says_when_its_english_original_was_updated_since(
    client, demo_answer, spanish, editor, reviewer, second_reviewer
):
    notice = "La versión original de esta respuesta, en inglés, se actualizó el"
    assert notice not in page(client, spanish.get_absolute_url())

    demo_answer.short_answer += " Early results have since been published."
    demo_answer._history_user = editor
    demo_answer.save()
    demo_answer.record_edit(editor)
    assert notice not in page(client, spanish.get_absolute_url())  # a draft changes nothing
    publish(demo_answer, editor, second_reviewer)

    html = page(client, spanish.get_absolute_url())
    updated = spanish_date(demo_answer.live_version.reviewed_on)
    box = html[html.index('<div class="original-update-notice" role="note">') :]
    box = box[: box.index("</div>")]
    assert (
        f'{notice} <time datetime="{demo_answer.live_version.reviewed_on:%Y-%m-%d}">{updated}'
        "</time>, y esta traducción aún no se ha actualizado. Hasta que lo esté, la versión "
        "en inglés tiene la información más reciente." in box
    )
    assert (
        f'<a href="{demo_answer.get_absolute_url()}" hreflang="en-GB">Leer la versión en '
        "inglés</a>" in box
    )
    # Near the top: under the question, before the short answer and the research.
    assert html.index("<h1>") < html.index(notice) < html.index('class="short-answer"')
    english = page(client, demo_answer.get_absolute_url())
    assert "original-update-notice" not in english and "was updated on" not in english

    # Brought up to date and approved again in Spanish: the notice goes.
    with committed():
        translation.catch_up(spanish, editor)
    publish(spanish, editor, reviewer)
    assert notice not in page(client, spanish.get_absolute_url())


# The Arabic interface.


def test_arabic_pages_are_right_to_left_and_in_arabic(client, demo_answer):
    home = page(client, "/ar/")
    assert '<html lang="ar" dir="rtl">' in home
    assert "<h1>إجابات عن الأسئلة الشائعة لدى المرضى</h1>" in home
    assert "لم تُنشر أي إجابات بعد." in home  # the English answer is not listed
    assert demo_answer.get_absolute_url() not in home
    search = page(client, "/ar/search/?q=x")
    assert '<html lang="ar" dir="rtl">' in search
    assert "لا توجد إجابات تطابق «<bdi>x</bdi>»." in search
    assert 'action="/ar/search/"' in search
    assert switcher(search) == [
        ("English", "en-GB", "/"),
        ("Español", "es", "/es/"),
        ("العربية", "ar", None),
    ]


def test_a_topic_page_switches_to_the_topic_in_the_other_language(client, demo_answer, spanish):
    english_topic = demo_answer.question.topic
    spanish_topic = spanish.question.topic
    html = page(client, english_topic.get_absolute_url())
    assert switcher(html)[0] == ("Español", "es", spanish_topic.get_absolute_url())
    html = page(client, spanish_topic.get_absolute_url())
    assert '<html lang="es" dir="ltr">' in html
    assert switcher(html)[0] == ("English", "en-GB", english_topic.get_absolute_url())
    assert "Revisada el" in html and ">Temas</a>" in html


def test_a_policy_page_in_spanish_says_its_text_is_in_english(client, db):
    with languages.speaking("es"):
        html = page(client, reverse("public:policy", args=["ownership"]))
    assert "<h1>Propiedad y financiación</h1>" in html
    assert "Esta página solo está disponible en inglés." in html
    assert '<div lang="en-GB"><p>qasite is an independent editorial service.' in html
    with languages.speaking(languages.default()):
        english = page(client, reverse("public:policy", args=["ownership"]))
    assert "<h1>Ownership and funding</h1>" in english and "Esta página" not in english


def test_the_report_form_speaks_the_page_language(client, spanish):
    with django_translation.override("es"):
        url = reverse("reports:report", args=[SPANISH_SLUG])
    assert url.startswith("/es/")
    response = client.post(url, {"kind": "", "text": "x" * 2001})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Elija qué está mal en la respuesta." in html
    with django_translation.override("es"):
        limit, length = (
            number_format(2000, force_grouping=True),
            number_format(2001, force_grouping=True),
        )
    assert f"Por favor, no supere los {limit} caracteres: este texto tiene {length}." in html
    assert "Un error en la información" in html
