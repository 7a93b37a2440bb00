from django.contrib import admin
from django.urls import include, path

from answers.views import markdown_preview

admin.site.site_header = "qasite editorial admin"
admin.site.site_title = "qasite admin"
admin.site.index_title = "Questions, answers and references"

# django-markdownx's own URLs are not included: its preview endpoint is public and does
# not sanitize, and its image upload is switched off. The preview answers staff only.
urlpatterns = [
    path("admin/markdown-preview/", markdown_preview, name="markdown-preview"),
    path("admin/", admin.site.urls),
    path("", include("answers.urls")),
]
