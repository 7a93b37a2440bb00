"""The sitemap: an index (/sitemap.xml) of sections, each split into pages of at most
`limit` addresses. The protocol allows 50,000 a file, but Django renders about 6,000 a
second: a page of 10,000 took 1.7 s at 100,000 answers, one of 2,000 about 0.35 s."""

import re

from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import sitemap
from django.db.models import Max
from django.http import Http404
from django.urls import reverse

from answers.models import Answer, Topic


class AnswerSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.8
    limit = 2_000

    def items(self):
        # Only what a <url> needs: the frozen pages are large.
        return (
            Answer.objects.published()
            .select_related("live_version", "question")
            .only("question__slug", "live_version__approved_at")
            .order_by("pk")
        )

    def lastmod(self, answer):
        return answer.live_version.approved_at

    def get_latest_lastmod(self):
        # One aggregate: Django's default reads every item to find the latest.
        latest = Answer.objects.published().aggregate(latest=Max("live_version__approved_at"))
        return latest["latest"]


class TopicSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.5
    limit = 2_000

    def items(self):
        return Topic.objects.with_published_answers().only("slug").order_by("name")


class PageSitemap(Sitemap):
    priority = 0.3

    def items(self):
        return ["public:home", "public:about"]

    def location(self, name):
        return reverse(name)


SITEMAPS = {"answers": AnswerSitemap, "topics": TopicSitemap, "pages": PageSitemap}


ONE_PAGE = re.compile(r"(p=[1-9][0-9]{0,5})?")


def sitemap_page(request, sitemaps, section):
    """A section's page, asked for as the index lists it (`?p=N`) and in no other spelling:
    each would be one more 2,000-address render to keep."""
    if not ONE_PAGE.fullmatch(request.META.get("QUERY_STRING", "")):
        raise Http404
    return sitemap(request, sitemaps, section=section)
