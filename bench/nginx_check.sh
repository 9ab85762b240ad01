#!/usr/bin/env bash
# Checks the shipped nginx rules against the running site: deploy/nginx.conf
# passes `nginx -t`, and the micro-cache stores only what it may.
# Writes bench/results/nginx_rules.json.
source "$(dirname "$0")/lib.sh"

if [ "${BENCH_SERVERS_UP:-0}" != 1 ]; then
    trap bench_cleanup EXIT INT TERM
    bench_ensure_tools
    bench_prepare_site
    bench_start_site
    bench_start_nginx
fi

# 1. The production file, with its install paths pointed at this checkout and
#    a throwaway certificate, must satisfy nginx's own syntax check.
dir="$WORK/nginx-syntax"
rm -rf "$dir" && mkdir -p "$dir/cache"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=clinic.example.org \
    -keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null
sed -e "s#/etc/nginx/clinic/#$ROOT/deploy/nginx/#" \
    -e "s#/etc/letsencrypt/live/clinic.example.org/fullchain.pem#$dir/cert.pem#" \
    -e "s#/etc/letsencrypt/live/clinic.example.org/privkey.pem#$dir/key.pem#" \
    -e "s#/var/cache/nginx/clinic#$dir/cache#" \
    -e "s#/var/log/nginx/#$dir/#" \
    "$ROOT/deploy/nginx.conf" >"$dir/clinic.conf"
cat >"$dir/nginx.conf" <<CONF
pid $dir/nginx.pid;
error_log $dir/error.log;
events {}
http {
    include /etc/nginx/mime.types;
    include $dir/clinic.conf;
}
CONF
if nginx -t -q -p "$dir/" -c "$dir/nginx.conf" 2>"$dir/test.log"; then
    syntax_ok=true
else
    syntax_ok=false
    cat "$dir/test.log" >&2
fi

# 2. Behaviour through the bench's micro-cache (same rule files).
"$PYTHON" - "$CACHE_URL" "$ARTICLE_PATH" "$syntax_ok" "$RESULTS/nginx_rules.json" <<'PY'
import json, sys, urllib.request, urllib.error

base, article, syntax_ok, out = sys.argv[1:]


def fetch(path, method="GET", headers=None, data=None):
    request = urllib.request.Request(base + path, method=method, headers=headers or {}, data=data)
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.headers


def cache_status(path, **kwargs):
    fetch(path, **kwargs)  # the first may fill the cache
    return fetch(path, **kwargs)[1].get("X-Cache-Status") or "not cached (cache off)"


checks = []


def check(name, actual, ok):
    checks.append({"check": name, "actual": actual, "ok": bool(ok)})


check("deploy/nginx.conf passes nginx -t", syntax_ok, syntax_ok == "true")
s = cache_status(article)
check("anonymous article is served from the micro-cache", s, s == "HIT")
s = cache_status(article, headers={"Cookie": "csrftoken=abc"})
check("a CSRF cookie alone still gets the shared page", s, s == "HIT")
for cookie in ("sessionid=abc", "__Host-sessionid=abc", "messages=abc"):
    s = cache_status(article, headers={"Cookie": f"theme=x; {cookie}"})
    check(f"request with {cookie.split('=')[0]} bypasses the cache", s, s == "BYPASS")
s = cache_status(article, method="HEAD")
check("HEAD of the article is served from the cache", s, s == "HIT")
s = cache_status(article + "?utm_source=x")
check("query string: Django does not mark it public, nginx does not store it", s, s != "HIT")
for form in ("/consultation/", "/es/consultation/"):
    s = cache_status(form)
    check(f"{form} is never cached", s, s == "not cached (cache off)")
s = cache_status("/es" + article)
check("the Spanish article is served from the micro-cache", s, s == "HIT")
s = cache_status("/staff-admin/login/")
check("the admin is never cached", s, s != "HIT")
for path in ("/locations/san-francisco/",):
    status, headers = fetch(path)
    s = cache_status(path)
    private = "no-store" in headers.get("Cache-Control", "")
    check(f"{path} (waitlist form, Cache-Control: {headers.get('Cache-Control')}) is not stored", s, private and s != "HIT")
status, headers = fetch(article, headers={"Accept-Encoding": "gzip"})
check("article is gzipped", headers.get("Content-Encoding"), headers.get("Content-Encoding") == "gzip")
for form in ("/consultation/", "/es/consultation/"):
    status, headers = fetch(form, headers={"Accept-Encoding": "gzip"})
    check(f"{form} is not compressed (BREACH)", headers.get("Content-Encoding"), not headers.get("Content-Encoding"))
status, headers = fetch(article)
kept = [h for h in ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy", "Permissions-Policy") if headers.get(h)]
check("security headers pass through the cache", ", ".join(kept), len(kept) == 5)

json.dump({"checks": checks, "all_ok": all(c["ok"] for c in checks)}, open(out, "w"), indent=2)
for c in checks:
    print(("ok  " if c["ok"] else "FAIL"), c["check"], "->", c["actual"])
PY
stamp "$RESULTS/nginx_rules.json" bench/nginx_check.sh
