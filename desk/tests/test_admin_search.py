"""The admin's answer search at scale: counted and listed by id when few match, the
first ones in order when many do (answers/search.py `admin_matches`)."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from answers.models import Answer

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    """300 seeded answers: a common word of their texts matches dozens."""
    call_command("seed_answers", count=300, seed=7, stdout=StringIO())


@pytest.fixture
def superuser_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", password="x"))
    return client


def admin_search_expected(term):
    """The answers an editor's search for `term` must find, worked out without the admin's
    own code: full text of the draft (PostgreSQL's own SearchVector) or the question."""
    from django.contrib.postgres.search import SearchQuery, SearchVector
    from django.db.models import Q, TextField, Value
    from django.db.models.functions import Concat

    text = Concat("short_answer", Value(" "), "research", output_field=TextField())
    query = SearchQuery(term, search_type="websearch", config="english")
    by_text = Answer.objects.annotate(draft=SearchVector(text, config="english")).filter(
        draft=query
    )
    matching = Answer.objects.filter(
        Q(pk__in=by_text.values("pk")) | Q(question__text__icontains=term)
    )
    return list(matching.order_by("question__text", "-pk").values_list("pk", flat=True))


def listed_answers(page):
    return [int(pk) for pk in re.findall(r"/admin/answers/answer/(\d+)/change/", page)]


@pytest.fixture
def capped(monkeypatch):
    """The limits of 100,000 answers, scaled to 300: more than 40 matches are many."""
    from answers import search
    from desk.admin.answer import AnswerAdmin

    monkeypatch.setattr(search, "ADMIN_SEARCH_MATCHES", 40)
    monkeypatch.setattr(search, "ADMIN_SEARCH_LISTED", 20)
    monkeypatch.setattr(AnswerAdmin, "list_per_page", 10)
    monkeypatch.setattr(AnswerAdmin, "list_max_show_all", 15)


URL = "/admin/answers/answer/"


def test_matching_many_lists_the_first_in_order_and_says_more_match(
    seeded, capped, superuser_client
):
    expected = admin_search_expected("disease")
    assert len(expected) > 40
    assert reverse("admin:answers_answer_changelist") == URL

    first = superuser_client.get(URL, {"q": "disease"}).content.decode()
    assert "More than 40 answers match</strong>: the first 20 are listed." in first
    assert "More than 40 results" in first  # beside the search box
    second = superuser_client.get(URL, {"q": "disease", "p": 2}).content.decode()
    assert listed_answers(first) + listed_answers(second) == expected[:20]
    # Past what is listed: the admin's own answer to a bad page number.
    beyond = superuser_client.get(URL, {"q": "disease", "p": 3})
    assert beyond.status_code == 302 and beyond.url.endswith("?e=1")
    # "Show all" is not offered, and asked for by hand still lists one page.
    assert 'class="showall"' not in first
    every = superuser_client.get(URL, {"q": "disease", "all": ""}).content.decode()
    assert listed_answers(every) == expected[:10]
    # Sorted by another column, the first in that order.
    by_update = superuser_client.get(URL, {"q": "disease", "o": "-8"}).content.decode()
    newest = Answer.objects.filter(pk__in=expected).order_by("-updated_at", "-pk")
    assert listed_answers(by_update) == list(newest.values_list("pk", flat=True)[:10])


def test_search_and_a_filter_together_list_what_matches_both(seeded, capped, superuser_client):
    drafts = set(Answer.objects.filter(status=Answer.Status.DRAFT).values_list("pk", flat=True))
    expected = [pk for pk in admin_search_expected("disease") if pk in drafts]
    assert 10 < len(expected) <= 40  # within the limit once filtered: counted
    page = superuser_client.get(URL, {"q": "disease", "status__exact": "draft"}).content.decode()
    assert listed_answers(page) == expected[:10]
    assert f"{len(expected)} results" in page and "More than" not in page


def test_select_all_is_refused_when_more_match_than_are_listed(seeded, capped, superuser_client):
    """ "Select all" would act on every match, not the ones listed: it is not offered,
    and a request for it changes nothing."""
    page = superuser_client.get(URL, {"q": "disease"}).content.decode()
    assert "Select all 20 answers" not in page and '<span class="question' not in page
    listed = listed_answers(page)
    for across in ("1", "true", "on"):  # each is "yes" to Django's action form
        response = superuser_client.post(
            f"{URL}?q=disease",
            {"action": "delete_selected", "select_across": across, "index": "0",
             "_selected_action": listed, "post": "yes"},
            follow=True,
        )  # fmt: skip
        assert "Select all is not available" in response.content.decode()
    assert Answer.objects.filter(pk__in=listed).count() == len(listed) == 10
    assert Answer.objects.count() == 300


def test_a_capped_list_never_shows_all_even_when_show_all_would_take_it(
    seeded, capped, superuser_client, monkeypatch
):
    """Were the listed cap at or under "Show all" or a page, the admin would read every
    match for one page: the cap is raised past both."""
    from desk.admin.answer import AnswerAdmin

    monkeypatch.setattr(AnswerAdmin, "list_max_show_all", 50)  # above the 20 listed
    every = superuser_client.get(URL, {"q": "disease", "all": ""}).content.decode()
    assert listed_answers(every) == admin_search_expected("disease")[:10]
    assert "the first 51 are listed" in every


def test_matching_few_lists_and_counts_them_all(seeded, capped, superuser_client):
    # A word of the questions that a few answers match, in their question or their text.
    words = {w.strip("?,.").lower() for a in Answer.objects.all()[:50] for w in str(a).split()}
    term, expected = next(
        (word, found)
        for word in sorted(words, key=len, reverse=True)
        if 1 < len(found := admin_search_expected(word)) <= 10
    )
    page = superuser_client.get(URL, {"q": term}).content.decode()
    assert listed_answers(page) == expected
    assert f"{len(expected)} result" in page and "More than" not in page
    assert '<span class="question' not in page  # one page: nothing more to select


def test_check_warns_when_a_migration_lost_the_draft_search_column(db):
    from django.core.management.base import SystemCheckError
    from django.db import connection

    call_command("check", databases=["default"], fail_level="WARNING")  # has it: quiet
    with connection.cursor() as cursor:  # as a later RemoveField of `research` would
        cursor.execute("ALTER TABLE answers_answer DROP COLUMN draft_search")
    with pytest.raises(SystemCheckError, match="answers.W002.*no draft_search column"):
        call_command("check", databases=["default"], fail_level="WARNING")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def admin_search(client, typed):
    response = client.get(URL, {"q": typed})
    assert response.status_code == 200
    return response.content.decode()


# A NUL is not among them: Django's own search form refuses it, with its own message.
@pytest.mark.parametrize(
    "typed",
    ["-" * 50, "-" * 200, "- " * 100, '"' * 100, "or " * 60, '-"' * 100, "(-)" * 66,
     "\x1b-" * 100, "-\x1b \x7f-\x07" * 40],
)  # fmt: skip
def test_a_search_of_marks_alone_lists_no_answer(editor_client, demo_answer, typed):
    page = admin_search(editor_client, typed)
    assert listed_answers(page) == [] and "0 results" in page
    assert "could not be searched" not in page


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("-" * 50 + " multiple sclerosis", True),
        ("multiple sclerosis " + "- " * 60, True),
        ('"multiple sclerosis" ' + '"' * 60 + "-" * 50, True),
        ('"sclerosis multiple" ' + "-" * 50, False),  # still a phrase, in its order
        ("-" * 50 + "sclerosis", False),
        ("CAR-T " + "-" * 50 + "sclerosis", False),
        ("-" * 20 + "sclerosis", False),  # twenty minus signs do not cancel out
    ],
)
def test_a_search_keeps_its_meaning_among_marks(editor_client, demo_answer, typed, found):
    page = admin_search(editor_client, typed)
    assert listed_answers(page) == ([demo_answer.pk] if found else [])
    assert "could not be searched" not in page


