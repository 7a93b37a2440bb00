from django.apps import AppConfig


class AnswerPageConfig(AppConfig):
    name = "answerpage"
