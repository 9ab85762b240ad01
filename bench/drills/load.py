"""Drill 5: wrk on loopback, 90% page views and 10% form submissions.

Expected: 0% errors, 0 lost submissions (every 303 is a stored row); p50, p95
and p99 reported overall (wrk) and for the form POST alone (gunicorn's log).
"""

import json
import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from harness import Browser, Stack, find_form, hidden_fields, latency_summary, log
from patients import FORM_PATH, patient_values

SECONDS = int(os.environ.get("DRILL_LOAD_SECONDS", 120))
THREADS = int(os.environ.get("DRILL_LOAD_THREADS", 2))
CONNECTIONS = int(os.environ.get("DRILL_LOAD_CONNECTIONS", 8))
BODIES = int(os.environ.get("DRILL_LOAD_BODIES", 6000))
BROWSERS = 40


def prepare(stack):
    """Page paths from the sitemap, and one ready-to-send body per submission."""
    sitemap = Browser().get("/sitemap.xml").text
    pages = [urlsplit(loc).path for loc in re.findall(r"<loc>([^<]+)</loc>", sitemap)]
    pages = [p for p in pages if p != FORM_PATH] + ["/robots.txt"]
    (stack.raw / "pages.txt").write_text("\n".join(pages) + "\n")

    sessions = []
    for _ in range(BROWSERS):
        browser = Browser()
        form = find_form(browser.get(FORM_PATH).text, "first_name")
        cookie = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
        sessions.append((cookie, hidden_fields(form)))
        locations = [v for v in form["options"]["location"] if v]
    lines = []
    for n in range(BODIES):
        cookie, hidden = random.choice(sessions)
        fields = {
            **hidden,
            "form_token": stack.mint_form_token(age=10),
            **patient_values(n, random.choice(locations), email=n % 2 == 0, tag="Load"),
        }
        lines.append(f"{cookie}\t{urlencode(fields, doseq=True)}")
    (stack.raw / "bodies.txt").write_text("\n".join(lines) + "\n")
    return pages


def main():
    with Stack("load") as stack:
        from consultations.models import ConsultationRequest

        stack.smtp("up")
        stack.start_web()
        stack.start_worker()
        pages = prepare(stack)
        before = ConsultationRequest.objects.count()
        log(
            f"load: wrk -t{THREADS} -c{CONNECTIONS} -d{SECONDS}s over {len(pages)} "
            "pages + the form"
        )
        began = time.time()
        wrk = subprocess.run(
            [
                "wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{SECONDS}s",
                "--timeout", "10s", "--latency",
                "-s", str(Path(__file__).with_name("load.lua")),
                f"http://127.0.0.1:{os.environ.get('DRILL_WEB_PORT', 8792)}",
                "--", str(stack.raw / "pages.txt"), str(stack.raw / "bodies.txt"),
                str(THREADS),
            ],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        (stack.raw / "wrk.txt").write_text(wrk.stdout + wrk.stderr)
        summary = json.loads(wrk.stdout.split("WRKJSON ", 1)[1].splitlines()[0])
        time.sleep(1)
        stored = ConsultationRequest.objects.count() - before
        post_ms = [
            float(m)
            for m in re.findall(
                r"^POST /consultation/ \d+ \d+ (\d+)ms", stack.gunicorn_log(), re.M
            )
        ]
        get_ms = [
            float(m)
            for m in re.findall(r"^GET \S+ \d+ \d+ (\d+)ms", stack.gunicorn_log(), re.M)
        ]
        server_303 = len(
            re.findall(r"^POST /consultation/ 303 ", stack.gunicorn_log(), re.M)
        )
        server_post_other = len(
            re.findall(r"^POST /consultation/ (?!303 )", stack.gunicorn_log(), re.M)
        )
        requests = summary["requests"]
        errors = summary["socket_errors"] + summary["status_other"]
        result = stack.write_result(
            {
                "tool": f"wrk -t{THREADS} -c{CONNECTIONS} -d{SECONDS}s (loopback)",
                "seconds": round(time.time() - began, 1),
                "requests": requests,
                "requests_per_second": round(
                    requests / (summary["duration_us"] / 1e6), 1
                ),
                "form_share_percent": round(
                    100 * summary["posted"] / max(requests, 1), 1
                ),
                "errors": errors,
                "error_rate_percent": round(100 * errors / max(requests, 1), 3),
                "submissions_sent": summary["posted"],
                "submissions_acknowledged_303": summary["status_303"],
                # wrk stops counting at the deadline; gunicorn saw every answer.
                "submissions_answered_303_by_server": server_303,
                "submissions_answered_otherwise_by_server": server_post_other,
                "submissions_stored": stored,
                "lost_submissions": server_303 - stored,
                "all_requests_ms": {
                    k: summary[k] for k in ("p50_ms", "p95_ms", "p99_ms", "max_ms")
                },
                "server_post_ms": latency_summary([m / 1000 for m in post_ms]),
                "server_get_ms": latency_summary([m / 1000 for m in get_ms]),
                "bodies_left_unused": BODIES - summary["posted"],
            }
        )
        ok = (
            errors == 0
            and server_post_other == 0
            and server_303 >= summary["status_303"]
            and result["lost_submissions"] == 0
            and summary["posted"] > 0
        )
        log(f"load: {'PASS' if ok else 'FAIL'} {result}")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
