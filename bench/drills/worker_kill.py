"""Drill 4: the mail worker is killed with SIGKILL ten times during 300 submissions.

Expected: once it runs again, no request is left un-notified and none is
notified twice. Deliveries are counted at the SMTP sink per Message-ID.
"""

import os
import signal
import sys
import time
from collections import Counter

from harness import Killer, Stack, latency_summary, log
from patients import Patients

COUNT = int(os.environ.get("DRILL_KILL_COUNT", 300))
KILLS = int(os.environ.get("DRILL_KILLS", 10))
DRAIN_LIMIT = 240


def main():
    with Stack("worker-kill") as stack:
        from consultations.models import ConsultationRequest

        stack.smtp("up")
        stack.start_web()
        stack.start_worker()
        kill_times = []

        def kill_and_restart():
            proc = stack.procs.get("mailworker")
            if proc and proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                proc.wait()
                kill_times.append(time.time())
            # A supervisor (docker compose, systemd) restarts it a moment later.
            time.sleep(0.3)
            stack.start_worker()

        killer = Killer(kill_and_restart, KILLS, 1.0, 3.0)
        log(f"worker-kill: {COUNT} submissions, {KILLS} x kill -9 of the mail worker")
        killer.start()
        results = Patients(stack, concurrency=4).run(range(COUNT))
        killer.join(timeout=120)
        if not stack.alive("mailworker"):
            stack.start_worker()

        drained_from = time.time()
        while time.time() - drained_from < DRAIN_LIMIT:
            counts = stack.queue_counts()
            if counts["queued"] == 0 and counts["deferred"] == 0:
                break
            time.sleep(0.5)
        drained_seconds = time.time() - drained_from
        time.sleep(1)

        per_id = Counter(d["message_id"] for d in stack.deliveries())
        staff_ids = [
            i.strip()
            for i in ConsultationRequest.objects.values_list(
                "staff_notification_id", flat=True
            )
        ]
        lock_files = sorted(p.name for p in stack.raw.glob("send_mail*"))
        result = stack.write_result(
            {
                "submissions": COUNT,
                "accepted_303": sum(r.acknowledged for r in results),
                "stored": len(staff_ids),
                "kills": len(kill_times),
                "post_latency": latency_summary(
                    [r.post_seconds for r in results if r.post_status]
                ),
                "queue_after_wait": stack.queue_counts(),
                "drained_seconds": round(drained_seconds, 1),
                "stale_lock_files": lock_files,
                "requests_not_notified": sum(1 for i in staff_ids if per_id[i] == 0),
                "requests_notified_twice": sum(1 for i in staff_ids if per_id[i] > 1),
                "messages_delivered_twice": sum(1 for c in per_id.values() if c > 1),
                "emails_delivered": sum(per_id.values()),
            }
        )
        ok = (
            result["accepted_303"] == COUNT
            and result["stored"] == COUNT
            and result["kills"] == KILLS
            and result["requests_not_notified"] == 0
            and result["requests_notified_twice"] == 0
        )
        log(f"worker-kill: {'PASS' if ok else 'FAIL'} {result}")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
