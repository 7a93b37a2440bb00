from django.core.management.base import BaseCommand, CommandError

from answers.models import Answer
from citations.importers.kept import fill_missing, reread
from citations.lookups import LookupFailed, lookup_doi, lookup_pmids
from citations.models import Source

# PubMed's efetch takes a few hundred PMIDs in one request.
PMID_BATCH = 200


class Command(BaseCommand):
    help = (
        "Fill in what each source's reference lacks (full date, online-first date, "
        "publisher, editors, edition, conference, accessed date, journal abbreviation) from "
        "its kept import, read again, or else from Crossref by DOI or PubMed by PMID. Only "
        "empty fields are filled: nothing an editor wrote changes. An answer whose reference "
        "now reads differently is recorded as edited, as after an editor's change to the "
        "source: patients keep reading what was approved until a reviewer approves the new "
        "text, and the approval shows the difference. Exits with status 1 when a lookup "
        "failed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would be filled; save nothing."
        )
        parser.add_argument(
            "--offline", action="store_true", help="Read kept imports only; ask no service."
        )

    def handle(self, *args, dry_run=False, offline=False, **options):
        self.dry_run, completed, failed = dry_run, 0, 0
        by_pmid = {}
        for source in Source.objects.order_by("pk").iterator(chunk_size=500):
            found = reread(source.imported_record)
            if found is None and not offline and source.doi:
                try:
                    found = lookup_doi(source.doi)
                except LookupFailed as error:
                    failed += 1
                    self.stderr.write(f"Not completed: {source}: {error}")
                    continue
            elif found is None and not offline and source.pmid:
                by_pmid[source.pmid] = source
                if len(by_pmid) == PMID_BATCH:
                    done, lost = self.complete_from_pubmed(by_pmid)
                    completed, failed, by_pmid = completed + done, failed + lost, {}
                continue
            if found is not None:
                completed += self.complete(source, found, "its kept import or Crossref")
        if by_pmid:
            done, lost = self.complete_from_pubmed(by_pmid)
            completed, failed = completed + done, failed + lost
        verb = "would be completed" if dry_run else "completed"
        self.stdout.write(f"{completed} sources {verb}; {failed} could not be looked up.")
        if failed:
            raise CommandError(f"{failed} lookups failed: run complete_sources again later.")

    def complete_from_pubmed(self, by_pmid):
        try:
            records = lookup_pmids(list(by_pmid))
        except LookupFailed as error:
            self.stderr.write(f"Not completed: {len(by_pmid)} sources by PMID: {error}")
            return 0, len(by_pmid)
        done = sum(self.complete(by_pmid[r["pmid"]], r, "PubMed") for r in records)
        return done, 0

    def complete(self, source, found, where):
        kept_before = bool(source.imported_record)
        filled = fill_missing(source, found)
        if not filled and kept_before == bool(source.imported_record):
            return 0
        if filled:
            self.stdout.write(f"{source}: {', '.join(filled)}")
        if not self.dry_run:
            source._change_reason = f"complete_sources: filled from {where}"
            source.save()
            if filled:
                Answer.objects.sharing(source).record_shared_edit(
                    None, f"Its reference to “{source}” was completed from {where}."
                )
        return 1 if filled else 0
