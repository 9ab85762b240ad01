from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from consultations.retention import personal_data_purge


class Command(BaseCommand):
    help = (
        "Erase the personal fields of closed consultation requests (and their "
        "history) older than --days, delete notified waitlist entries as old, "
        "and delete delivered-mail and login-attempt logs older than 30 days. "
        "Run it daily; a second run changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=settings.PERSONAL_DATA_RETENTION_DAYS,
            help="Retention in days (default: PERSONAL_DATA_RETENTION_DAYS, %(default)s).",
        )

    def handle(self, *args, days, **options):
        if days < 1:
            raise CommandError("--days must be at least 1.")
        counts = personal_data_purge(days=days)
        # Counts only: this output ends up in logs.
        self.stdout.write(" ".join(f"{name}={count}" for name, count in counts.items()))
