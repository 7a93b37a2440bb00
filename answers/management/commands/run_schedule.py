import time

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, close_old_connections

from answers import schedule


class Command(BaseCommand):
    help = (
        "Put live the approved answers whose go-live time has come, and take down those "
        "whose expiry time has. Run every minute from cron, or keep it running with --every "
        "(as `make run` does beside the development server)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--every",
            type=int,
            metavar="SECONDS",
            help="Keep running, taking the due steps every SECONDS seconds, until stopped. "
            "Without it, take them once and stop.",
        )

    def handle(self, *args, every=None, **options):
        if every is None:
            went_live, expired = self.run_once()
            self.say(f"{len(went_live)} went live, {len(expired)} expired.")
            return
        if every < 1:
            raise CommandError("--every takes a number of seconds, at least 1.")
        self.say(f"Taking scheduled go-live and expiry steps every {every} s until stopped.")
        try:
            while True:
                try:
                    self.run_once()
                except DatabaseError as error:  # the database restarting, say: next round
                    self.stderr.write(f"The schedule could not run: {error}".strip())
                finally:
                    close_old_connections()  # a connection dropped meanwhile is not reused
                time.sleep(every)
        except KeyboardInterrupt:
            self.say("Stopped.")

    def run_once(self):
        went_live, expired = schedule.run()
        for answer in went_live:
            self.say(f"live     {answer.question.text}")
        for answer in expired:
            self.say(f"expired  {answer.question.text}")
        return went_live, expired

    def say(self, line):
        self.stdout.write(line)
        self.stdout.flush()  # at once, even into a pipe or a log
