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
set -uo pipefail
cd "$(dirname "$0")/../.."
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
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED: ${failed[*]}"
  exit 1
fi
echo "All passed: ${selected[*]}"
