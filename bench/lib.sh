# Shared by the bench scripts: sourced, never run. Everything listens on
# 127.0.0.1 only, and everything started here is stopped by bench_cleanup.
#
# Override with environment variables:
#   PYTHON          interpreter with requirements installed (default .venv/bin/python)
#   BENCH_DB        PostgreSQL database, dropped and recreated (default clinic_bench)
#   BENCH_PG        PostgreSQL server URL without the database (default postgres://postgres@127.0.0.1:5432)
#   BENCH_REDIS_DB  Redis database number, flushed (default 15)
#   BENCH_PORT      first of 8 consecutive loopback ports (default 8800)
#   BENCH_RESULTS   where result files go (default bench/results)
#   BENCH_WORKERS / BENCH_THREADS  gunicorn workers and threads (default: gunicorn.conf.py's 3 x 2)

set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
RESULTS="${BENCH_RESULTS:-$BENCH_DIR/results}"  # smoke runs write elsewhere
RAW="$RESULTS/raw"
WORK="${BENCH_WORK:-$ROOT/var/bench}"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
[ -x "$PYTHON" ] || PYTHON="$(command -v python3)"

BENCH_DB="${BENCH_DB:-clinic_bench}"
BENCH_PG="${BENCH_PG:-postgres://postgres@127.0.0.1:5432}"
BENCH_REDIS_DB="${BENCH_REDIS_DB:-15}"
BENCH_PORT="${BENCH_PORT:-8800}"

SITE_PORT=$((BENCH_PORT + 1))
BARE_PORT=$((BENCH_PORT + 2))
NGINX_STATIC_PORT=$((BENCH_PORT + 3))
NGINX_CACHE_PORT=$((BENCH_PORT + 4))
SMTP_PORT=$((BENCH_PORT + 5))
COLD_PORT=$((BENCH_PORT + 6))

SITE_URL="http://127.0.0.1:$SITE_PORT"
BARE_URL="http://127.0.0.1:$BARE_PORT"
STATIC_URL_BASE="http://127.0.0.1:$NGINX_STATIC_PORT"
CACHE_URL="http://127.0.0.1:$NGINX_CACHE_PORT"

ARTICLE_PATH="${BENCH_ARTICLE:-/learn/how-ketamine-works/}"
LOCATION_PATH="${BENCH_LOCATION:-/locations/oakland/}"

mkdir -p "$WORK" "$RAW" "$RESULTS/lighthouse"
BENCH_PIDS_FILE="$WORK/pids"

# Adds the provenance block (commit, date, machine, command) bench/report.py needs.
stamp() { "$PYTHON" "$BENCH_DIR/provenance.py" stamp "$1" "$2"; }

log() { printf '\n== %s\n' "$*" >&2; }

