"""The publication generation (answers/page_generation.py): PostgreSQL's number moves with
the change, only forward; a process and its mirrors never go back; tombstones bar what was
kept before them. The whole site under faults: test_takedown_faults.py."""

import time
import uuid

import pytest
import redis

from answers import publication
from answers.models import PageGeneration, SurrogateKey, Tombstone
from answers.publication import answer_key
from answers.testing import committed
from delivery import generation as page_generation
from delivery.generation import FileMirror, Generation, RedisMirror, generation

REDIS = "redis://127.0.0.1:6379/15"


@pytest.fixture
def prefix():
    """Keys and a channel of this test's own in the shared test Redis database."""
    name = f"qasite-test-{uuid.uuid4().hex}"
    yield name
    client = redis.Redis.from_url(REDIS)
    for key in client.scan_iter(f"{name}:*"):
        client.delete(key)


def test_a_process_never_adopts_a_lower_generation(tmp_path):
    view = Generation("", tmp_path, "test")
    view.adopt(20, {"/ask/a/": 20})
    view.adopt(10, {"/ask/a/": 10, "/ask/b/": 10})
    assert view.value == 20
    assert view.marks == {"/ask/a/": 20, "/ask/b/": 10}


def test_the_file_is_never_lowered_and_every_worker_reads_the_highest(tmp_path):
    writer, reader = FileMirror(tmp_path), FileMirror(tmp_path)
    writer.write(30, {"/ask/a/": 30})
    FileMirror(tmp_path).write(25, {"/ask/b/": 25})  # another worker, behind
    assert reader.poll() == (30, {"/ask/a/": 30, "/ask/b/": 25})


def test_redis_keeps_the_highest_generation_and_tells_every_subscriber(prefix):
    mover, listener = RedisMirror(REDIS, prefix), RedisMirror(REDIS, prefix)
    assert listener.poll() == (None, {})  # subscribed: nothing there yet
    mover.write(40, {"/ask/a/": 40})
    assert heard(listener) == (40, {"/ask/a/": 40})
    RedisMirror(REDIS, prefix).write(35, {"/ask/b/": 35})  # a mover that was behind
    client = redis.Redis.from_url(REDIS)
    assert int(client.get(f"{prefix}:generation")) == 40
    assert client.hgetall(f"{prefix}:marks") == {b"/ask/a/": b"40", b"/ask/b/": b"35"}
    # A process that starts now reads it all.
    assert RedisMirror(REDIS, prefix).poll() == (40, {"/ask/a/": 40, "/ask/b/": 35})


def heard(mirror, seconds=2):
    """What a subscriber has received, once it has (a message takes a moment to arrive)."""
    deadline = time.monotonic() + seconds
    while (message := mirror.poll()) == (None, {}) and time.monotonic() < deadline:
        time.sleep(0.01)
    return message


def test_another_site_or_database_hears_nothing(prefix):
    listener = RedisMirror(REDIS, prefix)
    other_database = RedisMirror(REDIS.replace("/15", "/14"), prefix)
    other_site = RedisMirror(REDIS, prefix + "-other")
    for mirror in (listener, other_database, other_site):
        mirror.poll()
    listener.write(50, {})
    assert heard(listener) == (50, {})
    assert other_database.poll() == (None, {}) and other_site.poll() == (None, {})
    assert other_database.channel != listener.channel != other_site.channel


@pytest.mark.django_db
def test_the_number_moves_with_the_change_and_only_forward():
    before = publication.record()
    first = publication.record(keys=["a1", "tl2"], taken_down=["/ask/a/"], reason="Withdrawn")
    assert first > before
    assert Tombstone.objects.get(path="/ask/a/").generation == first
    keys = SurrogateKey.objects.values_list("key", "generation")
    assert sorted(keys) == [("a1", first), ("tl2", first)]
    assert publication.record(keys=["a1"]) > first  # one row a key, moved forward
    assert (
        SurrogateKey.objects.get(key="a1").generation
        > SurrogateKey.objects.get(key="tl2").generation
    )
    PageGeneration.objects.all().delete()  # emptied, or restored from an older backup
    assert publication.record() > first


@pytest.mark.django_db
def test_a_thread_with_changes_not_committed_serves_and_keeps_nothing(client, demo_answer):
    url = demo_answer.get_absolute_url()
    client.get(url)
    assert client.get(url)["X-Cache"] == "hit"
    with committed():
        publication.record(keys=[answer_key(demo_answer.pk)])
        # Not committed yet: this thread would read rows no one else can see.
        assert generation().current() is None
        response = client.get(url)
        assert "X-Cache" not in response and response["Cache-Control"] == "no-store"
    assert generation().current() is not None
    assert client.get(url)["X-Cache"] == "miss"


@pytest.mark.django_db
def test_a_kept_page_stays_a_hit_until_one_of_its_keys_moves(client, demo_answer):
    url = demo_answer.get_absolute_url()
    client.get(url)
    with committed():
        publication.record(keys=[answer_key(demo_answer.pk + 1), "tl999", "list-es"])
    assert client.get(url)["X-Cache"] == "hit"  # the generation moved, none of its keys
    with committed():
        publication.record(keys=[f"t{demo_answer.question.topic_id}"])  # its topic renamed
    assert client.get(url)["X-Cache"] == "miss"


