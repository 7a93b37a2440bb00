"""The sitemaps in every language (issue 26): each published answer and topic at its own
address, with its translation group's pages as hreflang alternates, both ways."""

from xml.etree import ElementTree

from answers.tests.test_search_languages import SPANISH, spanish_translation

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
ORIGIN = "http://testserver"


def entries(client, path):
    """{address: {hreflang: href}} of a sitemap page."""
    response = client.get(path)
    assert response.status_code == 200, path
    root = ElementTree.fromstring(response.content)
    return {
        url.findtext("s:loc", namespaces=NS): {
            link.get("hreflang"): link.get("href")
            for link in url.findall("x:link", NS)
            if link.get("rel") == "alternate"
        }
        for url in root.findall("s:url", NS)
    }


def test_an_answer_and_its_translation_list_each_other(client, demo_answer, editor, reviewer):
    english = ORIGIN + demo_answer.get_absolute_url()
    alone = entries(client, "/sitemap-answers.xml")
    assert alone == {english: {}}  # no translation yet: no alternates to name

    spanish_translation(demo_answer, editor, reviewer)
    spanish = f"{ORIGIN}/es/ask/{SPANISH['slug']}/"
    listed = entries(client, "/sitemap-answers.xml")
    both = {"en-GB": english, "es": spanish, "x-default": english}
    assert listed == {english: both, spanish: both}


def test_topics_are_listed_in_each_language_with_their_translations(
    client, demo_answer, editor, reviewer
):
    spanish = spanish_translation(demo_answer, editor, reviewer)
    english_topic = ORIGIN + demo_answer.question.topic.get_absolute_url()
    spanish_topic = ORIGIN + spanish.question.topic.get_absolute_url()
    assert spanish_topic.startswith(f"{ORIGIN}/es/topics/")
    listed = entries(client, "/sitemap-topics.xml")
    both = {"en-GB": english_topic, "es": spanish_topic, "x-default": english_topic}
    assert listed == {english_topic: both, spanish_topic: both}


def test_the_pages_are_listed_in_every_language(client, db):
    listed = entries(client, "/sitemap-pages.xml")
    home = {"en-GB": f"{ORIGIN}/", "es": f"{ORIGIN}/es/", "ar": f"{ORIGIN}/ar/"}
    assert listed[f"{ORIGIN}/es/"] == {**home, "x-default": f"{ORIGIN}/"}
    assert {f"{ORIGIN}/", f"{ORIGIN}/ar/", f"{ORIGIN}/es/about/"} <= set(listed)


def test_a_page_of_answers_costs_the_same_queries_however_many_it_lists(
    client, demo_answer, editor, reviewer, django_assert_num_queries
):
    spanish_translation(demo_answer, editor, reviewer)
    # The count for the pages, the page's answers, their groups' members: no query per
    # answer (an address needs the question's slug and language).
    with django_assert_num_queries(3):
        client.get("/sitemap-answers.xml")
    with django_assert_num_queries(3):
        client.get("/sitemap-topics.xml")
