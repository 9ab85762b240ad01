#!/usr/bin/env bash
# `make bench`: every benchmark in one run, then the table in docs/performance.md.
# Servers are started once (gunicorn with the prod settings, the bare baseline,
# nginx, the SMTP black hole) and stopped on exit, whatever happens.
source "$(dirname "$0")/lib.sh"

trap bench_cleanup EXIT INT TERM
bench_ensure_tools
if [ ! -d "$ROOT/node_modules/lighthouse" ]; then
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

bash "$BENCH_DIR/nginx_check.sh"
bash "$BENCH_DIR/serve.sh"
bash "$BENCH_DIR/form_post.sh"
bash "$BENCH_DIR/lighthouse.sh"
bench_cleanup

bash "$BENCH_DIR/cold_start.sh"
"$PYTHON" "$BENCH_DIR/css_check.py" "$RESULTS/css.json"
"$PYTHON" "$BENCH_DIR/summarize.py" machine "$RESULTS/machine.json" --finished
"$PYTHON" "$BENCH_DIR/report.py" "$RESULTS" "$ROOT/docs/performance.md"
log "done: bench/results/*.json and docs/performance.md"
