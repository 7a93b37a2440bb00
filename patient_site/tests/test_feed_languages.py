"""The feed per language (issue 26): /es/feed/ the Spanish answers, /feed/ the default
language's, each saying its language."""

from xml.etree import ElementTree

from answers.tests.test_search_languages import SPANISH, spanish_translation

ATOM = {"a": "http://www.w3.org/2005/Atom"}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def feed(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    assert response["Content-Type"].startswith("application/atom+xml")
    return ElementTree.fromstring(response.content)


def entries(root):
    return [
        (entry.findtext("a:title", namespaces=ATOM), entry.find("a:link", ATOM).get("href"))
        for entry in root.findall("a:entry", ATOM)
    ]


def test_each_languages_feed_lists_its_own_answers(client, demo_answer, editor, reviewer):
    spanish_translation(demo_answer, editor, reviewer)
    english = feed(client, "/feed/")
    assert english.get(XML_LANG) == "en-GB"
    assert entries(english) == [
        (
            demo_answer.live_version.question_text,
            f"http://testserver{demo_answer.get_absolute_url()}",
        )
    ]
    assert english.find("a:link[@rel='alternate']", ATOM).get("href") == "http://testserver/"

    spanish = feed(client, "/es/feed/")
    assert spanish.get(XML_LANG) == "es"
    assert entries(spanish) == [
        (SPANISH["question_text"], f"http://testserver/es/ask/{SPANISH['slug']}/")
    ]
    assert spanish.findtext("a:entry/a:summary", namespaces=ATOM) == SPANISH["short_answer"]
    assert spanish.find("a:link[@rel='alternate']", ATOM).get("href") == "http://testserver/es/"