bench_ensure_tools() {
    local missing=()
    command -v wrk >/dev/null || missing+=(wrk)
    command -v nginx >/dev/null || missing+=(nginx)
    command -v psql >/dev/null || missing+=(postgresql-client)
    if [ ${#missing[@]} -gt 0 ]; then
        log "installing ${missing[*]}"
        apt-get install -y "${missing[@]}" >/dev/null
    fi
    "$PYTHON" -c "import django, gunicorn, psycopg2, redis" ||
        { echo "PYTHON=$PYTHON lacks the requirements; run make install-test" >&2; exit 1; }
}

# Environment for the site's gunicorn: production settings, throwaway secrets,
# plain HTTP on loopback. The form rate limit is lifted so the POST benchmark
# measures the request, not the 429 page.
bench_site_env() {
    if [ -z "${BENCH_SECRET_KEY:-}" ]; then
        BENCH_SECRET_KEY="$("$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(50))')"
        export BENCH_SECRET_KEY
    fi
    export DJANGO_SETTINGS_MODULE=clinic_site.settings.prod
    export DJANGO_SECRET_KEY="$BENCH_SECRET_KEY"
    export DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost
    export DJANGO_ADMIN_URL=staff-admin/
    export DJANGO_SECURE_SSL_REDIRECT=0 DJANGO_SECURE_COOKIES=0
    export DJANGO_FORM_RATE_LIMIT=100000/h
    export DJANGO_LOG_LEVEL=WARNING
    export DJANGO_MEDIA_ROOT="$WORK/media"
    export DATABASE_URL="$BENCH_PG/$BENCH_DB"
    export REDIS_URL="redis://127.0.0.1:6379/$BENCH_REDIS_DB"
    export EMAIL_URL="smtp://127.0.0.1:$SMTP_PORT"
    export EMAIL_TIMEOUT=5
    export DEFAULT_FROM_EMAIL="Bench <bench@example.org>"
    export SITE_URL="$SITE_URL"
    export CLINIC_ESCALATION_EMAIL="escalation@example.org"
    export GUNICORN_ACCESS_LOG=0
    export GUNICORN_FORWARDED_ALLOW_IPS=127.0.0.1
    [ -n "${BENCH_WORKERS:-}" ] && export GUNICORN_WORKERS="$BENCH_WORKERS"
    [ -n "${BENCH_THREADS:-}" ] && export GUNICORN_THREADS="$BENCH_THREADS"
    return 0
}

remember_pid() { echo "$1" >>"$BENCH_PIDS_FILE"; }

bench_cleanup() {
    local pid
    if [ -f "$WORK/nginx/nginx.pid" ]; then
        nginx -p "$WORK/nginx/" -c "$WORK/nginx/nginx.conf" -s stop 2>/dev/null || true
    fi
    if [ -f "$BENCH_PIDS_FILE" ]; then
        while read -r pid; do
            kill -TERM "$pid" 2>/dev/null || true
        done <"$BENCH_PIDS_FILE"
        for _ in $(seq 50); do
            alive=0
            while read -r pid; do
                kill -0 "$pid" 2>/dev/null && alive=1
            done <"$BENCH_PIDS_FILE"
            [ $alive = 0 ] && break
            sleep 0.2
        done
        while read -r pid; do
            kill -KILL "$pid" 2>/dev/null || true
        done <"$BENCH_PIDS_FILE"
        rm -f "$BENCH_PIDS_FILE"
    fi
}

wait_for_url() {
    local url=$1 deadline=$((SECONDS + ${2:-30}))
    until curl -fsS -o /dev/null "$url" 2>/dev/null; do
        if [ $SECONDS -ge $deadline ]; then
            echo "timed out waiting for $url" >&2
            return 1
        fi
        sleep 0.2
    done
}

# A fresh database and Redis db, migrated, with the demo clinic and collected
# static files.
bench_prepare_site() {
    bench_site_env
    log "fresh database $BENCH_DB and Redis db $BENCH_REDIS_DB"
    psql "$BENCH_PG/postgres" -q -v ON_ERROR_STOP=1 \
        -c "DROP DATABASE IF EXISTS \"$BENCH_DB\" WITH (FORCE)" \
        -c "CREATE DATABASE \"$BENCH_DB\""
    "$PYTHON" -c "import redis, os; redis.Redis.from_url(os.environ['REDIS_URL']).flushdb()"
    (cd "$ROOT" && "$PYTHON" manage.py migrate --noinput -v0 &&
        "$PYTHON" manage.py load_demo_data >/dev/null &&
        "$PYTHON" manage.py collectstatic --noinput -v0)
}

# The SMTP "black hole": accepts connections and never says a word.
bench_start_smtp_black_hole() {
    "$PYTHON" "$BENCH_DIR/smtp_black_hole.py" "$SMTP_PORT" &
    remember_pid $!
}

start_gunicorn() {
    local port=$1 app=$2
    shift 2
    (cd "$ROOT" && GUNICORN_BIND="127.0.0.1:$port" exec "$PYTHON" -m gunicorn \
        -c "$ROOT/gunicorn.conf.py" "$@" "$app") &
    remember_pid $!
}

bench_start_site() {
    bench_site_env
    log "gunicorn (prod settings) on $SITE_URL"
    start_gunicorn "$SITE_PORT" clinic_site.wsgi:application
    wait_for_url "$SITE_URL/healthz"
}

bench_start_bare() {
    log "gunicorn (bare startproject settings, same config) on $BARE_URL"
    curl -fsS "$SITE_URL$ARTICLE_PATH" -o "$WORK/article-copy.html"
    (
        export DJANGO_SETTINGS_MODULE=bench.bare_settings
        export BARE_COPY_FILE="$WORK/article-copy.html"
        start_gunicorn "$BARE_PORT" bench.bare_wsgi:application
    )
    wait_for_url "$BARE_URL/hello/"
}

# nginx: one server with a static copy of the article (the machine's ceiling),
# one micro-caching proxy in front of the site's gunicorn using the shipped rules.
bench_start_nginx() {
    local dir="$WORK/nginx"
    rm -rf "$dir"
    mkdir -p "$dir/html${ARTICLE_PATH}" "$dir/cache" "$dir/tmp"
    curl -fsS "$SITE_URL$ARTICLE_PATH" -o "$dir/html${ARTICLE_PATH}index.html"
    cat >"$dir/nginx.conf" <<EOF
worker_processes auto;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 1024; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    server_tokens off;

    include $ROOT/deploy/nginx/cache-maps.conf;
    upstream clinic_app {
        server 127.0.0.1:$SITE_PORT;
        keepalive 16;
    }
    proxy_cache_path $dir/cache levels=1:2 keys_zone=clinic:10m max_size=64m
                     inactive=10m use_temp_path=off;

    server {
        listen 127.0.0.1:$NGINX_STATIC_PORT;
        root $dir/html;
        gzip on;
        gzip_types text/css application/javascript image/svg+xml;
        location / { try_files \$uri \$uri/index.html =404; }
    }

    server {
        listen 127.0.0.1:$NGINX_CACHE_PORT;
        include $ROOT/deploy/nginx/proxy.conf;
        location /static/ {
            root $ROOT/var;
            gzip_static on;
            expires 1y;
            add_header Cache-Control "public, immutable" always;
        }
        location /staff-admin/ {
            proxy_pass http://clinic_app;
            proxy_cache off;
            gzip off;
        }
    }
}
EOF
    log "nginx: static copy on $STATIC_URL_BASE, micro-cache on $CACHE_URL"
    nginx -p "$dir/" -c "$dir/nginx.conf" -g "user root;"
    wait_for_url "$STATIC_URL_BASE$ARTICLE_PATH"
    wait_for_url "$CACHE_URL$ARTICLE_PATH"
}
