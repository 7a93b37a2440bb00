"""Migration 0005 fills what the sources already stored give (issue 25)."""

import importlib

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from citations.models import Source

pytestmark = pytest.mark.django_db

migration = importlib.import_module("citations.migrations.0005_source_reference_types")


def test_stored_sources_get_written_out_pages_and_a_journal_abbreviation():
    lancet = Source.objects.create(
        title="Known", container_title="The Lancet", journal_abbreviation="Lancet", year=2023
    )
    typed = Source.objects.create(
        title="Typed", container_title="The Lancet", year=2023, volume="402"
    )
    iso = Source.objects.create(title="Other", container_title="Nature medicine", year=2020)
    book = Source.objects.create(kind="book", title="Book", container_title="", year=2020)
    # As an earlier qasite stored them: short page ranges, no abbreviation read.
    Source.objects.filter(pk__in=[typed.pk, iso.pk]).update(
        journal_abbreviation="", pages="2034-44", formatted="old"
    )
    # The models as the migration sees them (its historical state), not today's.
    state = MigrationLoader(connection).project_state(("citations", "0005_source_reference_types"))
    migration.fill_from_the_library(state.apps, None)
    typed.refresh_from_db(), iso.refresh_from_db(), lancet.refresh_from_db(), book.refresh_from_db()
    assert (typed.journal_abbreviation, typed.pages) == ("Lancet", "2034-2044")
    assert iso.journal_abbreviation == "Nat Med"  # ISO 4: no other source of the journal
    assert book.journal_abbreviation == ""
    assert typed.formatted == "Typed. <i>Lancet</i>. 2023;402:2034-2044."


def test_a_live_answer_keeps_the_references_it_was_approved_with(demo_answer):
    approved = [reference["html"] for reference in demo_answer.live_version.references]
    # As an earlier qasite stored the Lancet review: its range short, its text to match.
    Source.objects.filter(pmid="37748491").update(pages="2034-44", formatted="old text")
    state = MigrationLoader(connection).project_state(("citations", "0005_source_reference_types"))
    migration.fill_from_the_library(state.apps, None)
    demo_answer.refresh_from_db()
    assert Source.objects.get(pmid="37748491").pages == "2034-2044"
    assert [r["html"] for r in demo_answer.live_version.references] == approved
    assert demo_answer.status == demo_answer.Status.PUBLISHED
