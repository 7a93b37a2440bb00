from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    """How public pages reach patients, fast and never once taken down: the page cache, the
    WSGI front, kept answer pages, proxy purges, replica routing."""

    name = "delivery"

    def ready(self):
        from delivery import receivers  # noqa: F401 (subscribes to the domain's signals)
