"""Fixtures shared by every test: named users and the demo answer."""

import pytest
from django.conf import settings


def pytest_configure(config):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


PASSWORD = "correct-horse-battery"


@pytest.fixture
def editor(django_user_model):
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user(
        "erin", password=PASSWORD, first_name="Erin", last_name="Editor", is_staff=True
    )
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label__in=["answers", "citations"])
    )
    return user


@pytest.fixture
def reviewer(django_user_model):
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user(
        "robin", password=PASSWORD, first_name="Robin", last_name="Reviewer", is_staff=True
    )
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label__in=["answers", "citations"])
    )
    return user


@pytest.fixture
def visitor(django_user_model):
    """A signed-in user who is not staff (e.g. an account from another part of the site)."""
    return django_user_model.objects.create_user("vic", password=PASSWORD)


@pytest.fixture
def demo_answer(db):
    from answers.demo_content import load_answer_file

    answer, _ = load_answer_file()
    return answer
