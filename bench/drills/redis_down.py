"""Drill 6: Redis (the cache) dies under a steady form load, then comes back.

The drill runs a Redis server of its own (DRILL_REDIS_DOWN_PORT), so killing it
disturbs nobody else. While it is away, anonymous page views and the form keep
going; then it is started again, empty.

Expected: no HTTP 500 at all; every form sent while Redis is away is accepted
(303) and stored, with its staff email delivered; pages answer 200 throughout;
/healthz says "degraded" with the cache named while Redis is away and "ok"
again within a few seconds of its return, when pages are cached again.
"""

import os
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

REDIS_PORT = int(os.environ.get("DRILL_REDIS_DOWN_PORT", 8793))
# Set before the harness is imported: it flushes this Redis, nobody else's.
os.environ["DRILL_REDIS_URL"] = f"redis://127.0.0.1:{REDIS_PORT}/0"

from harness import (  # noqa: E402 - needs DRILL_REDIS_URL first
    RAW,
    Browser,
    Stack,
    latency_summary,
    log,
    port_is_free,
    wait_for_port,
)
from patients import Patients  # noqa: E402

PACE = float(os.environ.get("DRILL_REDIS_PACE", 4))  # submissions per second
DURATION = float(os.environ.get("DRILL_REDIS_SECONDS", 45))
# Seconds into the run Redis is killed, and how long it stays away.
DOWN_AT = float(os.environ.get("DRILL_REDIS_DOWN_AT", 10))
DOWN_FOR = float(os.environ.get("DRILL_REDIS_DOWN_FOR", 20))
PAGES = ["/", "/locations/", "/consultation/"]
DRAIN_LIMIT = 120


