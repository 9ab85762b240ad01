#!/usr/bin/env bash
# Throughput: gunicorn with the production settings on PostgreSQL + Redis, and,
# in the same run and on the same gunicorn config, a bare startproject "hello"
# view, nginx serving a static copy of the article, and the article through the
# shipped nginx micro-cache. Loaded with wrk -t2 -c20 -d10s --latency.
# Writes bench/results/throughput.json (raw wrk output under bench/results/raw/).
source "$(dirname "$0")/lib.sh"

WRK_ARGS=(-t2 -c20 -d"${BENCH_DURATION:-10s}" --latency)

if [ "${BENCH_SERVERS_UP:-0}" != 1 ]; then
    trap bench_cleanup EXIT INT TERM
    bench_ensure_tools
    bench_prepare_site
    bench_start_smtp_black_hole
    bench_start_site
    bench_start_bare
    bench_start_nginx
fi

targets=(
    "article $SITE_URL$ARTICLE_PATH"
    "home $SITE_URL/"
    "location $SITE_URL$LOCATION_PATH"
    "bare_hello $BARE_URL/hello/"
    "bare_article_copy $BARE_URL/article-copy/"
    "nginx_static $STATIC_URL_BASE$ARTICLE_PATH"
    "nginx_microcache $CACHE_URL$ARTICLE_PATH"
)

# Other work on the machine skews single runs, so the targets take turns for
# BENCH_ROUNDS rounds and the summary keeps the median of each figure.
ROUNDS="${BENCH_ROUNDS:-3}"
rm -f "$RAW"/wrk-*.txt
for target in "${targets[@]}"; do
    read -r name url <<<"$target"
    status=$(curl -s -o "$RAW/$name.body" -D "$RAW/$name.headers" -w '%{http_code}' "$url")
    if [ "$status" != 200 ]; then
        echo "SKIPPED: $url answered $status" >&2
        continue
    fi
    wrk -t2 -c20 -d"${BENCH_WARMUP:-2s}" "$url" >/dev/null  # warm workers and caches
done
for round in $(seq 1 "$ROUNDS"); do
    for target in "${targets[@]}"; do
        read -r name url <<<"$target"
        [ -f "$RAW/$name.headers" ] && grep -q "^HTTP/1.1 200" "$RAW/$name.headers" || continue
        log "round $round/$ROUNDS, wrk $name: $url"
        sleep 1
        wrk "${WRK_ARGS[@]}" "$url" | tee "$RAW/wrk-$name-$round.txt"
    done
done

"$PYTHON" "$BENCH_DIR/summarize.py" throughput "$RAW" "$RESULTS/throughput.json" \
    --wrk-args "${WRK_ARGS[*]}" --rounds "$ROUNDS" \
    --workers "${GUNICORN_WORKERS:-3}" --threads "${GUNICORN_THREADS:-2}" \
    --urls "${targets[@]}"
