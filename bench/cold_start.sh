#!/usr/bin/env bash
# Cold start: on an already set-up clone, the time from typing `make run` to
# the first 200 on /. One untimed run first (it creates the SQLite database and
# loads the demo data if this clone never ran), then BENCH_COLD_RUNS timed runs.
# Writes bench/results/cold_start.json.
source "$(dirname "$0")/lib.sh"

RUNS="${BENCH_COLD_RUNS:-3}"
make_pgid=""
stop_make() {
    if [ -n "$make_pgid" ]; then
        kill -INT -- "-$make_pgid" 2>/dev/null || true  # as Ctrl-C would
        for _ in $(seq 50); do
            kill -0 -- "-$make_pgid" 2>/dev/null || break
            sleep 0.2
        done
        kill -KILL -- "-$make_pgid" 2>/dev/null || true
        make_pgid=""
    fi
}
trap stop_make EXIT INT TERM

# Sets $elapsed; runs in this shell so the trap can always stop make.
one_run() {
    local start end
    start=$(date +%s.%N)
    # A clean environment, as on a developer's machine: dev settings, SQLite.
    setsid env -i PATH="$PATH" HOME="$HOME" LANG=C.UTF-8 \
        make -C "$ROOT" run PORT="$COLD_PORT" >"$WORK/cold_start.log" 2>&1 &
    make_pgid=$!
    until curl -fsS -o /dev/null "http://127.0.0.1:$COLD_PORT/" 2>/dev/null; do
        if ! kill -0 "$make_pgid" 2>/dev/null; then
            echo "make run exited early; see $WORK/cold_start.log" >&2
            exit 1
        fi
        if (($(date +%s) - ${start%.*} > 120)); then
            echo "no page within 120 s" >&2
            exit 1
        fi
        sleep 0.05
    done
    end=$(date +%s.%N)
    stop_make
    elapsed=$(echo "$end - $start" | bc)
}

log "make run: warm-up (sets up the clone if needed)"
one_run
times=()
for i in $(seq 1 "$RUNS"); do
    one_run
    log "make run #$i: first 200 on / after ${elapsed}s"
    times+=("$elapsed")
done
"$PYTHON" - "$RESULTS/cold_start.json" "${times[@]}" <<'PY'
import json, statistics, sys
out, *times = sys.argv[1:]
seconds = [round(float(t), 2) for t in times]
summary = {"command": "make run", "seconds_per_run": seconds, "median_s": statistics.median(seconds)}
open(out, "w").write(json.dumps(summary, indent=2) + "\n")
print(summary)
PY
stamp "$RESULTS/cold_start.json" bench/cold_start.sh