def test_a_search_postgresql_refuses_lists_the_questions_that_contain_it(
    editor_client, demo_answer, monkeypatch, caplog
):
    from answers import search

    # Whatever is typed, the text search is refused, as an unforeseen shape would be.
    monkeypatch.setattr(search, "websearch_text", lambda text: "-" * 33 + text)
    page = admin_search(editor_client, "CAR-T cell")
    assert listed_answers(page) == [demo_answer.pk]  # from its question
    assert "The answers’ text could not be searched for “CAR-T cell”" in page
    assert "tsquery stack too small" in caplog.text
    page = admin_search(editor_client, "rituximab")  # only in the answer's text
    assert listed_answers(page) == [] and "0 results" in page
    assert "could not be searched for “rituximab”" in page


# The hint under the search box says what this database's search can do.

FULL_TEXT_HINT = (
    "Words of the question, the short answer or the research (“quoted phrase”, -without)."
)
LIKE_HINT = (
    "Any part of the question, the short answer or the research: every word typed must "
    "appear (“quoted words” together)."
)


def search_hint(page):
    return re.search(r'<div class="help" id="searchbar_helptext">(.*?)</div>', page).group(1)


def test_on_postgresql_the_hint_offers_quoted_phrases_and_minus(editor_client, demo_answer):
    assert search_hint(admin_search(editor_client, "")) == FULL_TEXT_HINT
    # What it offers works: a minus word leaves out the answer that has it.
    assert listed_answers(admin_search(editor_client, '"microglial activation"')) == [
        demo_answer.pk
    ]
    assert listed_answers(admin_search(editor_client, "microglial -rituximab")) == []
    assert listed_answers(admin_search(editor_client, "microglial -zebra")) == [demo_answer.pk]


@pytest.fixture
def like_search(monkeypatch):
    """Any database but PostgreSQL, as SQLite under `make run`: Django's LIKE search."""
    from django.db import connection

    monkeypatch.setattr(connection, "vendor", "sqlite")


def test_elsewhere_the_hint_offers_only_what_like_does(editor_client, demo_answer, like_search):
    page = admin_search(editor_client, "")
    assert search_hint(page) == LIKE_HINT
    assert "-without" not in page
    # What it offers works: a part of a word, every word, quoted words together.
    assert listed_answers(admin_search(editor_client, "microgl")) == [demo_answer.pk]
    assert listed_answers(admin_search(editor_client, "microglial lupus")) == [demo_answer.pk]
    assert listed_answers(admin_search(editor_client, "microglial zebra")) == []
    assert listed_answers(admin_search(editor_client, '"microglial activation"')) == [
        demo_answer.pk
    ]
    assert listed_answers(admin_search(editor_client, '"activation microglial"')) == []
    # What it does not offer would mislead: a minus word is looked for as typed.
    assert listed_answers(admin_search(editor_client, "microglial -zebra")) == []
