"""The triage screens with 100,000 requests in PostgreSQL: p95 and query counts.

Seeds fictional requests (555-01xx numbers) across the demo locations, then
times, in-process through the whole middleware stack as a signed-in
superuser (two-factor done):

- the request list, first page, default filters;
- the request list searched by a phone number typed with punctuation;
- the promise report (12 weeks, every location).

Each is measured at 1,000 rows and again at the full count, so the query
counts can be compared. Writes bench/results/triage.json.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wt_safety \
        .venv/bin/python bench/triage.py            # BENCH_ROWS=100000 BENCH_RUNS=30

The database is emptied first: point it at a database of its own.
"""

import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.provenance import provenance  # noqa: E402

os.environ["DJANGO_SETTINGS_MODULE"] = "clinic_site.settings.test"
ROWS = int(os.environ.get("BENCH_ROWS", 100_000))
RUNS = int(os.environ.get("BENCH_RUNS", 30))
SMALL = 1_000
BATCH = 5_000
SEARCH = "(510) 555-0142"


def seed(count, start):
    """Add ``count`` requests (ids from ``start``), spread over 180 days."""
    from django.db import connection
    from django.utils import timezone

    from consultations.models import ConsultationRequest
    from locations.models import Location

    if count <= 0:
        return
    locations = list(Location.objects.order_by("pk"))
    now = timezone.now()
    for offset in range(0, count, BATCH):
        rows = []
        for n in range(start + offset, start + min(offset + BATCH, count)):
            rows.append(
                ConsultationRequest(
                    reference=f"B{n:07d}",
                    location=locations[n % len(locations)],
                    first_name=f"Robin{n % 997}",
                    last_name=f"Testperson{n % 991}",
                    phone=f"+1{('510', '503', '415')[n % 3]}55501{n % 100:02d}",
                    email=f"patient{n}@example.org",
                    preferred_contact="phone",
                    consent_text_version="1",
                    consented_at=now,
                    promised_contact_by=now,
                    urgent=n % 33 == 0,
                    self_harm_answer="yes" if n % 33 == 0 else "no",
                    status="new",
                )
            )
        ConsultationRequest.objects.bulk_create(rows)
    # Real spread of ages, promises, contacts and outcomes, in one statement:
    # most are closed, a few are open, some are late.
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE consultations_consultationrequest SET
              created_at = now() - (id %% 180) * interval '1 day'
                                 - (id %% 1440) * interval '1 minute',
              status = CASE WHEN id %% 180 < 3 THEN 'new'
                            WHEN id %% 180 < 6 THEN 'contacting'
                            WHEN id %% 7 = 0 THEN 'no_response'
                            WHEN id %% 11 = 0 THEN 'withdrawn'
                            ELSE 'completed' END
            WHERE reference LIKE 'B%%' AND id >= %s
            """,
            [_first_id() if start == 0 else _id_of(start)],
        )
        cursor.execute(
            """
            UPDATE consultations_consultationrequest SET
              promised_contact_by = created_at + interval '1 day',
              first_contacted_at = CASE WHEN status IN ('completed', 'no_response')
                  THEN created_at + (id %% 40) * interval '1 hour' END,
              acknowledged_at = CASE WHEN urgent AND id %% 3 > 0
                  THEN created_at + (id %% 25) * interval '1 minute' END,
              closed_at = CASE WHEN status IN ('completed', 'no_response', 'withdrawn')
                  THEN created_at + interval '3 days' END
            WHERE reference LIKE 'B%%' AND id >= %s
            """,
            [_first_id() if start == 0 else _id_of(start)],
        )
        # One logged call per contacted request (two for every fifth).
        cursor.execute(
            """
            INSERT INTO consultations_callattempt (at, channel, outcome, note, request_id)
            SELECT first_contacted_at - g * interval '1 hour', 'phone',
                   CASE WHEN g = 0 THEN 'reached' ELSE 'voicemail' END, '', id
            FROM consultations_consultationrequest,
                 generate_series(0, CASE WHEN id %% 5 = 0 THEN 1 ELSE 0 END) AS g
            WHERE first_contacted_at IS NOT NULL AND reference LIKE 'B%%' AND id >= %s
            """,
            [_first_id() if start == 0 else _id_of(start)],
        )
        cursor.execute("ANALYZE consultations_consultationrequest")
        cursor.execute("ANALYZE consultations_callattempt")


def _first_id():
    from consultations.models import ConsultationRequest

    return ConsultationRequest.objects.order_by("pk").values_list("pk", flat=True)[0]


def _id_of(n):
    from consultations.models import ConsultationRequest

    return ConsultationRequest.objects.get(reference=f"B{n:07d}").pk


def measure(client, url, params=None):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        assert client.get(url, params).status_code == 200
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        response = client.get(url, params)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get(url, params)
    timings.sort()
    return {
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(timings[max(0, int(len(timings) * 0.95) - 1)], 1),
        "max_ms": round(timings[-1], 1),
        "queries": len(queries),
        "sql_ms_one_run": round(
            sum(float(q["time"]) for q in queries.captured_queries) * 1000, 1
        ),
    }


def main():
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from consultations.models import CallAttempt, ConsultationRequest
    from locations.demo import load_demo_locations

    assert "postgresql" in settings.DATABASES["default"]["ENGINE"], "PostgreSQL only"
    call_command("migrate", verbosity=0)
    # BENCH_KEEP=1 measures the rows already seeded (after a code change).
    keep = os.environ.get("BENCH_KEEP") == "1"
    if not keep:
        # TRUNCATE: an ORM delete would write a history row per request.
        tables = [
            model._meta.db_table
            for model in (
                CallAttempt,
                CallAttempt.history.model,
                ConsultationRequest.history.model,
                ConsultationRequest,
            )
        ]
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
    load_demo_locations()
    user, _ = get_user_model().objects.get_or_create(
        username="bench-ops", defaults={"is_staff": True, "is_superuser": True}
    )
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name="bench", defaults={"confirmed": True}
    )
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()

    pages = {
        "request_list": (
            reverse("admin:consultations_consultationrequest_changelist"),
            None,
        ),
        "phone_search": (
            reverse("admin:consultations_consultationrequest_changelist"),
            {"q": SEARCH},
        ),
        "promise_report": (
            reverse("admin:consultations_consultationrequest_report"),
            None,
        ),
    }
    results = {}
    seeded = 0
    path = ROOT / "bench" / "results" / "triage.json"
    if keep:
        results = json.loads(path.read_text())["results"]
        results.pop(str(ROWS), None)
        seeded = ROWS
    for target in [ROWS] if keep else (SMALL, ROWS):
        started = time.perf_counter()
        seed(target - seeded, seeded)
        seeded = target
        seconds = round(time.perf_counter() - started, 1)
        assert ConsultationRequest.objects.count() == target
        results[str(target)] = {
            "seed_seconds": seconds,
            **{
                name: measure(client, url, params)
                for name, (url, params) in pages.items()
            },
        }
        sys.stdout.write(f"{target} {json.dumps(results[str(target)])}\n")

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
        cursor.execute("SHOW jit")
        jit = cursor.fetchone()[0]
    out = {
        "what": "triage admin, in-process, signed-in superuser, PostgreSQL",
        "rows": ROWS,
        "runs": RUNS,
        "postgres": version,
        "jit": jit,
        "python": platform.python_version(),
        "machine": f"{os.cpu_count()} CPU, {platform.machine()}",
        # Shared machine: the load says how much of the time was waiting.
        "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()],
        "results": results,
        # What bench/report.py needs to publish a figure from this file.
        "provenance": provenance("bench/triage.py"),
    }
    path.write_text(json.dumps(out, indent=2) + "\n")
    sys.stdout.write(f"wrote {path}\n")


if __name__ == "__main__":
    main()