class OwnRedis:
    def __init__(self, port, logfile):
        self.port, self.logfile, self.proc = port, logfile, None

    def start(self):
        if not port_is_free(self.port):
            raise RuntimeError(f"port {self.port} is busy")
        self.proc = subprocess.Popen(
            [shutil.which("redis-server"), "--port", str(self.port), "--bind",
             "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=open(self.logfile, "ab"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        wait_for_port(self.port)

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def main():
    RAW.mkdir(parents=True, exist_ok=True)
    redis = OwnRedis(REDIS_PORT, RAW / "redis-down-server.log")
    redis.start()
    try:
        return drill(redis)
    finally:
        redis.kill()


def drill(redis):
    with Stack("redis-down") as stack:
        from django.db import close_old_connections

        from consultations.models import ConsultationRequest

        article = "/" + stack.manage(
            "shell", "-c",
            "from pages.models import Article;"
            "print(Article.objects.published().first().get_absolute_url()[1:])",
        ).stdout.strip().splitlines()[-1]  # fmt: skip
        stack.smtp("up")
        stack.start_web()
        stack.start_worker()
        window = {}
        stop = threading.Event()
        page_codes = Counter()
        health = []

        def outage():
            time.sleep(DOWN_AT)
            window["down"] = time.time()
            redis.kill()
            log("redis-down: Redis killed")
            time.sleep(DOWN_FOR)
            redis.start()
            window["up"] = time.time()
            log("redis-down: Redis started again (empty)")

        def visitors():
            browser = Browser()
            while not stop.is_set():
                for path in [*PAGES, article]:
                    page_codes[(path, browser.get(path).status)] += 1
                reply = browser.get("/healthz", host="127.0.0.1")
                cache_state = reply.text.split('"cache": "')[-1].split('"')[0]
                health.append((time.time(), reply.status, cache_state))
                time.sleep(0.05)

        chaos = threading.Thread(target=outage, daemon=True)
        viewer = threading.Thread(target=visitors, daemon=True)
        count = int(PACE * DURATION)
        log(f"redis-down: {count} submissions at {PACE}/s over {DURATION:.0f}s")
        chaos.start()
        viewer.start()
        results = Patients(stack, concurrency=4).run(range(count), pace=PACE)
        chaos.join()
        time.sleep(3)
        stop.set()
        viewer.join()

        down, up = window["down"], window["up"]

        def while_down(r):
            return down <= r.started and r.finished <= up

        close_old_connections()
        acknowledged = [r.phone for r in results if r.acknowledged]
        stored = {
            str(p)
            for p in ConsultationRequest.objects.filter(
                phone__in=acknowledged
            ).values_list("phone", flat=True)
        }
        during = [r for r in results if while_down(r)]
        outcomes = Counter(
            "acknowledged_303"
            if r.acknowledged
            else f"other_{r.post_status or r.get_status}"
            for r in results
        )
        ok_again = [t for t, status, state in health if t > up and state == "ok"]
        recovery = round(ok_again[0] - up, 2) if ok_again else None
        degraded_while_down = [
            state for t, status, state in health if down + 1 < t < up - 0.5
        ]
        Browser().get(article)
        cached_again = Browser().get(article)
        # Pages are stored in Redis again once it is back.
        redis_keys = subprocess.run(
            ["redis-cli", "-p", str(REDIS_PORT), "DBSIZE"],
            capture_output=True, text=True,
        ).stdout.strip()  # fmt: skip

        drained_at = time.time()
        while time.time() - drained_at < DRAIN_LIMIT:
            counts = stack.queue_counts()
            if counts["queued"] == 0 and counts["deferred"] == 0:
                break
            time.sleep(0.5)
        delivered = Counter(d["message_id"] for d in stack.deliveries())
        staff_ids = [
            i.strip()
            for i in ConsultationRequest.objects.values_list(
                "staff_notification_id", flat=True
            )
        ]
        result = stack.write_result(
            {
                "command": "bash bench/drills/run_all.sh redis_down",
                "commit": subprocess.run(
                    ["git", "rev-parse", "--short", "HEAD"],
                    capture_output=True,
                    text=True,
                    cwd=Path(__file__).parent,
                ).stdout.strip(),  # fmt: skip
                "submissions": count,
                "pace_per_second": PACE,
                "redis_down_seconds": round(up - down, 1),
                "outcomes": dict(outcomes),
                "sent_while_redis_down": len(during),
                "accepted_while_redis_down": sum(r.acknowledged for r in during),
                "stored_while_redis_down": sum(
                    1 for r in during if r.acknowledged and r.phone in stored
                ),
                "acknowledged_but_not_stored": len(
                    [p for p in acknowledged if p not in stored]
                ),
                "page_views": {
                    f"{p} {s}": n for (p, s), n in sorted(page_codes.items())
                },
                "healthz_while_down": dict(Counter(degraded_while_down)),
                "healthz_statuses": dict(Counter(s for _t, s, _c in health)),
                "recovery_seconds_until_healthz_cache_ok": recovery,
                "article_after_recovery_status": cached_again.status,
                "redis_keys_after_recovery": int(redis_keys or 0),
                "post_latency_while_down": latency_summary(
                    [r.post_seconds for r in during if r.post_status]
                ),
                "post_latency_overall": latency_summary(
                    [r.post_seconds for r in results if r.post_status]
                ),
                "staff_emails_delivered": sum(
                    1 for i in staff_ids if delivered[i] >= 1
                ),
                "stored_requests": len(staff_ids),
                "http_500_in_gunicorn_log": stack.status_count(500),
                "rate_limit_fail_open_log_lines": stack.gunicorn_log().count(
                    "let through"
                ),
            }
        )
        ok = (
            result["http_500_in_gunicorn_log"] == 0
            and set(outcomes) == {"acknowledged_303"}
            and result["accepted_while_redis_down"] == len(during) > 0
            and result["stored_while_redis_down"] == len(during)
            and result["acknowledged_but_not_stored"] == 0
            and all(key.endswith(" 200") for key in result["page_views"])
            and set(degraded_while_down) == {"unreachable"}
            and recovery is not None
            and result["redis_keys_after_recovery"] > 0
            and result["staff_emails_delivered"] == len(staff_ids)
        )
        log(f"redis-down: {'PASS' if ok else 'FAIL'} {result}")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
