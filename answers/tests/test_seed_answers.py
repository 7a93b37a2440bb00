"""manage.py seed_answers: benchmark content that the site reads like its own."""

import random
import re
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from answers import attribution
from answers.management.commands.seed_answers import Prose
from answers.models import Answer, Topic
from citations.markers import cited_numbers
from citations.models import Source

pytestmark = pytest.mark.django_db

COUNT = 300


@pytest.fixture
def seeded():
    """300 answers, in batches of 120 (so the last batch is a part one); the output."""
    out = StringIO()
    call_command("seed_answers", count=COUNT, batch_size=120, seed=7, stdout=out)
    return out.getvalue()


def test_answers_are_seeded_in_each_state_with_progress_per_batch(seeded):
    assert Counter(Answer.objects.values_list("status", flat=True)) == {
        Answer.Status.PUBLISHED: 225,
        Answer.Status.DRAFT: 30 + 9,  # 9 of them live, with a newer draft
        Answer.Status.IN_REVIEW: 15 + 6,  # 6 of them live, with a newer submission
        Answer.Status.WITHDRAWN: 12,
        Answer.Status.SCHEDULED: 3,
    }
    assert Answer.objects.published().count() == 225 + 9 + 6
    assert Answer.objects.changed_since_approval().count() == 9 + 6
    assert not Answer.objects.published().filter(status=Answer.Status.WITHDRAWN).exists()
    scheduled = Answer.objects.filter(status=Answer.Status.SCHEDULED)
    assert scheduled.filter(scheduled_version__go_live_at__gt=timezone.now()).count() == 3
    assert "120/300 answers" in seeded and "240/300 answers" in seeded
    assert "300/300 answers" in seeded


def test_reviews_fall_due_over_the_year_some_overdue(seeded):
    published = Answer.objects.published().count()
    overdue = Answer.objects.overdue().count()
    due = Answer.objects.due_for_review().count()
    assert 0 < overdue < due < published / 3


def test_each_answer_cites_3_to_12_sources_of_a_shared_library(seeded):
    per_answer = Counter(Answer.objects.values_list("citations__answer", flat=True))
    assert min(per_answer.values()) >= 3 and max(per_answer.values()) <= 12
    assert Source.objects.count() == COUNT // 4
    cited = Source.objects.filter(citations__isnull=False).distinct().count()
    assert cited < sum(per_answer.values()) / 2  # most sources are cited by several answers
    assert Source.objects.exclude(doi="").exists() and Source.objects.exclude(pmid="").exists()


def test_published_versions_are_what_approval_would_freeze(seeded):
    answers = Answer.objects.filter(status=Answer.Status.PUBLISHED).select_related("live_version")
    for answer in answers.order_by("pk")[:25]:
        live = answer.live_version
        built = answer.build_version(reviewer=live.reviewer, reviewed_on=live.reviewed_on)
        for field in [
            "question_text", "short_answer_html", "research_html", "research_plain",
            "doctor_questions_html", "references", "disclaimer_html", "authors",
            "reviewer_name", "reviewer_credentials", "next_review_due", "fingerprint",
        ]:  # fmt: skip
            assert getattr(live, field) == getattr(built, field), field
        assert not answer.differs_from_live()
        problems = [p.code for p in answer.citation_problems()]
        assert set(problems) <= {"retracted", "concern"}  # flagged since approval, at most
        assert attribution.unmarked(answer.research) == []
        assert answer.authorships.exists()


def test_search_vectors_are_those_approval_would_store(seeded):
    version = Answer.objects.published().order_by("pk").first().live_version
    seeded_vector = version.search_vector
    version.refresh_search_vector()
    version.refresh_from_db()
    assert version.search_vector == seeded_vector


def test_public_search_finds_seeded_answers_and_only_published_ones(seeded):
    topic = Topic.objects.with_published_answers().order_by("-answer_count").first()
    results = list(Answer.objects.search(topic.name))
    assert results
    assert all(result.live_version_id for result in results)
    assert topic.name.lower() in results[0].live_version.question_text.lower()


def test_a_seeded_answer_in_review_can_be_approved(seeded, reviewer):
    waiting = Answer.objects.filter(status=Answer.Status.IN_REVIEW, live_version=None)
    answer = waiting.exclude(citations__source__retraction_status__in=Source.FLAGGED).first()
    answer.approve(reviewer)
    answer.refresh_from_db()
    assert answer.status == Answer.Status.PUBLISHED
    assert answer.live_version.reviewer_name == "Dr Robin Reviewer"


def test_admin_answer_list_and_change_page_work_for_a_superuser(seeded, client, django_user_model):
    admin = django_user_model.objects.create_superuser("root", password="x")
    client.force_login(admin)
    listing = client.get(reverse("admin:answers_answer_changelist"))
    assert listing.status_code == 200
    assert f"{COUNT} answers" in listing.content.decode()
    answer = Answer.objects.published().order_by("pk").first()
    for name in ("admin:answers_answer_change", "admin:answers_answer_timeline"):
        assert client.get(reverse(name, args=[answer.pk])).status_code == 200


