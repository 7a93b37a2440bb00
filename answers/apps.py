from django.apps import AppConfig


class AnswersConfig(AppConfig):
    name = "answers"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from answers import checks, my_work, page_signals  # noqa: F401 (registers, connects)

        my_work.connect()