@pytest.mark.django_db(transaction=True)
def test_a_process_that_missed_the_message_learns_the_keys_from_postgresql(tmp_path):
    """No mirror told it (no Redis, its file never written): the next sync does."""
    view = Generation("", tmp_path, "test")
    view.sync()
    moved = publication.record(keys=["a5", "list-es"])
    assert view.marks.get("a5", 0) < moved
    view.sync()
    assert view.marks["a5"] == view.marks["list-es"] == moved
    assert view.changed_since(moved - 1, ["/ask/x/", "a5"])
    assert not view.changed_since(moved, ["/ask/x/", "a5"])


@pytest.mark.django_db
def test_a_page_whose_key_moved_while_it_was_rendered_is_kept_by_no_one(
    client, demo_answer, monkeypatch
):
    """Another process's approval of it, heard while this one rendered the old rows."""
    from delivery import page_cache
    from patient_site import views

    url, notices = demo_answer.get_absolute_url(), views.live_notices

    def notices_then_an_approval(source_ids):
        view = generation()
        view.adopt(view.value + 1, {answer_key(demo_answer.pk): view.value + 1})
        return notices(source_ids)

    page_cache.clear()
    monkeypatch.setattr(views, "live_notices", notices_then_an_approval)
    response = client.get(url)
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert "X-Cache" not in response and "Qasite-Cache-Control" not in response
    monkeypatch.undo()
    assert client.get(url)["X-Cache"] == "miss"  # it was not kept: rendered again, and kept


@pytest.mark.django_db
def test_a_new_release_serves_no_page_another_release_kept(client, demo_answer, monkeypatch):
    from delivery import page_cache, stored_pages

    url = demo_answer.get_absolute_url()
    client.get(url)
    page_cache.in_memory.clear()  # a new process: only the shared cache holds it
    assert client.get(url)["X-Cache"] == "hit"
    page_cache.in_memory.clear()
    monkeypatch.setattr(stored_pages, "_release", "the-next-release")
    assert client.get(url)["X-Cache"] == "miss"


def test_a_mark_older_than_marks_are_kept_is_written_to_no_mirror(tmp_path):
    """Else a process holding one would write the file again on every sync, and every
    worker read it again on every request."""
    view = Generation("", tmp_path, "test")
    now = 10**15 + page_generation.MARK_SECONDS * 1_000_000 + 5
    view.adopt(now, {"a1": 10**15, "a2": now})
    assert view.file.missing(now, view.marks) == (True, {"a2": now})
    view.mirror()
    assert view.file.missing(now, view.marks) == (False, {})


def test_tombstones_bar_only_what_was_kept_before_them(tmp_path):
    view = Generation("", tmp_path, "test")
    view.adopt(100, {"/ask/gone/": 90})
    assert view.barred(["/", "/ask/gone/"], rendered_in=80) == "/ask/gone/"
    assert view.barred(["/", "/ask/gone/"], rendered_in=95) is None
    assert view.barred(["/", "/ask/other/"], rendered_in=80) is None


def test_the_generation_is_made_again_when_its_settings_change(settings, tmp_path):
    settings.PAGE_CACHE_DIR = str(tmp_path)
    first = generation()
    assert generation() is first
    settings.CACHE_KEY_PREFIX = "another-site"
    second = generation()
    assert second is not first and generation() is second  # and stays made


@pytest.mark.django_db(transaction=True)
def test_a_postgresql_gone_back_is_raised_to_what_a_process_knew(tmp_path):
    """Restored from an older backup: the next move must go past what workers hold."""
    publication.record()
    truth = PageGeneration.objects.get(pk=1).value
    view = Generation("", tmp_path, "test")
    view.adopt(truth + 10_000_000, {})
    view.sync()
    assert PageGeneration.objects.get(pk=1).value == truth + 10_000_000
    assert view.value == truth + 10_000_000


def test_a_process_that_cannot_reach_postgresql_waits_before_asking_again(tmp_path, monkeypatch):
    """From the failure, not from the attempt: a server that does not answer costs one
    request its timeout every RETRY_SECONDS, not every request."""
    attempts = []

    def unreachable(since):
        attempts.append(since)
        time.sleep(0.2)  # as a connect timeout would
        raise OSError("no answer")

    monkeypatch.setattr(page_generation, "read_truth", unreachable)
    monkeypatch.setattr(page_generation, "RETRY_SECONDS", 1)
    view = Generation("", tmp_path, "test")
    view.adopt(5, {})
    started = time.monotonic()
    while time.monotonic() - started < 0.9:
        assert view.current() == 5  # it keeps what it knows
    assert len(attempts) == 1


@pytest.mark.django_db
def test_a_page_whose_address_changed_leaves_its_old_address_taken_down(demo_answer):
    question = demo_answer.question
    old = question.get_absolute_url()
    question.slug = "car-t-and-multiple-sclerosis"
    with committed():
        question.save()
    moved = Tombstone.objects.get(path=old)
    assert moved.reason == "Address changed"
    # Every worker learns it: a copy kept at the old address is never served stale.
    assert generation().barred([old], rendered_in=moved.generation - 1) == old
    question.text = "A new wording, same address?"
    question.save()
    assert Tombstone.objects.filter(reason="Address changed").count() == 1
