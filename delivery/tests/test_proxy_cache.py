"""Public pages through a real Varnish running deploy/varnish/default.vcl in front of the
live server: kept, purged by approval and withdrawal, never for the admin or a session,
and served stale while the app fails."""

import http.server
import re
import threading
import time
import uuid

import pytest
import requests
from django.core.signals import request_started

from answers.testing import publish
from delivery import proxy_purge
from delivery.tests.test_public_surface import public_urls
from delivery.tests.varnish_server import running_varnish

pytestmark = [pytest.mark.proxy, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def varnish(demo_answer, live_server, tmp_path, settings):
    """Varnish in front of the live server; the app purges it on publication events. The
    demo answer is published first, so that its bans (the second comes a second later)
    cannot drop what a test has just had Varnish keep."""
    port = int(live_server.url.rsplit(":", 1)[1])
    with running_varnish(port, tmp_path) as url:
        settings.PROXY_PURGE_URLS = [url]
        yield url


@pytest.fixture(params=["en-gb", "es"])
def answer_in(request, demo_answer):
    """The demo answer in English, or its Spanish translation (/es/ask/…): published before
    Varnish starts, as the demo answer is."""
    return demo_answer if request.param == "en-gb" else request.getfixturevalue("spanish_answer")


@pytest.fixture
def app_requests():
    """Each request that reached the app, as "METHOD path", in order."""
    paths = []

    def seen(sender, environ, **kwargs):
        paths.append(f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']}")

    request_started.connect(seen)
    yield paths
    request_started.disconnect(seen)


def get(url, **kwargs):
    return requests.get(url, timeout=5, allow_redirects=False, **kwargs)


def ban(varnish, headers):
    return requests.request("BAN", varnish + "/", headers=headers, timeout=5)


def within_a_second(url, done):
    """The response to `url` once `done(response)`, or the last one after a second."""
    deadline = time.monotonic() + 1
    while True:
        response = get(url)
        if done(response) or time.monotonic() > deadline:
            return response
        time.sleep(0.05)


def test_a_second_visit_is_served_by_varnish_without_asking_the_app(
    varnish, demo_answer, app_requests
):
    url = varnish + demo_answer.get_absolute_url()
    first, second = get(url), get(url)
    assert first.status_code == second.status_code == 200
    assert first.headers["X-Cache"] == "MISS" and second.headers["X-Cache"] == "HIT"
    assert second.text == first.text and demo_answer.question.text in second.text
    assert app_requests.count(f"GET {demo_answer.get_absolute_url()}") == 1
    assert "X-Qasite-Url" not in second.headers  # the ban's bookkeeping stays inside


def test_a_visitors_cookies_do_not_stop_caching_but_a_session_does(
    varnish, demo_answer, app_requests
):
    path = demo_answer.get_absolute_url()
    get(varnish + path)
    kept = get(varnish + path, headers={"Cookie": "csrftoken=abc; consent=yes"})
    assert kept.headers["X-Cache"] == "HIT"
    signed_in = get(varnish + path, headers={"Cookie": "csrftoken=abc; sessionid=xyz"})
    assert signed_in.status_code == 200 and signed_in.headers["X-Cache"] == "PASS"
    assert app_requests.count(f"GET {path}") == 2


def test_an_approved_change_reaches_visitors_through_varnish_within_a_second(
    varnish, demo_answer, editor, reviewer
):
    url = varnish + demo_answer.get_absolute_url()
    get(url)
    assert get(url).headers["X-Cache"] == "HIT"
    demo_answer.short_answer = "A new short answer, approved a moment ago."
    demo_answer._history_user = editor
    demo_answer.save()
    demo_answer.record_edit(editor)
    assert "A new short answer" not in get(url).text  # a draft: patients keep the old text
    publish(demo_answer, editor, reviewer)
    page = within_a_second(url, lambda response: "A new short answer" in response.text)
    assert page.status_code == 200
    assert "A new short answer, approved a moment ago." in page.text


@pytest.fixture
def other_answer(demo_answer, editor, reviewer):
    """A second answer in the demo answer's topic, published before Varnish starts."""
    from delivery.tests.test_surrogate_keys import answer_in

    return answer_in(
        demo_answer.question.topic, "second-oncology-question", "A trial", editor, reviewer
    )


def test_an_approval_purges_the_pages_that_show_the_answer_and_keeps_every_other(
    demo_answer, spanish_answer, other_answer, varnish, editor, reviewer
):
    """By their keys (the `xkey` header, which never leaves Varnish)."""
    shows_it = {
        "answer": demo_answer.get_absolute_url(),
        "its translation": spanish_answer.get_absolute_url(),
        "its topic": demo_answer.question.topic.get_absolute_url(),
        "home": "/",
        "search": "/search/?q=therapy",
    }
    others = {
        "the other answer": other_answer.get_absolute_url(),
        "Spanish home": "/es/",
        "about": "/about/",
        "Spanish search": "/es/search/?q=terapias",
        "a search that does not list it": "/search/?q=xylophone",
    }
    for path in {**shows_it, **others}.values():
        first = get(varnish + path)
        assert first.status_code == 200 and first.headers["X-Cache"] == "MISS", path
        assert "xkey" not in first.headers, path
        assert get(varnish + path).headers["X-Cache"] == "HIT", path
    demo_answer.short_answer = "Not yet, outside trials: approved again."
    demo_answer._history_user = editor
    demo_answer.save()
    demo_answer.record_edit(editor)
    publish(demo_answer, editor, reviewer)
    for name, path in shows_it.items():
        assert get(varnish + path).headers["X-Cache"] == "MISS", name
    # The app's own page cache kept the other answer's page through the approval too: once
    # Varnish drops its copy, the app answers from memory.
    other = others["the other answer"]
    assert requests.request("PURGE", varnish + other, timeout=5).status_code == 200
    refetched = get(varnish + other)
    assert refetched.headers["X-Cache"] == "MISS" and refetched.headers["X-Cache-App"] == "hit"
    for name, path in others.items():
        assert get(varnish + path).headers["X-Cache"] == "HIT", name
    assert "approved again" in get(varnish + shows_it["answer"]).text


def test_a_withdrawn_answer_is_gone_from_varnish_within_a_second(
    answer_in, varnish, demo_answer, reviewer
):
    """In each language; withdrawing a translation leaves its original on the site."""
    url = varnish + answer_in.get_absolute_url()
    original = varnish + demo_answer.get_absolute_url()
    for page in (url, original):
        get(page)
        assert get(page).headers["X-Cache"] == "HIT"
    answer_in.withdraw(reviewer, comment="New safety data: under review again.")
    page = within_a_second(url, lambda response: response.status_code == 404)
    assert page.status_code == 404
    assert answer_in.short_answer not in page.text
    if answer_in != demo_answer:
        stays = get(original)
        assert stays.status_code == 200 and demo_answer.question.text in stays.text


def test_the_admin_a_preview_and_a_post_always_reach_the_app(
    varnish, demo_answer, editor, client, app_requests
):
    client.force_login(editor)
    session = {"Cookie": f"sessionid={client.cookies['sessionid'].value}"}
    for _ in range(2):
        admin = get(varnish + "/admin/", headers=session)
        assert admin.status_code == 200 and admin.headers["X-Cache"] != "HIT"
        assert "Erin" in admin.text
        preview = get(varnish + demo_answer.get_preview_url(), headers=session)
        assert preview.status_code == 200 and preview.headers["X-Cache"] != "HIT"
    assert app_requests.count("GET /admin/") == 2
    assert app_requests.count(f"GET {demo_answer.get_preview_url()}") == 2
    anonymous = get(varnish + "/admin/")
    assert anonymous.status_code == 302 and "Erin" not in anonymous.text
    assert get(varnish + demo_answer.get_preview_url()).status_code == 404
    path = demo_answer.get_absolute_url()
    get(varnish + path)
    posted = requests.post(varnish + path, data={"q": "x"}, timeout=5)
    assert posted.headers["X-Cache"] == "PASS"
    assert app_requests.count(f"POST {path}") == 1


def test_only_the_app_servers_may_ban_or_purge(varnish, demo_answer):
    url = varnish + demo_answer.get_absolute_url()
    get(url)
    # What nginx relays carries X-Forwarded-Proto, although it comes from this host.
    relayed = {"X-Forwarded-Proto": "https"}
    assert ban(varnish, {**relayed, "X-Ban-Url": "^/"}).status_code == 405
    assert requests.request("PURGE", url, headers=relayed, timeout=5).status_code == 405
    by_key = {**relayed, "Xkey-Purge": "all"}
    assert requests.request("PURGE", varnish + "/", headers=by_key, timeout=5).status_code == 405
    assert get(url).headers["X-Cache"] == "HIT"
    assert ban(varnish, {"X-Ban-Url": "^/"}).status_code == 200  # an operator's
    assert get(url).headers["X-Cache"] == "MISS"


class FlakyApp(http.server.BaseHTTPRequestHandler):
    """A page kept 1 s, revalidated for 1 s more, and served stale for 60 s on errors."""

    status = 200
    served = 0

    def do_GET(self):
        type(self).served += 1
        body = f"Page {self.served}".encode()
        self.send_response(self.status)
        if self.status == 200:
            self.send_header("Cache-Control", "public, no-cache")
            self.send_header(
                "Qasite-Cache-Control", "max-age=1, stale-while-revalidate=1, stale-if-error=60"
            )
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_varnish_serves_the_last_page_while_the_app_fails_and_is_down(tmp_path):
    FlakyApp.status, FlakyApp.served = 200, 0
    app = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FlakyApp)
    threading.Thread(target=app.serve_forever, daemon=True).start()
    with running_varnish(app.server_address[1], tmp_path) as varnish:
        first = get(varnish + "/page/")
        assert first.text == "Page 1" and "Qasite-Cache-Control" not in first.headers
        assert first.headers["Cache-Control"] == "public, no-cache"  # as the app sent it
        time.sleep(1.2)  # stale, within stale-while-revalidate: served, refreshed behind
        assert get(varnish + "/page/").text == "Page 1"
        time.sleep(0.2)
        assert get(varnish + "/page/").text == "Page 2"
        FlakyApp.status = 500
        time.sleep(2.2)  # past stale-while-revalidate, within stale-if-error
        stale = get(varnish + "/page/")
        assert stale.status_code == 200 and stale.text == "Page 2"
        assert int(stale.headers["Age"]) >= 2
        FlakyApp.status = 200
        assert get(varnish + "/page/").text != "Page 2"  # a fresh page once the app answers
        time.sleep(2.2)
        app.shutdown()
        app.server_close()
        down = get(varnish + "/page/")
        assert down.status_code == 200 and down.text.startswith("Page ")
        assert get(varnish + "/never-seen/").status_code == 503


def test_a_patient_reports_through_varnish_and_the_answer_page_stays_cached(
    answer_in, varnish, app_requests
):
    """In each language: the report form is under the page's address (/es/ask/…/report/)."""
    path = answer_in.get_absolute_url()
    get(varnish + path)
    answer_page = get(varnish + path)
    assert answer_page.headers["X-Cache"] == "HIT" and "Set-Cookie" not in answer_page.headers
    assert f'href="{path}report/"' in answer_page.text
    form_url = f"{varnish}{path}report/"
    session = requests.Session()
    form = session.get(form_url, timeout=5)
    assert form.status_code == 200 and form.headers["X-Cache"] == "PASS"
    session.get(form_url, timeout=5)  # the form opened again in another tab
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    sent = session.post(
        form_url,
        {"csrfmiddlewaretoken": token, "kind": "broken_link", "text": "Reference 3 is a 404."},
        headers={"Referer": form_url},
        timeout=5,
        allow_redirects=False,
    )
    assert sent.status_code == 302, sent.text[:500]
    thanks = session.get(varnish + sent.headers["Location"], timeout=5)
    assert thanks.status_code == 200 and thanks.headers["X-Cache"] == "PASS"
    assert f'href="{path}"' in thanks.text  # back to the answer, in its language
    assert answer_in.reports.get().text == "Reference 3 is a 404."
    assert get(varnish + path).headers["X-Cache"] == "HIT"  # a report changes no page


def settled(varnish, objects, seconds=3):
    """Varnish's object count once what it did not keep has expired (zero lifetimes go at
    the expiry thread's next pass)."""
    deadline = time.monotonic() + seconds
    while varnish.objects() != objects and time.monotonic() < deadline:
        time.sleep(0.1)
    return varnish.objects()


def test_a_host_not_allowed_is_refused_through_varnish_and_kept_nowhere(varnish, demo_answer):
    for path in public_urls(demo_answer):
        assert get(varnish + path).status_code == 200, path
    objects = settled(varnish, None, seconds=1)
    for path in public_urls(demo_answer):
        for number in range(3):
            refused = get(varnish + path, headers={"Host": f"evil-{number}.attacker.test"})
            assert refused.status_code == 400, path
            assert demo_answer.question.text not in refused.text
    assert settled(varnish, objects) == objects


def test_tracking_parameters_are_one_varnish_object(varnish, demo_answer, app_requests):
    path = demo_answer.get_absolute_url()
    page = get(varnish + path)
    objects = varnish.objects()
    for number in range(500):
        tracked = get(f"{varnish}{path}?utm_source={uuid.uuid4().hex}&gclid={number}")
        assert tracked.headers["X-Cache"] == "HIT" and tracked.text == page.text
    assert varnish.objects() == objects
    assert app_requests.count(f"GET {path}") == 1


def test_a_parameter_a_page_does_not_take_is_redirected_and_kept_nowhere(varnish, demo_answer):
    path = demo_answer.get_absolute_url()
    get(varnish + path)
    objects = varnish.objects()
    for number in range(50):
        moved = get(f"{varnish}{path}?x={number}")
        assert moved.status_code == 301 and moved.headers["Location"] == path
    assert settled(varnish, objects) == objects


def test_a_purge_drops_every_copy_of_a_page(varnish, demo_answer):
    """Four copies: http and https, for clients that take gzip and for those that do not."""
    path = demo_answer.get_absolute_url()
    copies = [
        {**proto, "Accept-Encoding": encoding}
        for proto in ({}, {"X-Forwarded-Proto": "https"})
        for encoding in ("gzip", "identity")
    ]
    for headers in copies:
        get(varnish + path, headers=headers)
        assert get(varnish + path, headers=headers).headers["X-Cache"] == "HIT", headers
    purges = proxy_purge._requests([], [path])
    assert purges and not proxy_purge._send(purges)  # each one confirmed
    for headers in copies:
        assert get(varnish + path, headers=headers).headers["X-Cache"] == "MISS", headers


def test_an_outside_experts_draft_is_never_kept_by_varnish(
    varnish, demo_answer, reviewer, app_requests
):
    from answers import conversation

    link = conversation.share(demo_answer, reviewer, "Dr Ada Outside", days=7)
    path = f"/review/{link.token}/"
    first, second = get(varnish + path), get(varnish + path)
    assert first.status_code == second.status_code == 200
    assert "A draft shared with you" in second.text
    assert second.headers["X-Cache"] != "HIT"
    assert app_requests.count(f"GET {path}") == 2  # each visit asks the app: no copy kept
    conversation.revoke(link, reviewer)
    gone = get(varnish + path)
    assert gone.status_code == 410 and "A draft shared with you" not in gone.text


def test_an_expert_can_send_from_a_page_opened_before_another_through_varnish(
    varnish, demo_answer, reviewer
):
    """Two tabs on the review page: the first one's form still sends (Varnish keeps the
    page's CSRF cookie, as for the report form)."""
    import re as regex

    from answers import conversation
    from answers.models import Comment

    link = conversation.share(demo_answer, reviewer, "Dr Ada Outside", days=7)
    url = f"{varnish}/review/{link.token}/"
    browser = requests.Session()
    first_tab = browser.get(url, timeout=5).text
    browser.get(url, timeout=5)  # a second tab
    token = regex.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', first_tab).group(1)
    sent = browser.post(
        url,
        data={"csrfmiddlewaretoken": token, "op": "comment", "section": "research",
              "quote": "", "body": "Sent from the first tab."},
        headers={"Referer": url}, allow_redirects=False, timeout=5,
    )  # fmt: skip
    assert sent.status_code == 302, sent.status_code
    assert Comment.objects.get().body == "Sent from the first tab."
