"""Each publication event reaches exactly the kept pages that show what it changed, and no
other: every page is kept (a hit), the event happens, and then the pages that are no longer
hits must be exactly those expected (answers/publication.py names the keys).

The site: the demo answer (Oncology) and its Spanish translation, a second Oncology answer,
and an answer in a topic of its own; every page patients can keep is read once, so it is
kept, before each event."""

import pytest
from django.core.management import call_command

from answers.models import Answer, Question, SitePolicy, Topic
from answers.testing import committed, publish, with_writer
from citations.models import Citation, Source
from delivery import page_cache
from delivery.tests.translations import SPANISH_SLUG

pytestmark = pytest.mark.django_db

PAGES = {
    "answer": None,  # the demo answer's (below)
    "answer in Spanish": f"/es/ask/{SPANISH_SLUG}/",
    "other oncology answer": "/ask/second-oncology-question/",
    "heart answer": "/ask/heart-question/",
    "oncology": "/topics/oncology/",
    "oncology in Spanish": None,  # its address is the translated topic's (below)
    "heart": "/topics/heart-health/",
    "home": "/",
    "home in Spanish": "/es/",
    "feed": "/feed/",
    "feed in Spanish": "/es/feed/",
    "sitemap": "/sitemap.xml",
    "sitemap of answers": "/sitemap-answers.xml",
    "sitemap of topics": "/sitemap-topics.xml",
    "editorial policy": "/policies/editorial/",
    "editorial policy in Spanish": "/es/policies/editorial/",
    "about": "/about/",
}

# The lists an answer of the default language is on, whatever it changes.
LISTS = {"home", "feed", "sitemap", "sitemap of answers"}


def answer_in(topic, slug, source_title, editor, reviewer):
    answer = Answer.objects.create(
        question=Question.objects.create(text=f"{slug}?", slug=slug, topic=topic),
        short_answer="Short.", research="A finding [1].",
    )  # fmt: skip
    source = Source.objects.create(
        evidence_type="rct", title=source_title, authors="Doe J", year=2020
    )
    Citation.objects.create(answer=answer, number=1, source=source)
    answer.record_snapshots()
    return publish(answer, editor, reviewer)


@pytest.fixture
def site(demo_answer, spanish_answer, editor, reviewer):
    oncology = demo_answer.question.topic
    heart = Topic.objects.create(name="Heart health", slug="heart-health")
    pages = {
        **PAGES,
        "answer": demo_answer.get_absolute_url(),
        "oncology in Spanish": spanish_answer.question.topic.get_absolute_url(),
    }
    return {
        "pages": pages,
        "answer": demo_answer,
        "spanish": spanish_answer,
        "oncology answer": answer_in(
            oncology, "second-oncology-question", "A trial", editor, reviewer
        ),
        "heart answer": answer_in(heart, "heart-question", "A heart trial", editor, reviewer),
        "heart": heart,
    }


def not_hits(client, pages):
    """The pages not served from the page cache now."""
    return {name for name, path in pages.items() if client.get(path).get("X-Cache") != "hit"}


def approve_the_answer_again(site, editor, reviewer):
    answer = site["answer"]
    answer.short_answer = "Not yet, outside trials: approved again."
    with_writer(answer, editor)
    answer._history_user = editor
    answer.save()
    answer.record_edit(editor)
    publish(answer, editor, reviewer)


def withdraw_the_heart_answer(site, editor, reviewer):
    with committed():
        site["heart answer"].withdraw(reviewer, comment="Under review again.")


def retract_a_source_of_the_other_oncology_answer(site, editor, reviewer):
    source = site["oncology answer"].citations.get().source
    source.retraction_status = Source.Retraction.RETRACTED
    source.retraction_notice_url = "https://doi.org/10.1000/retraction"
    with committed():
        source.save()


def rename_the_heart_topic(site, editor, reviewer):
    site["heart"].name = "Heart and circulation"
    with committed():
        site["heart"].save()


def give_the_other_oncology_answer_a_new_address(site, editor, reviewer):
    question = site["oncology answer"].question
    question.slug = "second-oncology-question-renamed"
    with committed():
        question.save()


def save_the_topic_and_question_unchanged(site, editor, reviewer):
    with committed():
        site["heart"].save()
        site["oncology answer"].question.save()
        source = site["answer"].citations.first().source
        source.title += " (corrected title)"  # frozen in each approved version
        source.save()


def update_the_editorial_policy(site, editor, reviewer):
    policy, _ = SitePolicy.objects.get_or_create(kind="editorial", defaults={"body": "Old."})
    policy.body = "We write from cited research; a medical reviewer approves every answer."
    with committed():
        policy.save()


def purge_every_page_by_hand(site, editor, reviewer):
    with committed():
        call_command("purge_pages", "--all", stdout=open("/dev/null", "w"))


# Each event, in this order (each on the site the ones before left), with the pages that
# must no longer be hits after it.
EVENTS = [
    (save_the_topic_and_question_unchanged, set()),
    (update_the_editorial_policy, {"editorial policy", "editorial policy in Spanish"}),
    (retract_a_source_of_the_other_oncology_answer, {"other oncology answer"}),
    # Its translation's page says the original changed; the Spanish topic page lists
    # Spanish answers only.
    (approve_the_answer_again, {"answer", "answer in Spanish", "oncology", *LISTS}),
    (rename_the_heart_topic, {"heart", "heart answer", "home", "sitemap", "sitemap of topics"}),
    (give_the_other_oncology_answer_a_new_address, {"other oncology answer", "oncology", *LISTS}),
    # Its topic's only answer: the topic leaves the site's lists too.
    (withdraw_the_heart_answer, {"heart answer", "heart", *LISTS, "sitemap of topics"}),
    (purge_every_page_by_hand, set(PAGES) - {"heart answer"}),
]


def test_each_event_reaches_exactly_the_pages_that_show_what_it_changed(
    site, client, editor, reviewer
):
    """One site for every event, in turn (building it is most of the cost)."""
    pages = site["pages"]
    for event, expected in EVENTS:
        page_cache.clear()
        for path in pages.values():
            assert client.get(path).status_code == 200, path
        assert not_hits(client, pages) == set(), event.__name__  # every page kept
        event(site, editor, reviewer)
        assert not_hits(client, pages) == expected, event.__name__
        if event is give_the_other_oncology_answer_a_new_address:
            pages["other oncology answer"] = site["oncology answer"].get_absolute_url()
        if event is withdraw_the_heart_answer:
            del pages["heart answer"]  # a 404 now; its topic's page says it has no answers


def test_a_page_carries_the_keys_of_what_it_shows(site, client):
    """As Varnish reads them (the `xkey` header), and the page cache keeps them."""
    answer, heart = site["answer"], site["heart"]
    keys = client.get(answer.get_absolute_url())["xkey"].split()
    question = answer.question
    sources = [f"s{pk}" for pk in answer.live_version.source_ids]
    assert sources and set(sources) <= set(keys)
    assert {"all", "l-en-gb", f"a{answer.pk}", f"g{question.pk}", f"t{question.topic_id}"} <= set(
        keys
    )
    assert len(keys) == 5 + len(sources)
    spanish = client.get(site["spanish"].get_absolute_url())["xkey"].split()
    assert "l-es" in spanish and f"g{question.pk}" in spanish  # its group: the original's
    topic = client.get(heart.get_absolute_url())["xkey"].split()
    assert sorted(topic) == sorted(["all", "l-en-gb", f"t{heart.pk}", f"tl{heart.pk}"])
    home = client.get("/es/")["xkey"].split()
    assert sorted(home) == ["all", "l-es", "list-es", "topics-es"]
