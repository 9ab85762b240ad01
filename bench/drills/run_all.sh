#!/usr/bin/env bash
# Hostile-input fuzz, the six fault drills and the two-node drill, one after another, each with its
# own gunicorn (production settings), private PostgreSQL cluster, Redis db,
# SMTP sink and mail worker on loopback. Results: bench/results/drills/*.json;
# raw logs: bench/results/raw/drills/. Exits non-zero if any expectation fails.
#
#   bash bench/drills/run_all.sh                 # everything (about 15 minutes)
#   bash bench/drills/run_all.sh smtp_down load  # a selection
#
# Needs root (pg_createcluster), PostgreSQL server binaries, redis-server on
# 127.0.0.1:6379 (db 14 is flushed; DRILL_REDIS_URL / FUZZ_REDIS_URL choose another)
# and wrk. Ports 8790-8792 must be free (DRILL_PG_PORT, DRILL_SMTP_PORT,
# DRILL_WEB_PORT). The fuzz drops and recreates the database FUZZ_DB
# (wt_hardening_fuzz) on FUZZ_PG (postgres://postgres@127.0.0.1:5432).
#   DRILL_SMOKE=1 bash bench/drills/run_all.sh   # CI's short run: every drill at
#                            # a tiny scale, results in a temporary directory
set -uo pipefail
cd "$(dirname "$0")/../.."
if [ "${DRILL_SMOKE:-0}" = 1 ]; then
  export FUZZ_SCALE="${FUZZ_SCALE:-0.01}" DRILL_SMTP_DOWN_COUNT="${DRILL_SMTP_DOWN_COUNT:-10}"
  export DRILL_BLACKHOLE_COUNT="${DRILL_BLACKHOLE_COUNT:-10}" DRILL_KILL_COUNT="${DRILL_KILL_COUNT:-20}"
  export DRILL_KILLS="${DRILL_KILLS:-2}" DRILL_LOAD_SECONDS="${DRILL_LOAD_SECONDS:-5}" DRILL_LOAD_BODIES="${DRILL_LOAD_BODIES:-300}"
  export DRILL_PG_SECONDS="${DRILL_PG_SECONDS:-18}" DRILL_PG_PACE="${DRILL_PG_PACE:-4}"
  export DRILL_PG_RESTART_AT="${DRILL_PG_RESTART_AT:-2}" DRILL_PG_STOP_AT="${DRILL_PG_STOP_AT:-12}"
  export DRILL_PG_DOWN_FOR="${DRILL_PG_DOWN_FOR:-3}" DRILL_BLACKHOLE_P95_MS="${DRILL_BLACKHOLE_P95_MS:-60000}"
  export DRILL_PG_MARGIN="${DRILL_PG_MARGIN:-3}" DRILL_BLACKHOLE_HOLD="${DRILL_BLACKHOLE_HOLD:-12}"
  export DRILL_BLACKHOLE_CONTROL="${DRILL_BLACKHOLE_CONTROL:-10}"
  export DRILL_REDIS_SECONDS="${DRILL_REDIS_SECONDS:-20}" DRILL_REDIS_DOWN_AT="${DRILL_REDIS_DOWN_AT:-2}"
  export DRILL_REDIS_DOWN_FOR="${DRILL_REDIS_DOWN_FOR:-12}" TWO_NODE_COUNT="${TWO_NODE_COUNT:-20}"
  export BENCH_RESULTS="${BENCH_RESULTS:-$(mktemp -d)}"
fi
export BENCH_ENTRY="${BENCH_ENTRY:-make drills}"
PY=${PYTHON:-.venv/bin/python}
[ -x "$PY" ] || PY=python3
all=(fuzz smtp_down smtp_blackhole pg_restart worker_kill redis_down load two_nodes)
selected=("${@:-${all[@]}}")
failed=()
for name in "${selected[@]}"; do
  echo "== $name ($(date -u +%H:%M:%S)Z, load $(cut -d' ' -f1-3 /proc/loadavg))"
  if [ "$name" = fuzz ]; then
    "$PY" bench/fuzz.py || failed+=("$name")
  elif [ "$name" = two_nodes ]; then
    { bash bench/drills/two_nodes_setup.sh && "$PY" bench/drills/two_nodes.py; } || failed+=("$name")
  else
    "$PY" "bench/drills/$name.py" || failed+=("$name")
  fi
done
# The figures in docs/reliability.md, from these results (a copy of the doc
# when the results went elsewhere, as in a smoke run).
doc=docs/reliability.md
if [ -n "${BENCH_RESULTS:-}" ] && [ "$(realpath "$BENCH_RESULTS")" != "$(realpath bench/results)" ]; then
  cp "$doc" "$BENCH_RESULTS/reliability.md" && doc="$BENCH_RESULTS/reliability.md"
fi
"$PY" bench/report.py --results "${BENCH_RESULTS:-bench/results}" "$doc" || failed+=(report)
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED: ${failed[*]}"
  exit 1
fi
echo "All passed: ${selected[*]}"
