"""Fixtures for the tests of delivery/ that need more than the root conftest's."""

import pytest


@pytest.fixture(scope="session")
def sites_cluster():
    """A PostgreSQL cluster of the tests' own with the template site (delivery/tests/sites.py),
    made once for every test that asks for it."""
    from delivery.tests.sites import template_cluster

    with template_cluster() as cluster:
        yield cluster


@pytest.fixture
def spanish_answer(demo_answer, editor, reviewer):
    """The demo answer's Spanish translation, on the site (delivery/tests/translations.py)."""
    from delivery.tests.translations import translate

    return translate(demo_answer, editor, reviewer)
