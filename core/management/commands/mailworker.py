"""The mail worker: django-mailer's queue, delivered until the process is stopped.

Why not django-mailer's own ``runmailer``: it stops for good when the database
restarts (its loop dies on the first connection error), retries deferred mail
only when something runs ``retry_deferred`` on a timer, and, on SIGTERM, can
stop mid-batch. This loop survives a database restart (drops the dead
connection and tries again), retries failures with back-off
(core.delivery.retry_due_deferred), and finishes the current pass before it
exits on SIGTERM. Everything else (locking, sending, logging) is django-mailer's.
"""

import logging
import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import Error as DatabaseFailure
from django.db import connection
from mailer import engine
from mailer.models import Message

from core.delivery import retry_due_deferred

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Deliver queued mail until stopped, retrying deferred messages with "
        "back-off. Safe to kill at any point: unsent mail stays in the queue."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--once", action="store_true", help="Send what is due, then exit."
        )

    def handle(self, *args, once=False, **options):
        self._running = True
        signal.signal(signal.SIGTERM, self._stop)
        if not once:
            self.stdout.write("Mail worker started; Ctrl-C stops it.")
        while self._running:
            try:
                retry_due_deferred()
                if Message.objects.non_deferred().exists():
                    engine.send_all()
            # Error, not just DatabaseError: a connection dropped mid-transaction
            # surfaces as InterfaceError ("connection already closed").
            except DatabaseFailure as exc:
                if once:
                    raise
                # A database restart must not stop mail for good: drop the dead
                # connection and try again after the usual pause.
                logger.warning(
                    "mail worker: database unavailable (%s)", type(exc).__name__
                )
                connection.close()
            if once:
                break
            time.sleep(settings.MAILER_EMPTY_QUEUE_SLEEP)

    def _stop(self, *args):
        self._running = False
