from django.core.management.base import BaseCommand

from answers import schedule


class Command(BaseCommand):
    help = (
        "Put live the approved answers whose go-live time has come, and take down those "
        "whose expiry time has. Run every minute from cron."
    )

    def handle(self, *args, **options):
        went_live, expired = schedule.run()
        for answer in went_live:
            self.stdout.write(f"live     {answer.question.text}")
        for answer in expired:
            self.stdout.write(f"expired  {answer.question.text}")
        self.stdout.write(f"{len(went_live)} went live, {len(expired)} expired.")
