"""Whatever a patient types into the search box gets a page: the text reaches PostgreSQL as
words, phrases and exclusions it can read (answers/search.py `websearch_text`), and a
search it refuses anyway says so instead of failing (`refusable`)."""

import logging
import random

import pytest
from django.db import DatabaseError, OperationalError, connection
from django.urls import reverse

from answers import search
from answers.models import Answer
from answers.search import websearch_text


@pytest.mark.parametrize(
    ("typed", "sent"),
    [
        ("multiple sclerosis", "multiple sclerosis"),
        ("CAR-T -relapse", "CAR-T -relapse"),
        ("benefit-risk 10-20", "benefit-risk 10-20"),
        ("-" * 33, ""),
        ("- " * 100, ""),
        ('"' * 100, ""),
        ("or " * 60, ""),
        ('-"-"-"', ""),
        ("!!! (((", ""),
        # A run of minus signs is one NOT: twenty do not cancel out, 33 are not refused.
        ("-" * 20 + "multiple sclerosis", "-multiple sclerosis"),
        ("-" * 33 + "smoking", "-smoking"),
        ("(-smoking", "-smoking"),
        ('--"hip fracture" risk', '-"hip fracture" risk'),
        # A dash between spaces is punctuation, not an exclusion.
        ("ms - relapse", "ms relapse"),
        ("ms " + "- " * 40 + "relapse", "ms relapse"),
        ('"multiple   sclerosis', '"multiple sclerosis"'),  # closed where PostgreSQL ends it
        ('""multiple sclerosis""', "multiple sclerosis"),
        ('"a""b"', '"a" "b"'),
        ("steroids or or OR relapse or", "steroids or relapse"),
        ("or steroids", "steroids"),
        ("steroids)-)-)-)relapse", "steroids relapse"),  # PostgreSQL's own operators
    ],
)
def test_websearch_text_keeps_the_words_and_drops_what_means_nothing(typed, sent):
    assert websearch_text(typed) == sent
    assert websearch_text(sent) == sent


# Pieces of what people paste or lean on: operators, quotes, dashes of every kind, the
# operators of to_tsquery's own syntax, escapes, words with hyphens, long runs.
PIECES = [
    "-", "-", "-", '"', '"', " ", " ", "!", "&", "|", "(", ")", "<", ">", ":", "*", "'", "\\",
    "or", "OR", "multiple", "sclerosis", "CAR-T", "a", "_", ".", "é", "—", "–", "\u2010", "\t",
    "\n", "\u00a0", "7", "10-20", "#", "benefit-risk", "<->", ":*", "a-b-c-d-e-f-g-h", "-" * 40,
    " or " * 5, '\\"', "\u2019s",
]  # fmt: skip


def test_postgresql_reads_whatever_websearch_text_leaves(demo_answer):
    rng = random.Random(22)
    for _ in range(150):
        typed = "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 120)))[:200]
        try:
            list(Answer.objects.search(typed))
            list(search.admin_matches(Answer.objects.all(), typed)[0])
        except DatabaseError as error:
            pytest.fail(f"{typed!r} ({websearch_text(typed)!r}): {error}")


def search_page(client, typed):
    response = client.get(reverse("public:search"), {"q": typed})
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    "typed",
    [
        "-" * 33,
        "-" * 200,
        "-" * 1000,  # the view reads the first 200 characters
        "- " * 100,
        '"' * 100,
        "or " * 60,
        '-"' * 100,
        "(-)" * 66,
        "!&|<-" * 40,
        "\x00-" * 100,
        "-\x1b \x7f-\x07" * 40,
    ],
)
def test_a_search_of_marks_alone_says_no_answers_matched(client, demo_answer, typed):
    page = search_page(client, typed)
    assert "No answers matched" in page and "Browse by topic" in page
    assert 'href="/topics/oncology/"' in page
    assert demo_answer.get_absolute_url() not in page


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("-" * 40 + " multiple sclerosis", True),
        ("multiple sclerosis " + "- " * 60, True),
        ("or " * 30 + "multiple sclerosis " + "-" * 40, True),
        ('"multiple sclerosis" ' + '"' * 60 + "-" * 40, True),
        ('"sclerosis multiple" ' + "-" * 40, False),  # still a phrase, in its order
        ("CAR-T " + "- " * 60, True),
        ("\x00multiple\x1f sclerosis" + " \x00-" * 60, True),
        ("-" * 33 + "sclerosis", False),
        ("CAR-T " + "-" * 50 + "sclerosis", False),
        ("-" * 20 + "multiple sclerosis", False),  # twenty minus signs do not cancel out
        ("-" * 33 + '"multiple sclerosis" CAR-T', False),
    ],
)
def test_a_search_keeps_its_meaning_among_marks(client, demo_answer, typed, found):
    page = search_page(client, typed)
    assert (demo_answer.get_absolute_url() in page) is found
    assert ("1 answer for" in page) is found
    assert ("No answers matched" in page) is not found


def test_a_search_postgresql_refuses_anyway_says_so_and_is_logged(
    client, demo_answer, monkeypatch, caplog
):
    monkeypatch.setattr(search, "websearch_text", lambda text: text)  # as PostgreSQL reads it
    with caplog.at_level(logging.ERROR, logger="answers.search"):
        page = search_page(client, "-" * 33 + "sclerosis")
    assert "No answers: the search could not understand “" in page
    assert "Try other words" in page and 'href="/topics/oncology/"' in page
    assert demo_answer.get_absolute_url() not in page
    assert "PostgreSQL refused the search" in caplog.text
    assert "tsquery stack too small" in caplog.text
    # The refused statement left the test's transaction, around the request, usable.
    assert list(Answer.objects.search("sclerosis")) == [demo_answer]


def test_a_program_limit_of_postgresql_is_a_refused_search(db):
    with pytest.raises(search.SearchRefused):
        with search.refusable("a" * 3000, using="default"):
            with connection.cursor() as cursor:
                cursor.execute("SELECT repeat('a', 3000)::tsquery")  # word is too long
    assert Answer.objects.count() == 0  # and the connection still answers


def test_a_database_that_does_not_answer_is_not_a_refused_search(db):
    """A lost connection goes on to the "database unavailable" page (delivery/middleware.py)."""
    with pytest.raises(OperationalError):
        with search.refusable("sclerosis", using="default"):
            raise OperationalError("server closed the connection unexpectedly")
