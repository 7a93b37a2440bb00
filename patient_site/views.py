import hashlib
import json
import re

from django.core.paginator import InvalidPage, Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.html import escape
from django.utils.http import quote_etag
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from answers import languages, translation
from answers.models import Answer, SitePolicy, Topic
from answers.policies import DEFAULTS
from answers.publication import (
    answer_key,
    group_key,
    language_list_key,
    listing_key,
    policy_key,
    search_key,
    source_key,
    topic_key,
    topic_list_key,
)
from answers.rendering import render_markdown
from answers.search import SNIPPET_START, SNIPPET_STOP, SearchRefused, refusable
from citations.characters import strip_unprintable
from citations.models import Source
from delivery import stored_pages
from delivery.pages import built_from, proxy_cacheable, public_page


@require_safe
@public_page
def home(request):
    language = get_language()
    built_from(request, language_list_key(language), topic_list_key(language))
    recent = Answer.objects.recently_reviewed().in_language(language)[:8]
    topics = Topic.objects.filter(language=language).with_published_answers().order_by("name")
    return render(request, "answers/home.html", {"recent": recent, "topics": topics})


TOPIC_PAGE_SIZE = 50
ONE_PAGE_NUMBER = re.compile(r"(page=[1-9][0-9]{0,5})?")


@require_safe
@public_page(params=("page",))
def topic_detail(request, slug):
    # ?page=N, spelled one way: each other spelling would be one more page to keep.
    if not ONE_PAGE_NUMBER.fullmatch(request.META.get("QUERY_STRING", "")):
        raise Http404
    topic = get_object_or_404(Topic, slug=slug, language=get_language())
    # What it lists, and its own and its translations' names and addresses (the language
    # switcher), which move too when a topic comes onto the site or leaves it.
    members = topic_group(topic).values_list("pk", flat=True)
    built_from(request, listing_key(topic.pk), *map(topic_key, members))
    answers = (
        Answer.objects.for_listing()
        .filter(question__topic=topic)
        .order_by("live_version__question_text", "pk")
    )
    number = request.GET.get("page", "1")
    try:
        page = Paginator(answers, TOPIC_PAGE_SIZE, allow_empty_first_page=True).page(number)
    except InvalidPage:
        raise Http404 from None
    return render(
        request,
        "answers/topic_detail.html",
        {
            "topic": topic,
            "answers": page.object_list,
            "page_obj": page,
            "translations": topic_translations(topic),
        },
    )


def topic_translations(topic):
    """{language: address} of `topic` and its translations that patients can browse (with
    a published answer): where the language switcher takes a topic page's reader."""
    return {
        member.language: member.get_absolute_url()
        for member in topic_group(topic).with_published_answers()
    }


def topic_group(topic):
    """`topic`, its original and the original's translations."""
    original = topic.group_original()
    return Topic.objects.filter(Q(pk=original.pk) | Q(translation_of=original))


def highlighted(snippet):
    """A search snippet as safe HTML: all of it escaped, then the matches marked."""
    return mark_safe(
        escape(snippet).replace(SNIPPET_START, "<mark>").replace(SNIPPET_STOP, "</mark>")
    )


@require_safe
@proxy_cacheable
def search(request):
    # A control character can reach no page, and PostgreSQL refuses NUL: drop them.
    query = " ".join(strip_unprintable(request.GET.get("q", "")).split())[:200]
    results, refused = [], False
    # What it can find (and the topics it offers when it finds nothing), and each answer it
    # lists (below).
    built_from(request, search_key(get_language()), topic_list_key(get_language()))
    if query:
        try:
            with refusable(query, using=Answer.objects.db):
                results = list(Answer.objects.search(query, language=get_language()))
        except SearchRefused:
            refused = True
    for answer in results:
        answer.snippet_html = highlighted(answer.snippet)
    built_from(request, *(answer_key(answer.pk) for answer in results))
    topics = (
        []
        if results
        else Topic.objects.filter(language=get_language()).with_published_answers().order_by("name")
    )
    return render(
        request,
        "answers/search.html",
        {"query": query, "results": results, "refused": refused, "topics": topics},
    )


@require_safe
@public_page
def policy(request, kind):
    """Ownership and funding, the editorial policy, conflicts of interest: as the site's
    managers keep them in the admin (with history)."""
    if kind not in DEFAULTS:
        raise Http404
    built_from(request, policy_key(kind))
    # Made by a migration, and edited in the admin; a GET writes nothing (it may read a
    # replica), so one deleted shows its default text until it is saved again.
    policy = SitePolicy.objects.filter(kind=kind).first() or SitePolicy(
        kind=kind, body=DEFAULTS[kind]
    )
    # The policies are written in the default language only: another language's page
    # says so, and marks their text as in that language.
    written_in = None if languages.is_default(get_language()) else languages.default()
    return render(
        request,
        "answers/policy.html",
        {"policy": policy, "body_html": render_markdown(policy.body), "written_in": written_in},
    )


@require_safe
@public_page
def about(request):
    return render(request, "answers/about.html")


def live_notices(source_ids):
    """{source id: source} for the cited sources retracted or under concern *now*: a safety
    notice reaches patients at once, without waiting for the next approval."""
    if not source_ids:
        return {}
    return {
        source.pk: source
        for source in Source.objects.filter(
            pk__in=source_ids, retraction_status__in=Source.FLAGGED
        ).only("pk", "retraction_status", "retraction_notice_url", "updated_at")
    }


