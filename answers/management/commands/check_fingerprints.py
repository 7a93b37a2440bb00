from django.core.management.base import BaseCommand
from django.urls import reverse

from answers.models import Answer


class Command(BaseCommand):
    help = (
        "Recompute the fingerprint of every live version from what it froze, and compare it "
        "with the one recorded at approval. Exits with status 1 on any mismatch: content "
        "patients read changed without an approval."
    )

    def handle(self, *args, **options):
        answers = Answer.objects.published().select_related("live_version")
        checked = mismatched = 0
        for answer in answers.iterator():
            version = answer.live_version
            checked += 1
            if version.content_fingerprint() != version.fingerprint:
                mismatched += 1
                url = reverse("admin:answers_publishedversion_change", args=[version.pk])
                self.stdout.write(f"MISMATCH  {version.question_text}  ({url})")
        self.stdout.write(f"{checked} live versions checked, {mismatched} mismatched.")
        if mismatched:
            raise SystemExit(1)
