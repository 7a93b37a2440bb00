from django.apps import AppConfig


class AnswersConfig(AppConfig):
    name = "answers"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from answers import my_work, page_signals  # noqa: F401 (connects the receivers)

        my_work.connect()