def with_notices(references, notices=None):
    """The reference list with each reference's live notice (see `live_notices`)."""
    if notices is None:
        notices = live_notices([ref.get("source_id") for ref in references])
    return [{**ref, "notice": notices.get(ref.get("source_id"))} for ref in references]


def json_ld(data):
    """JSON for a <script type="application/ld+json"> block: "<" can never close it."""
    text = json.dumps(data, ensure_ascii=False, indent=1)
    return mark_safe(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def _etag(version_pk, next_review_due, notices, in_languages=()):
    """The ETag of an answer page, from a few columns, the notices, the languages it is on
    the site in (and its original's update, on a translation) and the release: it changes
    with everything the page shows."""
    flagged = sorted(
        (pk, source.retraction_status, source.retraction_notice_url)
        for pk, source in notices.items()
    )
    # The page also changes by itself on the day its review falls overdue.
    overdue = bool(next_review_due) and next_review_due < timezone.localdate()
    state = (version_pk, next_review_due, overdue, flagged, in_languages, stored_pages.release())
    digest = hashlib.sha256(repr(state).encode()).hexdigest()[:16]
    return quote_etag(f"{version_pk}-{digest}")


def _is_conditional(request):
    return "HTTP_IF_NONE_MATCH" in request.META


@require_safe
@public_page
def answer_detail(request, slug):
    """The approved version of an answer, exactly as the reviewer approved it.

    Served from the page cache when it can be (no query). Otherwise one query: the live
    version's page as it was kept rendered (delivery/stored_pages.py), or only its validators
    for a conditional request, so that a 304 never reads the page. A page not kept yet, or
    out of date, is rendered in two queries whatever the number of citations (the answer
    with its frozen version, then any live retraction notices) and kept."""
    language = get_language()
    stored = stored_pages.find(slug, language, with_page=not _is_conditional(request))
    if stored is None:
        raise Http404
    built_from(
        request,
        *answer_page_keys(stored.answer_id, stored.original_id, stored.topic_id, stored.source_ids),
    )
    page_key = stored_pages.key(request, stored)
    if stored.key == page_key:
        response = get_conditional_response(request, etag=stored.etag)
        if response is not None:
            return response
        if not stored.html:  # a conditional request whose copy is out of date
            stored = stored_pages.find(slug, language)
        response = HttpResponse(stored.html)
        etag = stored.etag
    else:
        response, etag = _render_answer_page(request, slug)
        stored_pages.store(stored.version_id, page_key, response.content.decode(), etag)
        conditional = get_conditional_response(request, etag=etag)
        if conditional is not None:
            response = conditional
    response["ETag"] = etag
    return response


def answer_page_keys(answer_id, original_id, topic_id, source_ids):
    """What an answer's page shows besides what its version froze: the version itself, its
    translation group's pages, its topic's name and address, its sources' notices."""
    return [
        answer_key(answer_id),
        group_key(original_id),
        topic_key(topic_id),
        *(source_key(source_id) for source_id in source_ids),
    ]


def page_alternates(pairs, url, request):
    """[{code, tag, name, direction, url, current, is_default}] for hreflang links (the
    default language's is also x-default) and the language switcher: absolute addresses, as
    hreflang wants them."""
    return [
        {
            "code": code,
            "tag": languages.tag(code),
            "name": languages.name(code),
            "direction": languages.direction(code),
            "url": request.build_absolute_uri(path),
            "current": request.build_absolute_uri(path) == url,
            "is_default": languages.is_default(code),
        }
        for code, path in pairs
    ]


def _render_answer_page(request, slug):
    answer = get_object_or_404(
        Answer.objects.for_public_page(), question__slug=slug, question__language=get_language()
    )
    page = answer.live_version
    question = answer.question
    original_id = question.translation_of_id or question.pk
    built_from(
        request, *answer_page_keys(answer.pk, original_id, question.topic_id, page.source_ids)
    )
    notices = live_notices(page.source_ids)
    alternates = translation.alternates(answer.question)
    original_update = translation.original_update(page)
    etag = _etag(page.pk, page.next_review_due, notices, (alternates, original_update))
    url = request.build_absolute_uri(answer.get_absolute_url())
    original = answer.question.translation_of  # read with the answer: no query of its own
    original_url = request.build_absolute_uri(original.get_absolute_url()) if original else None
    response = render(
        request,
        "answers/answer_detail.html",
        {
            "page": page,
            "topic": answer.question.topic,
            "references": with_notices(page.references, notices),
            "canonical_url": url,
            "structured_data": json_ld(page.structured_data(url, original_url)),
            "report_url": reverse("reports:report", args=[slug]),
            # The same answer in the other languages it is published in, and (on a
            # translation) the original's approval since the version it follows.
            "alternates": page_alternates(alternates, url, request),
            "original_update": original_update,
        },
    )
    return response, etag


@require_safe
def favicon(request):
    """The icon the pages link (favicon.svg), for what asks for /favicon.ico instead."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))


@require_safe
@public_page
def robots_txt(request):
    sitemap = request.build_absolute_uri(reverse("sitemap"))
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /ask/*/preview/",
        "Disallow: /search/",
        # Each language's search page too (/es/search/).
        *(
            f"Disallow: /{code}/search/"
            for code in languages.codes()
            if not languages.is_default(code)
        ),
        f"Sitemap: {sitemap}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
