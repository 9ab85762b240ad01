#!/usr/bin/env bash
# Lighthouse (mobile preset) on every public page and both form states, through
# the shipped nginx config in front of gunicorn with the production settings.
# Full reports: bench/results/raw/lighthouse/; summary (scores, metrics and
# first-view weight): bench/results/lighthouse/summary.json.
source "$(dirname "$0")/lib.sh"

if [ ! -d "$ROOT/node_modules/lighthouse" ]; then
    log "npm ci (Lighthouse)"
    (cd "$ROOT" && npm ci --no-audit --no-fund >/dev/null)
fi

if [ "${BENCH_SERVERS_UP:-0}" != 1 ]; then
    trap bench_cleanup EXIT INT TERM
    bench_ensure_tools
    bench_prepare_site
    bench_start_smtp_black_hole
    bench_start_site
    bench_start_nginx
fi

bench_site_env
mapfile -t paths < <(cd "$ROOT" && "$PYTHON" manage.py shell -v0 -c '
from locations.models import Location
from pages.models import Article
print("/"); print("/learn/")
for a in Article.objects.published(): print(a.get_absolute_url())
print("/locations/")
print(Location.objects.public().first().get_absolute_url())
print("/consultation/")
')

# BENCH_LH_PATHS="/ /learn/" measures only those (plus the two form states).
[ -n "${BENCH_LH_PATHS:-}" ] && read -r -a paths <<<"$BENCH_LH_PATHS"

mkdir -p "$RAW/lighthouse"
log "Lighthouse on ${#paths[@]} pages and 2 form states via $CACHE_URL"
(cd "$ROOT" && CHROME_PATH="${CHROME_PATH:-/usr/bin/chromium}" timeout 900 node bench/lighthouse.mjs \
    "$CACHE_URL" "$RAW/lighthouse" "$RESULTS/lighthouse/summary.json" "${paths[@]}")
stamp "$RESULTS/lighthouse/summary.json" bench/lighthouse.sh
