#!/usr/bin/env bash
# The slot-list page (/consultation/?location=oakland): queries per render and
# latency under load (wrk, p50/p90/p95/p99), gunicorn with prod settings on a
# fresh PostgreSQL database, Oakland publishing times with 150 calls booked.
# Writes bench/results/booking_slots.json.
source "$(dirname "$0")/lib.sh"

trap bench_cleanup EXIT INT TERM
bench_ensure_tools
bench_prepare_site
bench_site_env
log "seeding the call schedule and bookings"
seed="$(cd "$ROOT" && "$PYTHON" manage.py shell -v0 -c "exec(open('bench/booking_seed.py').read())")"
bench_start_site
cat >"$WORK/percentiles.lua" <<'LUA'
done = function(summary, latency, requests)
  io.write(string.format('{"requests": %d, "seconds": %.1f, "errors": %d',
    summary.requests, summary.duration / 1e6,
    summary.errors.status + summary.errors.connect + summary.errors.timeout))
  for _, p in ipairs({50, 90, 95, 99}) do
    io.write(string.format(', "p%d_ms": %.1f', p, latency:percentile(p) / 1000))
  end
  io.write("}\n")
end
LUA
run_wrk() {
    curl -fsS -o /dev/null "$1"
    log "wrk on $1"
    wrk -t2 -c"${BENCH_CONNECTIONS:-4}" -d"${BENCH_DURATION:-10s}" --timeout 10s \
        -s "$WORK/percentiles.lua" "$1" | tail -1
}
# The same form for a clinic without published times, under the same load:
# what the slot list adds.
load="$(run_wrk "$SITE_URL/consultation/?location=oakland")"
base="$(run_wrk "$SITE_URL/consultation/?location=portland")"
"$PYTHON" - "$seed" "$load" "$base" "$RESULTS/booking_slots.json" "$(cat /proc/loadavg)" <<'PY'
import json, os, sys
seed, load, base = (json.loads(a) for a in sys.argv[1:4])
out, loadavg = sys.argv[4], sys.argv[5]
connections = int(os.environ.get("BENCH_CONNECTIONS", "4"))
q = seed["queries_per_render"]
result = {
    **seed,
    "load": load,
    "baseline_without_times": base,
    "connections": connections,
    "table": {
        "columns": ["Measure", "Value"],
        "rows": [
            ["Queries, slot list (?location=oakland)", q["/consultation/?location=oakland"]],
            ["Queries, form without a clinic chosen", q["/consultation/"]],
            ["Calls already booked / times offered", f'{seed["bookings"]} / {seed["slots_offered"]}'],
            ["Requests in 10 s, with times / without", f'{load["requests"]} / {base["requests"]}'],
            ["p50 ms, with times / without", f'{load["p50_ms"]} / {base["p50_ms"]}'],
            ["p95 ms, with times / without", f'{load["p95_ms"]} / {base["p95_ms"]}'],
            ["p99 ms, with times / without", f'{load["p99_ms"]} / {base["p99_ms"]}'],
            ["Errors (with / without)", f'{load["errors"]} / {base["errors"]}'],
        ],
    },
    "notes": [
        "gunicorn 3 workers x 2 threads, prod settings, PostgreSQL; the page is "
        "private (no page cache), so every request computes the free slots.",
        f"wrk -t2 -c{connections}; load average before the run: {loadavg}.",
    ],
}
open(out, "w").write(json.dumps(result, indent=2) + "\n")
print(json.dumps(result, indent=2))
PY
stamp "$RESULTS/booking_slots.json" bench/booking_slots.sh
