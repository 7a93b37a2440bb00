from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from answers.models import Answer, Topic


class AnswerSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.8

    def items(self):
        return Answer.objects.published().select_related("live_version", "question").order_by("pk")

    def lastmod(self, answer):
        return answer.live_version.approved_at


class TopicSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.5

    def items(self):
        return Topic.objects.with_published_answers().order_by("name")


class PageSitemap(Sitemap):
    priority = 0.3

    def items(self):
        return ["answers:home", "answers:about"]

    def location(self, name):
        return reverse(name)


SITEMAPS = {"answers": AnswerSitemap, "topics": TopicSitemap, "pages": PageSitemap}
