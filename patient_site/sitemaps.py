"""The sitemap: an index (/sitemap.xml) of sections, each split into pages of at most
`limit` addresses. The protocol allows 50,000 a file, but Django renders about 6,000 a
second: a page of 10,000 took 1.7 s at 100,000 answers, one of 2,000 about 0.35 s.

Every language's answers and topics are listed, each at its own address (/ask/<slug>/,
/es/ask/<slug>/). An entry whose translation group has more than one page on the site
carries each of them (itself included) as `<xhtml:link rel="alternate" hreflang=…>`, and
the default language's page as x-default: Django's sitemap template writes a url's
`alternates`. A page of entries reads its groups' members in one query. A page in one
language only has no alternates: hreflang names other versions of a page, and 100,000
answers without translations would each carry two lines saying nothing."""

import re
from collections import defaultdict

from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import sitemap
from django.db.models import Max, Q
from django.http import Http404
from django.urls import reverse

from answers import languages
from answers.models import Answer, Question, Topic
from answers.publication import language_list_key, topic_list_key
from delivery.pages import built_from


def _original_id(record):
    """The id of `record`'s translation group: its original's."""
    return record.translation_of_id or record.pk


def _in_language_order(record):
    codes = languages.codes()
    return codes.index(record.language) if record.language in codes else len(codes)


def hreflang_links(members, origin):
    """The alternates of a page whose translation group has `members` on the site (records
    with a language and an address), as Django's sitemap template reads them: hreflang in
    BCP 47 case (en-GB), absolute addresses, and x-default for the default language's."""
    if len(members) < 2:
        return []
    links = []
    default = None
    for member in sorted(members, key=_in_language_order):
        location = origin + member.get_absolute_url()
        links.append({"lang_code": languages.tag(member.language), "location": location})
        if languages.is_default(member.language):
            default = location
    if default:
        links.append({"lang_code": "x-default", "location": default})
    return links


class TranslatedSitemap(Sitemap):
    """Records in every language, each listed with its translation group's live pages as
    alternates. `record(item)` is the item's translatable record; `group_members(ids)` the
    records on the site of the groups whose originals have those ids, in one query."""

    def record(self, item):
        return item

    def group_members(self, original_ids):
        raise NotImplementedError

    def get_urls(self, page=1, site=None, protocol=None):
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        origin = f"{self.get_protocol(protocol)}://{self.get_domain(site)}"
        records = [self.record(url["item"]) for url in urls]
        groups = defaultdict(list)
        for member in self.group_members({_original_id(record) for record in records}):
            groups[_original_id(member)].append(member)
        for url, record in zip(urls, records, strict=True):
            url["alternates"] = hreflang_links(groups[_original_id(record)], origin)
        return urls


# What an entry needs of a question: its address (slug and language) and its group.
QUESTION_FIELDS = ("question__slug", "question__language", "question__translation_of_id")


class AnswerSitemap(TranslatedSitemap):
    changefreq = "monthly"
    priority = 0.8
    limit = 2_000

    def items(self):
        # Only what a <url> needs: the frozen pages are large.
        return (
            Answer.objects.published()
            .select_related("live_version", "question")
            .only(*QUESTION_FIELDS, "live_version__approved_at")
            .order_by("pk")
        )

    def record(self, answer):
        return answer.question

    def group_members(self, original_ids):
        members = (
            Answer.objects.published()
            .filter(  # the groups' questions first: an OR across the join scans every answer
                question__in=Question.objects.filter(
                    Q(pk__in=original_ids) | Q(translation_of_id__in=original_ids)
                ).values("pk")
            )
            .select_related("question")
            .only(*QUESTION_FIELDS)
        )
        return [answer.question for answer in members]

    def lastmod(self, answer):
        return answer.live_version.approved_at

    def get_latest_lastmod(self):
        # One aggregate: Django's default reads every item to find the latest.
        latest = Answer.objects.published().aggregate(latest=Max("live_version__approved_at"))
        return latest["latest"]


class TopicSitemap(TranslatedSitemap):
    changefreq = "weekly"
    priority = 0.5
    limit = 2_000

    def items(self):
        return (
            Topic.objects.with_published_answers()
            .only("slug", "language", "translation_of_id")
            .order_by("name", "language")
        )

    def group_members(self, original_ids):
        return (
            Topic.objects.with_published_answers()
            .filter(Q(pk__in=original_ids) | Q(translation_of_id__in=original_ids))
            .only("slug", "language", "translation_of_id")
        )


class PageSitemap(Sitemap):
    """The home and about pages in every language the site publishes in, each with the
    others as alternates (Django's own i18n sitemap: the same page in each language)."""

    priority = 0.3
    i18n = True
    alternates = True
    x_default = True

    def items(self):
        return ["public:home", "public:about"]

    def location(self, name):
        return reverse(name)

    def get_urls(self, page=1, site=None, protocol=None):
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        for url in urls:  # hreflang in BCP 47 case, as the pages write it (en-GB)
            for alternate in url["alternates"]:
                if alternate["lang_code"] != "x-default":
                    alternate["lang_code"] = languages.tag(alternate["lang_code"])
        return urls


SITEMAPS = {"answers": AnswerSitemap, "topics": TopicSitemap, "pages": PageSitemap}


ONE_PAGE = re.compile(r"(p=[1-9][0-9]{0,5})?")


def sitemap_keys(request):
    """What the sitemap's index shows: every language's answers (their latest approval, and
    how many pages list them) and topics (how many pages list them)."""
    return [*section_keys("answers"), *section_keys("topics")]


def section_keys(section):
    """What a section lists, in every language: answers, topics, or (pages) nothing that
    changes."""
    key = {"answers": language_list_key, "topics": topic_list_key}.get(section)
    return [key(code) for code in languages.codes()] if key else []


def sitemap_page(request, sitemaps, section):
    """A section's page, asked for as the index lists it (`?p=N`) and in no other spelling:
    each would be one more 2,000-address render to keep."""
    if not ONE_PAGE.fullmatch(request.META.get("QUERY_STRING", "")):
        raise Http404
    built_from(request, *section_keys(section))
    return sitemap(request, sitemaps, section=section)
