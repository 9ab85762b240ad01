import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from consultations.services.alerts import urgent_requests_realert


class Command(BaseCommand):
    help = (
        "Re-send urgent requests nobody has acknowledged to the on-call list "
        "(after URGENT_ACK_MINUTES), then to CLINIC_ESCALATION_EMAIL (after "
        "URGENT_ESCALATION_MINUTES more). Run it every minute, from cron or "
        "with --every 60; each alert goes out once however often, or however "
        "many copies, it runs."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--every",
            type=int,
            default=0,
            metavar="SECONDS",
            help="Keep running, checking every SECONDS (0: check once and exit).",
        )

    def handle(self, *args, every, **options):
        if every < 0:
            raise CommandError("--every must be 0 or more.")
        while True:
            result = urgent_requests_realert()
            # Counts only: this output ends up in logs.
            self.stdout.write(
                f"reminders={result.reminders} escalations={result.escalations}"
            )
            if not every:
                return
            time.sleep(every)
            # A long-running loop has no request cycle to recycle its connection.
            close_old_connections()
