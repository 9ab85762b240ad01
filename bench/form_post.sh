#!/usr/bin/env bash
# Form POST latency: sequential real consultation requests to gunicorn (prod
# settings, PostgreSQL), while the SMTP server is a black hole that accepts
# connections and never answers, and the mail worker is stuck talking to it.
# Writes bench/results/form_post.json.
source "$(dirname "$0")/lib.sh"

if [ "${BENCH_SERVERS_UP:-0}" != 1 ]; then
    trap bench_cleanup EXIT INT TERM
    bench_ensure_tools
    bench_prepare_site
    bench_start_smtp_black_hole
    bench_start_site
fi

bench_site_env
log "mail worker against the black hole"
(cd "$ROOT" && exec "$PYTHON" manage.py mailworker >/dev/null 2>&1) &
remember_pid $!

log "sequential POSTs to $SITE_URL/consultation/"
"$PYTHON" "$BENCH_DIR/form_post.py" "$SITE_URL" "$RAW/form_post.json" "${BENCH_POSTS:-200}"
(cd "$ROOT" && "$PYTHON" manage.py shell -v0 -c '
import json, pathlib
from django.apps import apps
from mailer.models import Message
out = pathlib.Path("'"$RAW"'/form_post.json")
summary = json.loads(out.read_text())
Request = apps.get_model("consultations", "ConsultationRequest")
summary["requests_stored"] = Request.objects.count()
summary["emails_queued_not_sent"] = Message.objects.count()
out.write_text(json.dumps(summary, indent=2) + "\n")
print(summary)
')
cp "$RAW/form_post.json" "$RESULTS/form_post.json"
stamp "$RESULTS/form_post.json" bench/form_post.sh
