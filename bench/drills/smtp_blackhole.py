"""Drill 2: the SMTP server accepts connections and never answers (200 submissions).

Expected: form POST p95 under 500 ms and no gunicorn worker timeout, because
mail goes out from the worker, never from the request. Afterwards the server
comes back and every request is notified exactly once.
"""

import os
import sys
import time
from collections import Counter

from harness import Stack, latency_summary, log
from patients import Patients

COUNT = int(os.environ.get("DRILL_BLACKHOLE_COUNT", 200))
# A smoke run (DRILL_SMOKE) on a busy CI machine checks the counts, not the speed.
P95_LIMIT_MS = float(os.environ.get("DRILL_BLACKHOLE_P95_MS", 500))
DRAIN_LIMIT = 300
# Seconds the mail server hangs (longer than EMAIL_TIMEOUT, so attempts time
# out), and the submissions of the control phase with the server up.
HOLD = float(os.environ.get("DRILL_BLACKHOLE_HOLD", 25))
CONTROL = int(os.environ.get("DRILL_BLACKHOLE_CONTROL", 100))
PACE = 8  # submissions per second, from 4 browsers at once


def main():
    with Stack("smtp-blackhole") as stack:
        from consultations.models import ConsultationRequest

        stack.smtp("up")
        stack.start_web()
        stack.start_worker()
        patients = Patients(stack, concurrency=4)
        # Control: the same paced load with a healthy mail server, so the
        # figure below can be told apart from what the busy machine adds.
        log(f"smtp-blackhole: control, {CONTROL} submissions with SMTP up")
        control = patients.run(range(100_000, 100_000 + CONTROL), pace=PACE)
        control_posts = latency_summary([r.post_seconds for r in control])

        stack.smtp("blackhole")
        log(f"smtp-blackhole: {COUNT} submissions while SMTP hangs")
        began = time.time()
        results = patients.run(range(COUNT), pace=PACE)
        submit_seconds = time.time() - began
        posts = latency_summary([r.post_seconds for r in results if r.post_status])
        stored = ConsultationRequest.objects.filter(
            phone__in=[r.phone for r in results]
        ).count()
        # Keep the server hung long enough for the worker to time out on it
        # (EMAIL_TIMEOUT) a few times, then check it is still alive.
        time.sleep(HOLD)
        worker_alive_during = stack.alive("mailworker")
        queue_during = stack.queue_counts()
        timeouts = stack.worker_log().count("deferred")

        restored_at = time.time()
        stack.smtp("up")
        while time.time() - restored_at < DRAIN_LIMIT:
            counts = stack.queue_counts()
            if counts["queued"] == 0 and counts["deferred"] == 0:
                break
            time.sleep(0.5)
        drained_seconds = time.time() - restored_at
        time.sleep(1)

        per_id = Counter(d["message_id"] for d in stack.deliveries())
        staff_ids = [
            i.strip()
            for i in ConsultationRequest.objects.values_list(
                "staff_notification_id", flat=True
            )
        ]
        log_text = stack.gunicorn_log()
        result = stack.write_result(
            {
                "submissions": COUNT,
                "accepted_303": sum(r.acknowledged for r in results),
                "stored": stored,
                "other_statuses": dict(
                    Counter(r.post_status for r in results if not r.acknowledged)
                ),
                "submit_seconds": round(submit_seconds, 1),
                "pace_per_second": PACE,
                "post_latency": posts,
                "control_post_latency_smtp_up": control_posts,
                "gunicorn_worker_timeouts": log_text.count("WORKER TIMEOUT"),
                "mail_worker_alive_while_smtp_hung": worker_alive_during,
                "queue_while_smtp_hung": queue_during,
                "worker_attempts_timed_out": timeouts,
                "drained_seconds_after_restore": round(drained_seconds, 1),
                "staff_emails_delivered": sum(1 for i in staff_ids if per_id[i] >= 1),
                "requests_notified_twice": sum(1 for i in staff_ids if per_id[i] > 1),
            }
        )
        ok = (
            result["accepted_303"] == COUNT
            and result["stored"] == COUNT
            and posts["p95_ms"] is not None
            and posts["p95_ms"] < P95_LIMIT_MS
            and result["gunicorn_worker_timeouts"] == 0
            and result["staff_emails_delivered"] == COUNT + CONTROL
            and result["requests_notified_twice"] == 0
        )
        log(f"smtp-blackhole: {'PASS' if ok else 'FAIL'} {result}")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
