from django.apps import AppConfig


class AnswersConfig(AppConfig):
    """The editorial domain: topics, questions, answers, their workflow and what went live."""

    name = "answers"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from answers import checks  # noqa: F401 (registers the system checks)
