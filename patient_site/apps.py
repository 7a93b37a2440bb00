from django.apps import AppConfig


class PublicConfig(AppConfig):
    """What patients read: the pages, search, the sitemap, the feed."""

    name = "patient_site"
