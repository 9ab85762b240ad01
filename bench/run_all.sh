#!/usr/bin/env bash
# `make bench`: every benchmark in one run, then the figures in docs/performance.md.
# Servers are started once (gunicorn with the prod settings, the bare baseline,
# nginx, the SMTP black hole) and stopped on exit, whatever happens.
#
#   BENCH_SMOKE=1 make bench   # CI's short run: a few seconds per part, no
#                              # Lighthouse, results in a temporary directory
#   BENCH_SKIP="lighthouse cold_start" make bench   # leave parts out
if [ "${BENCH_SMOKE:-0}" = 1 ]; then
    export BENCH_DURATION="${BENCH_DURATION:-2s}" BENCH_ROUNDS="${BENCH_ROUNDS:-1}"
    export BENCH_WARMUP="${BENCH_WARMUP:-1s}" BENCH_POSTS="${BENCH_POSTS:-10}"
    export BENCH_COLD_RUNS="${BENCH_COLD_RUNS:-1}" BENCH_SKIP="${BENCH_SKIP:-lighthouse}"
    export BENCH_RESULTS="${BENCH_RESULTS:-$(mktemp -d)}"
fi
export BENCH_ENTRY="${BENCH_ENTRY:-make bench}"
source "$(dirname "$0")/lib.sh"

skip() { [[ " ${BENCH_SKIP:-} " == *" $1 "* ]]; }

trap bench_cleanup EXIT INT TERM
bench_ensure_tools
if ! skip lighthouse && [ ! -d "$ROOT/node_modules/lighthouse" ]; then
    log "npm ci (Lighthouse, PurgeCSS)"
    (cd "$ROOT" && npm ci --no-audit --no-fund >/dev/null)
fi

"$PYTHON" "$BENCH_DIR/summarize.py" machine "$RESULTS/machine.json"
bench_prepare_site
bench_start_smtp_black_hole
bench_start_site
bench_start_bare
bench_start_nginx
export BENCH_SERVERS_UP=1

skip nginx_check || bash "$BENCH_DIR/nginx_check.sh"
skip serve || bash "$BENCH_DIR/serve.sh"
skip form_post || bash "$BENCH_DIR/form_post.sh"
skip lighthouse || bash "$BENCH_DIR/lighthouse.sh"
bench_cleanup

skip cold_start || bash "$BENCH_DIR/cold_start.sh"
skip css || "$PYTHON" "$BENCH_DIR/css_check.py" "$RESULTS/css.json"
"$PYTHON" "$BENCH_DIR/summarize.py" machine "$RESULTS/machine.json" --finished
doc="$ROOT/docs/performance.md"
if [ "$RESULTS" != "$BENCH_DIR/results" ]; then
    # Results elsewhere (a smoke run): render a copy, leave the committed doc alone.
    cp "$doc" "$RESULTS/performance.md"
    doc="$RESULTS/performance.md"
fi
"$PYTHON" "$BENCH_DIR/report.py" --results "$RESULTS" "$doc"
log "done: $RESULTS/*.json and $doc"
