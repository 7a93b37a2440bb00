from django.core.management.base import BaseCommand
from django.urls import reverse
from django.utils import timezone

from answers.models import Answer
from answers.progress import progress
from citations.lookups import LookupFailed, retraction_of
from citations.models import Source

CHUNK = 1000


class Command(BaseCommand):
    help = (
        "Ask Crossref for update notices (retractions, expressions of concern, corrections) "
        "of every DOI in the library, mark the sources, and list the published answers that "
        "cite a flagged source. Exits with status 1 when any published answer does, or when "
        "a DOI could not be checked: a monitor must hear of a check that did not happen."
    )

    def handle(self, *args, **options):
        checked = failed = 0
        started = timezone.now()
        sources = Source.objects.exclude(doi="").order_by("pk")
        total = sources.count()
        for source in progress(sources.iterator(CHUNK), total, "Asking Crossref", self.stderr):
            try:
                found = retraction_of(source.doi)
            except LookupFailed as error:
                failed += 1
                self.stderr.write(f"Not checked: {source.doi}: {error}")
                continue
            checked += 1
            status = found.get("retraction_status", Source.Retraction.NONE)
            notice = found.get("retraction_notice_url", "")
            changed = (status, notice) != (source.retraction_status, source.retraction_notice_url)
            if changed and status:  # a status set by hand is never cleared from here
                source.retraction_status, source.retraction_notice_url = status, notice
                source._change_reason = "check_retractions: Crossref update notice"
                source.save()
                self.stdout.write(f"{source.get_retraction_status_display()}: {source}")
            # Bookkeeping, not an editorial change: no revision for "checked again".
            Source.objects.filter(pk=source.pk).update(retraction_checked_at=started)
        affected = (
            Answer.objects.citing_flagged_sources()
            .select_related("question")
            .only("pk", "question__text")
            .order_by("pk")
        )
        for answer in affected.iterator(CHUNK):
            url = reverse("admin:answers_answer_change", args=[answer.pk])
            self.stdout.write(f"NEEDS REVIEW: {answer} ({url})")
        self.stdout.write(
            f"{checked} DOIs checked, {failed} not reachable; "
            f"{affected.count()} published answers cite a retracted or concerning source."
        )
        if failed:
            self.stderr.write(
                f"{failed} of {checked + failed} DOIs could not be checked, so a retraction may "
                "have been missed. Run check_retractions again later."
            )
        if affected or failed:
            raise SystemExit(1)