def test_due_list_pages_hold_every_answer_once_in_the_order_chosen(
    seeded, client, django_user_model, monkeypatch
):
    """The due list reads its ordered ids first, then each page's rows by id
    (AllIdsFirstPaginator): its pages, count and column sorting must still be right."""
    from answers.admin import AnswerDueForReviewAdmin

    monkeypatch.setattr(AnswerDueForReviewAdmin, "list_per_page", 20)
    client.force_login(django_user_model.objects.create_superuser("root", password="x"))
    url = reverse("admin:answers_answerdueforreview_changelist")
    due = Answer.objects.needing_review()
    urgent_first = due.order_by("live_version__next_review_due", "pk")
    expected = list(urgent_first.values_list("pk", flat=True))
    assert len(expected) > 40  # three pages at least

    def listed(**params):
        page = client.get(url, params).content.decode()
        assert f"{len(expected)} answers due for review" in page
        return [int(pk) for pk in re.findall(r"answerdueforreview/(\d+)/change/", page)]

    pages = (len(expected) + 19) // 20
    shown = [pk for p in range(1, pages + 1) for pk in listed(p=p)]
    assert shown == expected
    # Sorted by question (the first column), descending: the order the database gives.
    by_question = due.order_by("-question__text", "-pk").values_list("pk", flat=True)
    assert listed(o="-0") == list(by_question[:20])
    # Past the last page: the admin's own answer to a bad page number.
    beyond = client.get(url, {"p": pages + 1})
    assert beyond.status_code == 302 and beyond.url.endswith("?e=1")


def test_topic_page_lists_its_published_answers_not_its_drafts(seeded, client):
    for draft in Answer.objects.filter(live_version=None).select_related("question__topic"):
        topic = draft.question.topic
        published = Answer.objects.published().filter(question__topic=topic).first()
        if published:
            break
    response = client.get(topic.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert escape(published.live_version.question_text) in page
    assert escape(draft.question.text) not in page
    assert client.get(published.get_absolute_url()).status_code == 200


def test_a_second_run_refuses_without_append(seeded):
    with pytest.raises(CommandError, match="already has 300 answers"):
        call_command("seed_answers", count=10, stdout=StringIO())
    call_command("seed_answers", count=10, append=True, stdout=StringIO())
    assert Answer.objects.count() == COUNT + 10


def test_the_same_seed_writes_the_same_text():
    first, second = Prose(random.Random(3)), Prose(random.Random(3))
    assert [first.research(8) for _ in range(5)] == [second.research(8) for _ in range(5)]


def test_research_cites_every_source_in_order_of_first_use():
    prose = Prose(random.Random(11))
    for citations in range(3, 13):
        for _ in range(20):
            order = list(dict.fromkeys(cited_numbers(prose.research(citations))))
            assert order == list(range(1, citations + 1))


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


def test_admin_search_matching_many_lists_the_first_in_order_and_says_more_match(
    seeded, client, django_user_model, monkeypatch
):
    from answers import search
    from answers.admin import AnswerAdmin

    monkeypatch.setattr(search, "ADMIN_SEARCH_MATCHES", 40)
    monkeypatch.setattr(search, "ADMIN_SEARCH_LISTED", 20)
    monkeypatch.setattr(AnswerAdmin, "list_per_page", 10)
    client.force_login(django_user_model.objects.create_superuser("root", password="x"))
    url = reverse("admin:answers_answer_changelist")
    expected = admin_search_expected("disease")
    assert len(expected) > 40

    first = client.get(url, {"q": "disease"}).content.decode()
    assert "More than 40 answers match</strong>: the first 20 are listed." in first
    assert "More than 40 results" in first  # beside the search box
    second = client.get(url, {"q": "disease", "p": 2}).content.decode()
    assert listed_answers(first) + listed_answers(second) == expected[:20]
    # Past what is listed: the admin's own answer to a bad page number.
    beyond = client.get(url, {"q": "disease", "p": 3})
    assert beyond.status_code == 302 and beyond.url.endswith("?e=1")
    # Sorted by another column, the first 20 in that order.
    by_update = client.get(url, {"q": "disease", "o": "-6"}).content.decode()
    newest = Answer.objects.filter(pk__in=expected).order_by("-updated_at", "-pk")
    assert listed_answers(by_update) == list(newest.values_list("pk", flat=True)[:10])


def test_admin_search_matching_few_lists_and_counts_them_all(
    seeded, client, django_user_model, monkeypatch
):
    from answers import search

    monkeypatch.setattr(search, "ADMIN_SEARCH_MATCHES", 40)
    client.force_login(django_user_model.objects.create_superuser("root", password="x"))
    url = reverse("admin:answers_answer_changelist")
    # A word of the questions that a few answers match, in their question or their text.
    words = {w.strip("?,.").lower() for a in Answer.objects.all()[:50] for w in str(a).split()}
    term, expected = next(
        (word, found)
        for word in sorted(words, key=len, reverse=True)
        if 1 < len(found := admin_search_expected(word)) <= 40
    )

    page = client.get(url, {"q": term}).content.decode()
    assert listed_answers(page) == expected
    assert f"{len(expected)} result" in page and "More than" not in page


def test_public_search_asks_a_hyphenated_word_as_its_compound_and_finds_the_same(seeded):
    """WebSearchQuery rewrites "benefit-risk" from a phrase of three lexemes (slow in the
    RUM index) to its compound lexeme: the same answers must match."""
    from django.contrib.postgres.search import SearchQuery

    from answers.search import SEARCH_CONFIG, WebSearchQuery

    published = Answer.objects.published()
    texts = " ".join(published.values_list("live_version__research_plain", flat=True))
    words = sorted(set(re.findall(r"\b[a-z]+(?:-[a-z]+)+\b", texts)))[:6]
    assert words
    rewritten = Answer.objects.annotate(q=WebSearchQuery(f"{words[0]} trial")).values("q")
    assert sorted(rewritten[0]["q"].split(" & ")) == sorted([f"'{words[0]}'", "'trial'"])
    for text in [*words, f"{words[0]} disease", f"-{words[1]} disease", f'"{words[2]}" trial']:
        plain = SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)

        def found(query):
            matches = published.filter(live_version__search_vector=query)
            return set(matches.values_list("pk", flat=True))

        assert found(WebSearchQuery(text)) == found(plain), text
        assert found(plain) or text.startswith("-"), text
