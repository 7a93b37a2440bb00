"""What reaches the page cache from outside: only allowed hosts, one entry per page whatever
the query string, Accept-Encoding read one way, and a release digest that follows every
file that renders a page."""

import os
import time
from pathlib import Path

import pytest
from django.conf import settings

from delivery import page_cache, stored_pages
from delivery.file_cache import BoundedFileCache

pytestmark = pytest.mark.django_db

EVIL = "evil-1.attacker.test"


def public_urls(answer):
    topic = answer.question.topic.get_absolute_url()
    report = f"/ask/{answer.question.slug}/report/"
    return [
        "/", "/about/", "/policies/ownership/", "/policies/editorial/", "/policies/conflicts/",
        topic, f"{topic}?page=1", answer.get_absolute_url(), "/search/?q=sclerosis",
        "/sitemap.xml", "/sitemap-answers.xml", "/sitemap-topics.xml", "/sitemap-pages.xml",
        "/feed/", "/robots.txt", report,
    ]  # fmt: skip


def kept_pages():
    """The page cache's files (the tests' cache is the file cache)."""
    return sorted(Path(settings.PAGE_CACHE_DIR).glob("*.djcache"))


def test_a_host_not_allowed_gets_400_on_every_public_page_and_nothing_is_kept(client, demo_answer):
    for url in public_urls(demo_answer):
        assert client.get(url).status_code == 200, url
    before = kept_pages()
    for url in public_urls(demo_answer):
        for host in (EVIL, "EVIL-2.attacker.test:443", f"{EVIL}.127.0.0.1"):
            response = client.get(url, headers={"host": host})
            assert response.status_code == 400, (url, host)
            assert demo_answer.question.text not in response.content.decode()
    assert kept_pages() == before
    assert not [entry for entry in page_cache.in_memory if EVIL in entry.lower()]


def test_an_allowed_host_is_one_page_whatever_its_case(client, demo_answer):
    url = demo_answer.get_absolute_url()
    assert client.get(url, headers={"host": "localhost"})["X-Cache"] == "miss"
    assert client.get(url, headers={"host": "LOCALHOST"})["X-Cache"] == "hit"


TRACKED = [
    "utm_source=newsletter", "utm_source=a&utm_medium=email&utm_campaign=b", "fbclid=IwAR0x",
    "gclid=Cj0K", "msclkid=1a2b", "UTM_Source=x", "_ga=2.1", "mc_cid=1&mc_eid=2",
]  # fmt: skip


def test_tracking_parameters_are_the_same_page_and_keep_no_entry_of_their_own(client, demo_answer):
    url = demo_answer.get_absolute_url()
    first = client.get(url)
    assert first["X-Cache"] == "miss"
    before = kept_pages()
    for query in TRACKED:
        response = client.get(f"{url}?{query}")
        assert response.status_code == 200 and response["X-Cache"] == "hit", query
        assert response.content == first.content
    topic = demo_answer.question.topic.get_absolute_url()
    client.get(f"{topic}?page=1")
    assert client.get(f"{topic}?utm_source=x&page=1")["X-Cache"] == "hit"
    assert len(kept_pages()) == len(before) + 1  # the topic's page, once


@pytest.mark.parametrize(
    ("query", "canonical"),
    [
        ("x=1", ""),
        ("page=1", ""),
        ("utm_source=a&ref=b", ""),
        ("q=cancer", ""),
        ("a=1&a=2", ""),
        ("utm%5Fsource=a", ""),
        ("utm+source=a", ""),
    ],  # fmt: skip
)
def test_a_parameter_a_page_does_not_take_is_sent_to_the_page_itself(
    client, demo_answer, query, canonical
):
    url = demo_answer.get_absolute_url()
    before = kept_pages()
    response = client.get(f"{url}?{query}")
    assert response.status_code == 301
    assert response["Location"] == url + canonical
    assert response["Cache-Control"] == "no-store"
    assert kept_pages() == before


ACCEPT_ENCODINGS = {
    "gzip": True, "gzip, deflate, br": True, "x-gzip": True, "GZIP;q=0.5": True,
    "gzip;q=0": False, "gzip; q=0.000": False, "nogzip": False, "deflate": False, "*": False,
    "": False, "gzip;q=abc": False, "br;q=1, gzip;q=0": False,
}  # fmt: skip


def test_accept_encoding_is_read_by_its_q_values():
    """One reading for the page cache's address and the public pages' GZip middleware
    (through gunicorn: test_page_cache_workers.py)."""
    for header, gzipped in ACCEPT_ENCODINGS.items():
        assert page_cache.accepts_gzip(header) is gzipped, header


def test_the_release_follows_every_file_that_renders_a_page():
    root = Path(settings.BASE_DIR)
    files = stored_pages.release_files(root)
    named = {str(path.relative_to(root)) for path in files}
    for renders in [
        "patient_site/templatetags/answer_tags.py", "templates/answers/answer_detail.html",
        "templates/citations/reference_list.html", "citations/formatting.py",
        "patient_site/views.py", "static/css/site.css", "qasite/settings.py",
    ]:  # fmt: skip
        assert renders in named, renders
    assert not [name for name in named if "/tests/" in name or "/migrations/" in name]
    # A change to a template tag alone makes another release.
    before = stored_pages.release_digest(root, files)
    tag = root / "patient_site/templatetags/answer_tags.py"
    copy = {path: path.read_bytes() for path in files}
    copy[tag] += b"\n# changed\n"
    assert stored_pages.release_digest(root, files, read=copy.__getitem__) != before


def test_the_file_cache_stays_within_its_size_dropping_what_was_written_first(tmp_path):
    cache = BoundedFileCache(
        str(tmp_path), {"OPTIONS": {"MAX_ENTRIES": 10_000, "MAX_BYTES": 200_000}}
    )
    for number in range(60):
        cache.set(f"page-{number}", os.urandom(10_000))  # random: each file about 10 KB
        time.sleep(0.002)  # apart in time, as pages are written
    cache.trim()
    total = sum(path.stat().st_size for path in tmp_path.glob("*.djcache"))
    assert total <= 200_000
    assert cache.get("page-59") is not None and cache.get("page-0") is None
