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
from answers.models import Answer, Topic
from answers.seeding.prose import Prose
from citations.markers import cited_numbers
from citations.models import Source
from desk.models import ReviewQueue

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
    from desk.admin.review_queue import ReviewQueueAdmin

    monkeypatch.setattr(ReviewQueueAdmin, "list_per_page", 20)
    client.force_login(django_user_model.objects.create_superuser("root", password="x"))
    url = reverse("admin:desk_reviewqueue_changelist")
    due = ReviewQueue.objects.needing_review()
    urgent_first = due.order_by("live_version__next_review_due", "pk")
    expected = list(urgent_first.values_list("pk", flat=True))
    assert len(expected) > 40  # three pages at least

    def listed(**params):
        page = client.get(url, params).content.decode()
        assert f"{len(expected)} answers in the review queue" in page
        return [int(pk) for pk in re.findall(r"reviewqueue/(\d+)/change/", page)]

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


def test_public_search_asks_a_hyphenated_word_as_its_compound_and_finds_the_same(seeded):
    """WebSearchQuery rewrites "benefit-risk" from a phrase of three lexemes (slow in the
    RUM index) to its compound lexeme: the same answers must match."""
    from django.contrib.postgres.search import SearchQuery
    from django.db import connection

    from answers import languages
    from answers.search import WebSearchQuery

    published = Answer.objects.published()
    texts = " ".join(published.values_list("live_version__research_plain", flat=True))
    words = sorted(set(re.findall(r"\b[a-z]+(?:-[a-z]+)+\b", texts)))[:6]
    assert words
    rewritten = Answer.objects.annotate(q=WebSearchQuery(f"{words[0]} trial")).values("q")
    assert sorted(rewritten[0]["q"].split(" & ")) == sorted([f"'{words[0]}'", "'trial'"])
    # Numbers with a hyphen are two numbers to PostgreSQL, and stay as they are.
    numbers = Answer.objects.annotate(q=WebSearchQuery("10-20 mg")).values("q")
    assert "'10' <-> '-20'" in numbers[0]["q"]

    def found(query):
        matches = published.filter(live_version__search_vector=query)
        return set(matches.values_list("pk", flat=True))

    def plain(text):
        config = languages.search_config(languages.default())
        return SearchQuery(text, search_type="websearch", config=config)

    def is_stop_word(word):
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_tsvector('english', %s) = ''::tsvector", [word])
            return cursor.fetchone()[0]

    # Also quoted, at the start of a phrase, with a word that follows it in a text:
    # rewritten there too, the phrase would find nothing.
    after = re.findall(rf"\b{re.escape(words[0])} ([a-z]+)", texts)
    following = next(word for word in after if not is_stop_word(word))
    also_quoted = f'{words[0]} "{words[0]} {following}"'
    for text in [
        *words,
        f"{words[0]} disease",
        f"-{words[1]} disease",
        f'"{words[2]}" trial',
        also_quoted,
        "10-20 trial",
    ]:
        assert found(WebSearchQuery(text)) == found(plain(text)), text
    assert all(found(plain(w)) for w in words) and found(plain(also_quoted))
