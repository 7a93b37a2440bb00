from django.apps import AppConfig


class DeskConfig(AppConfig):
    """The staff side: the admin's screens, My work, notifications, the review queue."""

    name = "desk"
    verbose_name = "Editorial desk"

    def ready(self):
        from desk import my_work, notifications  # noqa: F401 (subscribes to the domain's signals)

        my_work.connect()
