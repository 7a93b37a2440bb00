from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import index
from django.urls import include, path

from delivery.pages import public_page
from desk.demo_accounts import LoginForm
from desk.urls import keep_typing_urlpatterns
from desk.views import markdown_preview
from patient_site.sitemaps import SITEMAPS, sitemap_keys, sitemap_page
from patient_site.views import favicon, robots_txt

admin.site.site_header = "qasite editorial admin"
admin.site.site_title = "qasite admin"
admin.site.index_title = "Questions, answers and references"
# Says on the form why a demo account's public password is refused (DEBUG off).
admin.site.login_form = LoginForm

# django-markdownx's own URLs are not included: its preview endpoint is public and does
# not sanitize, and its image upload is switched off. The preview answers staff only.
urlpatterns = [
    path("admin/markdown-preview/", markdown_preview, name="markdown-preview"),
    path("admin/keep-typing/", include((keep_typing_urlpatterns, "keep_typing"))),
    path("admin/", admin.site.urls),
    path(
        "sitemap.xml",
        public_page(index, keys=sitemap_keys),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        public_page(sitemap_page, params=("p",)),
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    path("robots.txt", robots_txt, name="robots"),
    # Browsers and crawlers that ask for /favicon.ico (the pages link the SVG) get it too.
    path("favicon.ico", favicon),
    path("", include("desk.urls")),
]
# What patients read, in each language: the default language's pages keep their addresses
# without a prefix, every other language's are under /<code>/ (/es/ask/<slug>/). The
# language comes from the address alone (delivery.middleware.PathLanguage).
urlpatterns += i18n_patterns(
    path("", include("reports.urls")),
    path("", include("patient_site.urls")),
    prefix_default_language=False,
)
