"""Do the per-process page copies (PAGE_CACHE_LOCAL_SECONDS) still pay?

In-process, against a real Redis: a cached article served through the whole
middleware stack N times with the copies off (0: one Redis MGET per request)
and on (1 s window: Redis asked once a second). Prints and writes
bench/results/page_cache_local.json.

    REDIS_URL=redis://127.0.0.1:6379/2 .venv/bin/python bench/page_cache_local.py
"""

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.provenance import provenance, results_dir  # noqa: E402

os.environ["DJANGO_SETTINGS_MODULE"] = "clinic_site.settings.test"
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/2")
os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
REQUESTS = int(os.environ.get("BENCH_REQUESTS", 3000))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 5))


def main():
    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.core.management import call_command
    from django.test import Client

    from core import caching
    from pages.models import Article

    call_command("migrate", verbosity=0)
    call_command("load_demo_data", stdout=open(os.devnull, "w"))
    cache.clear()
    path = Article.objects.published().first().get_absolute_url()
    client = Client()
    assert client.get(path).status_code == 200

    def run(window):
        settings.PAGE_CACHE_LOCAL_SECONDS = window
        caching._LocalPages.reset()
        client.get(path)
        started = time.perf_counter()
        for _ in range(REQUESTS):
            client.get(path)
        return (time.perf_counter() - started) / REQUESTS * 1e6

    figures = {0: [], 1: []}
    for _ in range(ROUNDS):
        for window in figures:
            figures[window].append(run(window))
    off, on = (statistics.median(figures[w]) for w in (0, 1))
    result = {
        "bench": "page_cache_local",
        "command": "REDIS_URL=redis://127.0.0.1:6379/2 .venv/bin/python bench/page_cache_local.py",
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            cwd=ROOT,
        ).stdout.strip(),
        "date": time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime()),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "loadavg_1_5_15": [round(x, 2) for x in os.getloadavg()],
        },
        "requests_per_round": REQUESTS,
        "rounds": ROUNDS,
        "cache_backend": settings.CACHES["default"]["BACKEND"],
        "median_us_per_cached_article": {
            "copies_off": round(off, 1),
            "copies_on_1s": round(on, 1),
        },
        "saving_us_per_request": round(off - on, 1),
        "saving_percent": round((off - on) / off * 100, 1),
        "provenance": provenance("bench/page_cache_local.py"),
    }
    out = results_dir() / "page_cache_local.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))  # noqa: T201 - a benchmark reports on stdout


if __name__ == "__main__":
    main()
