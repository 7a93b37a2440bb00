"""Fixtures for the tests of delivery/ that need more than the root conftest's."""

import pytest


@pytest.fixture(scope="session")
def sites_cluster():
    """A PostgreSQL cluster of the tests' own with the template site (delivery/tests/sites.py),
    made once for every test that asks for it."""
    from delivery.tests.sites import template_cluster

    with template_cluster() as cluster:
        yield cluster
