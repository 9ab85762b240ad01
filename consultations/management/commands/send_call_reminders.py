import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from consultations.booking.reminders import (
    bookings_of_closed_requests_release,
    call_reminders_send,
)


class Command(BaseCommand):
    help = (
        "Queue the reminder emails of booked calls that are due (24 hours "
        "before, or 2 hours before a call booked less than a day ahead). Run "
        "it every minute, from cron or with --every 60; each reminder goes out "
        "once however often, or however many copies, it runs. Also frees the "
        "booked seats of requests that have closed."
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
            released = bookings_of_closed_requests_release()
            # Counts only: this output ends up in logs.
            self.stdout.write(f"reminders={call_reminders_send()} released={released}")
            if not every:
                return
            time.sleep(every)
            close_old_connections()
