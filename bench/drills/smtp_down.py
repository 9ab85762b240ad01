"""Drill 1: the SMTP server is down for 500 submissions, then comes back.

Expected: 500 accepted (303), 500 stored, every staff email delivered within
two retry cycles of the server's return, and no request notified twice.
"""

import os
import sys
import time
from collections import Counter

from harness import Stack, latency_summary, log
from patients import Patients

COUNT = int(os.environ.get("DRILL_SMTP_DOWN_COUNT", 500))
DRAIN_LIMIT = 600
# The worker sleeps a second between rounds; a round of 1,000 messages takes
# some seconds of its own.
ROUND_SLACK = 10


def retry_wait(retries, base, cap):
    return min(base * 2**retries, cap)


def main():
    with Stack("smtp-down") as stack:
        from django.conf import settings
        from mailer.models import PRIORITY_DEFERRED, Message

        from consultations.models import ConsultationRequest

        base, cap = (
            settings.CLINIC_MAIL_RETRY_BASE_SECONDS,
            settings.CLINIC_MAIL_RETRY_MAX_SECONDS,
        )
        stack.smtp("down")
        stack.start_web()
        stack.start_worker()

        log(f"smtp-down: {COUNT} submissions with the mail server down")
        began = time.time()
        results = Patients(stack, concurrency=4).run(range(COUNT))
        submit_seconds = time.time() - began
        accepted = [r for r in results if r.acknowledged]
        stored = ConsultationRequest.objects.filter(
            phone__in=[r.phone for r in results]
        ).count()
        time.sleep(3)  # let the worker try (and defer) what is queued

        # The longest back-off in force when the server returns is one retry
        # cycle: a message waiting it out is retried at most that long later.
        deferred = list(
            Message.objects.filter(priority=PRIORITY_DEFERRED).values_list(
                "retry_count", flat=True
            )
        )
        cycle = max((retry_wait(r, base, cap) for r in deferred), default=base)
        queue_at_restore = stack.queue_counts()
        stack.smtp("up")
        restored_at = time.time()
        deferrals_before = stack.worker_log().count("deferred")
        log(f"smtp-down: mail server back; queue was {queue_at_restore}")

        while time.time() - restored_at < DRAIN_LIMIT:
            counts = stack.queue_counts()
            if counts["queued"] == 0 and counts["deferred"] == 0:
                break
            time.sleep(0.5)
        drained_seconds = time.time() - restored_at
        time.sleep(1)

        deliveries = stack.deliveries()
        per_id = Counter(d["message_id"] for d in deliveries)
        last_delivery = max((d["t"] for d in deliveries), default=restored_at)
        staff_ids = list(
            ConsultationRequest.objects.values_list("staff_notification_id", flat=True)
        )
        staff_ids = [i.strip() for i in staff_ids]
        result = stack.write_result(
            {
                "submissions": COUNT,
                "accepted_303": len(accepted),
                "stored": stored,
                "other_statuses": dict(
                    Counter(r.post_status for r in results if not r.acknowledged)
                ),
                "submit_seconds": round(submit_seconds, 1),
                "post_latency": latency_summary([r.post_seconds for r in results]),
                "queue_at_restore": queue_at_restore,
                "max_retries_at_restore": max(deferred, default=0),
                "retry_base_seconds": base,
                "retry_cycle_seconds_at_restore": cycle,
                "drained_seconds_after_restore": round(drained_seconds, 1),
                "last_delivery_seconds_after_restore": round(
                    last_delivery - restored_at, 1
                ),
                # A failed attempt after the server is back would mean a message
                # needed more than the one retry it was waiting for.
                "failed_attempts_after_restore": stack.worker_log().count("deferred")
                - deferrals_before,
                "emails_delivered": len(deliveries),
                "staff_emails_expected": len(staff_ids),
                "staff_emails_delivered": sum(1 for i in staff_ids if per_id[i] >= 1),
                "requests_notified_twice": sum(1 for i in staff_ids if per_id[i] > 1),
                "messages_delivered_twice": sum(1 for c in per_id.values() if c > 1),
            }
        )
        ok = (
            result["accepted_303"] == COUNT
            and result["stored"] == COUNT
            and result["staff_emails_delivered"] == COUNT
            and result["requests_notified_twice"] == 0
            and result["last_delivery_seconds_after_restore"] <= 2 * cycle + ROUND_SLACK
        )
        log(f"smtp-down: {'PASS' if ok else 'FAIL'} {result}")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
