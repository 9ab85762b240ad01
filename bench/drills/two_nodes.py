"""Drill 6: two web nodes behind the shipped nginx rules, sharing one PostgreSQL,
one Redis and one S3-compatible object store (moto's server).

Each node is its own gunicorn with its own settings process, as two machines
would be. Shows that:

1. a form loaded from node 1 and posted to node 2 gets the thank-you page
   (sessions, CSRF and the timing token work across nodes);
2. the per-address rate limit counts across both nodes;
3. a content edit saved on node 1's admin (a location's text and a new photo)
   and an article edit are served fresh by node 2 within the purge time, and
   the photo, stored in the bucket, is served on node 2's page;
4. two mail workers running at once send each queued email exactly once;
5. stopping node 1 in the middle of the load loses no accepted request: every
   POST that got a 303 has its row.

Needs (bench/drills/two_nodes_setup.sh installs them): nginx, moto[server].
Ports: DRILL_PG_PORT, DRILL_SMTP_PORT, DRILL_WEB_PORT (node 1),
TWO_NODE_WEB2_PORT, TWO_NODE_NGINX_PORT, TWO_NODE_S3_PORT.
"""

import io
import json
import os
import platform
import re
import secrets
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser

import harness
from harness import (
    BIN,
    HOST,
    PYTHON,
    ROOT,
    WEB_PORT,
    Browser,
    Stack,
    find_form,
    hidden_fields,
    latency_summary,
    log,
    port_is_free,
    wait_for_port,
)
from patients import patient_values

WEB2_PORT = int(os.environ.get("TWO_NODE_WEB2_PORT", 8794))
NGINX_PORT = int(os.environ.get("TWO_NODE_NGINX_PORT", 8795))
S3_PORT = int(os.environ.get("TWO_NODE_S3_PORT", 8796))
COUNT = int(os.environ.get("TWO_NODE_COUNT", 500))
STOP_AFTER = int(os.environ.get("TWO_NODE_STOP_AFTER", COUNT * 2 // 5))
CONCURRENCY = int(os.environ.get("TWO_NODE_CONCURRENCY", 4))
RATE_LIMIT = 6  # per hour per address, for this drill
BUCKET = "clinic-media"  # the name deploy/nginx-compose.conf proxies /media/ to
FORM = "/consultation/"
ADMIN = "/staff-drill/"
DRAIN_LIMIT = 300


class TwoNodes(Stack):
    def __init__(self):
        super().__init__(
            "two-nodes",
            workers=2,
            env={
                # nginx in front and, as in production, a load balancer before
                # it: the client address is the second entry from the right.
                "DJANGO_TRUSTED_PROXY_COUNT": "2",
                "DJANGO_FORM_RATE_LIMIT": f"{RATE_LIMIT}/h",
                # Plain HTTP on loopback (nginx here terminates no TLS).
                "DJANGO_SECURE_SSL_REDIRECT": "0",
                "DJANGO_SECURE_COOKIES": "0",
                "GUNICORN_THREADS": "2",
                "GUNICORN_ACCESS_LOG": "1",
                "MEDIA_S3_BUCKET": BUCKET,
                "MEDIA_S3_REGION": "us-east-1",
                "MEDIA_S3_ENDPOINT_URL": f"http://127.0.0.1:{S3_PORT}",
                "MEDIA_S3_ACCESS_KEY_ID": "drill",
                "MEDIA_S3_SECRET_ACCESS_KEY": "drill-only",
                # Media through the site's own origin: nginx proxies /media/.
                "MEDIA_S3_CUSTOM_DOMAIN": f"http://{HOST}/media",
            },
        )

    def __enter__(self):
        for port in (WEB2_PORT, NGINX_PORT, S3_PORT):
            if not port_is_free(port):
                raise RuntimeError(f"port {port} is busy")
        # The object store first: migrations and demo data may touch media.
        self.raw.mkdir(parents=True, exist_ok=True)
        s3_log = open(self.raw.parent / "two-nodes-s3.log", "ab")
        self._s3 = subprocess.Popen(
            [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(S3_PORT)],
            stdout=s3_log,
            stderr=subprocess.STDOUT,
        )
        wait_for_port(S3_PORT)
        subprocess.run(
            [PYTHON, str(ROOT / "deploy/local-s3/create_bucket.py")],
            env={**os.environ, **self.env},
            check=True,
            capture_output=True,
        )
        return super().__enter__()

    def __exit__(self, *exc):
        self.stop_nginx()
        result = super().__exit__(*exc)
        self._s3.terminate()
        self._s3.wait(timeout=10)
        return result

    def spawn_with(self, name, cmd, extra_env, cwd=ROOT):
        logfile = open(self.raw / f"{name}.log", "ab")
        self.procs[name] = subprocess.Popen(
            cmd,
            cwd=cwd,
            env={**self.env, **extra_env},
            stdout=logfile,
            stderr=subprocess.STDOUT,
        )

    def start_node(self, name, port):
        self.spawn_with(
            name,
            [str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"),
             "clinic_site.wsgi:application"],
            {"GUNICORN_BIND": f"127.0.0.1:{port}"},
        )  # fmt: skip
        wait_for_port(port)

    def start_worker_named(self, name):
        self.spawn_with(
            name, [PYTHON, str(ROOT / "manage.py"), "mailworker"], {}, cwd=self.raw
        )

    def node_log(self, name):
        path = self.raw / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def start_nginx(self):
        """deploy/nginx-compose.conf with loopback addresses for the services."""
        conf = (ROOT / "deploy/nginx-compose.conf").read_text()
        conf = (
            conf.replace("/etc/nginx/clinic/", f"{ROOT}/deploy/nginx/")
            .replace("server web:8000", f"server 127.0.0.1:{WEB_PORT}")
            .replace("server web-2:8000", f"server 127.0.0.1:{WEB2_PORT}")
            .replace("s3:9000", f"127.0.0.1:{S3_PORT}")
            .replace(
                "listen 80 default_server",
                f"listen 127.0.0.1:{NGINX_PORT} default_server",
            )
            .replace("/var/cache/nginx/clinic", str(self.raw / "nginx-cache"))
        )
        assert str(S3_PORT) in conf and str(WEB2_PORT) in conf
        dir_ = self.raw / "nginx"
        dir_.mkdir(exist_ok=True)
        (dir_ / "nginx.conf").write_text(
            f"""worker_processes 1;
pid {dir_}/nginx.pid;
error_log {dir_}/error.log warn;
events {{ worker_connections 512; }}
http {{
    include /etc/nginx/mime.types;
    access_log {dir_}/access.log;
    client_body_temp_path {dir_}/body;
    proxy_temp_path {dir_}/proxy;
    fastcgi_temp_path {dir_}/fastcgi;
    uwsgi_temp_path {dir_}/uwsgi;
    scgi_temp_path {dir_}/scgi;
{conf}
}}
"""
        )
        subprocess.run(
            ["nginx", "-p", f"{dir_}/", "-c", f"{dir_}/nginx.conf", "-g", "user root;"],
            check=True,
        )
        wait_for_port(NGINX_PORT)

    def stop_nginx(self):
        dir_ = self.raw / "nginx"
        if (dir_ / "nginx.pid").exists():
            subprocess.run(
                ["nginx", "-p", f"{dir_}/", "-c", f"{dir_}/nginx.conf", "-s", "stop"],
                check=False,
            )


def node(port, **kwargs):
    return Browser(port=port, scheme="http", **kwargs)


def lb(address):
    """A browser reaching the site through nginx, from ``address`` (as the outer
    load balancer would report it)."""
    return node(NGINX_PORT, headers={"X-Forwarded-For": address})


def direct(port, address):
    """A browser sent straight to one node, headers as nginx would add them."""
    return node(port, headers={"X-Forwarded-For": f"{address}, 127.0.0.1"})


def address_of(n):
    return f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


def form_fields(page, n, location, tag):
    fields = hidden_fields(find_form(page.text, "first_name"))
    fields.update(patient_values(n, location, tag=tag))
    return fields


def open_location(stack):
    from locations.models import Location

    return Location.objects.filter(status=Location.Status.OPEN).order_by("pk").first()


# -- 1. one form, two nodes ---------------------------------------------------
def cross_node_form(stack, location_slug):
    browser = direct(WEB_PORT, "198.51.100.10")
    page = browser.get(FORM)
    fields = form_fields(page, 9001, location_slug, "Cross")
    # The real token from node 1's page: wait out the minimum fill time.
    time.sleep(3.5)
    browser.port = WEB2_PORT
    browser.close()
    post = browser.post(FORM, fields)
    thanks = (
        browser.get(post.headers.get("location", "/")) if post.status == 303 else post
    )
    return {
        "form_from": "node 1",
        "posted_to": "node 2",
        "post_status": post.status,
        "thank_you_status": thanks.status,
        "thank_you_page": post.status == 303 and thanks.status == 200,
    }


# -- 2. the rate limit is shared ----------------------------------------------
def shared_rate_limit(stack, location_slug):
    statuses = []
    for i in range(RATE_LIMIT + 2):
        port = (WEB_PORT, WEB2_PORT)[i % 2]
        browser = direct(port, "203.0.113.7")
        page = browser.get(FORM)
        fields = form_fields(page, 9100 + i, location_slug, "Limit")
        fields["form_token"] = stack.mint_form_token(age=10)
        statuses.append((port, browser.post(FORM, fields).status))
    accepted = [s for _p, s in statuses if s == 303]
    return {
        "limit_per_hour": RATE_LIMIT,
        "posts_alternating_nodes": len(statuses),
        "statuses": [s for _p, s in statuses],
        "accepted": len(accepted),
        "refused_429": sum(1 for _p, s in statuses if s == 429),
        "counted_across_nodes": len(accepted) == RATE_LIMIT
        and all(s == 429 for _p, s in statuses[RATE_LIMIT:]),
    }


# -- 3. edits and media ---------------------------------------------------------
class ChangeForm(HTMLParser):
    """The values a browser would send back from an admin change form."""

    def __init__(self):
        super().__init__()
        self.fields = {}
        self._select = self._textarea = None
        self._text = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind in ("submit", "file", "button"):
                return
            self.fields.setdefault(name, []).append(
                a.get("value", "on" if kind == "checkbox" else "")
            )
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.fields.setdefault(self._select, []).append(a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.fields[self._textarea] = ["".join(self._text).removeprefix("\n")]
            self._textarea = None


def admin_login(stack):
    from django.contrib.auth import get_user_model
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    password = secrets.token_urlsafe(16)
    user = get_user_model().objects.create_superuser(
        "drill-editor", "drill-editor@clinic.example", password
    )
    device = TOTPDevice.objects.create(user=user, name="drill", confirmed=True)
    browser = direct(WEB_PORT, "198.51.100.20")
    page = browser.get(f"{ADMIN}login/")
    fields = hidden_fields(parse_first_form(page.text))
    token = TOTP(device.bin_key, device.step, device.t0, device.digits).token()
    fields.update(
        username=user.username, password=password, otp_token=f"{token:06d}", next=ADMIN
    )
    response = browser.post(f"{ADMIN}login/", fields)
    if response.status != 302:
        raise RuntimeError(f"admin sign-in on node 1 answered {response.status}")
    return browser


def parse_first_form(html):
    return harness.parse_forms(html)[0]


def png_bytes(width, height):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (60, 120, 160)).save(buffer, format="PNG")
    return buffer.getvalue()


def wait_until(check, limit=30.0):
    started = time.monotonic()
    while time.monotonic() - started < limit:
        if check():
            return round(time.monotonic() - started, 2)
        time.sleep(0.1)
    return None


def edits_and_media(stack, location):
    path = location.get_absolute_url()
    marker = f"Drill edit {secrets.token_hex(4)}"
    # Warm the page cache on node 2 and in nginx, so freshness is tested.
    node2, via_lb = direct(WEB2_PORT, "198.51.100.30"), lb("198.51.100.31")
    for browser in (node2, via_lb):
        browser.get(path), browser.get(path)

    admin = admin_login(stack)
    change = f"{ADMIN}locations/location/{location.pk}/change/"
    page = admin.get(change)
    parser = ChangeForm()
    parser.feed(page.text)
    fields = parser.fields
    fields["transit_notes"] = [marker]
    fields["photo_alt"] = ["The clinic's front door"]
    fields["_save"] = ["Save"]
    saved_at = time.monotonic()
    response = admin.post(
        change,
        fields,
        files={"photo": ("front-door.png", png_bytes(1600, 1000), "image/png")},
    )
    if response.status != 302:
        errors = re.findall(
            r'class="errorlist[^"]*"[^>]*>(.*?)</ul>', response.text, re.S
        )
        raise RuntimeError(
            f"admin save on node 1 answered {response.status}: {errors[:3]}"
        )
    save_seconds = round(time.monotonic() - saved_at, 2)

    def fresh(browser):
        return lambda: marker in browser.get(path).text

    node2_fresh = wait_until(fresh(node2))
    lb_fresh = wait_until(fresh(via_lb))
    html = node2.get(path).text
    srcset = re.search(r'srcset="([^"]+)"', html)
    urls = (
        [c.strip().split(" ")[0] for c in srcset.group(1).split(",")] if srcset else []
    )
    media = []
    for url in urls:
        media_path = url.removeprefix(f"http://{HOST}")
        got = lb("198.51.100.32").get(media_path)
        media.append(
            {"path": media_path, "status": got.status, "type": got.headers.get("content-type"),
             "cache_control": got.headers.get("cache-control")}
        )  # fmt: skip

    # An article edit saved outside node 2 (by this driver, production settings).
    from pages.models import Article

    article = (
        Article.objects.filter(status=Article.Status.PUBLISHED).order_by("pk").first()
    )
    a_path = article.get_absolute_url()
    for browser in (node2, via_lb):
        browser.get(a_path), browser.get(a_path)
    a_marker = f"Drill article edit {secrets.token_hex(4)}"
    article.summary = f"{article.summary} {a_marker}"
    article.save()
    article_node2 = wait_until(lambda: a_marker in node2.get(a_path).text)
    article_lb = wait_until(lambda: a_marker in via_lb.get(a_path).text)

    return {
        "location_edit_via_node1_admin": {
            "save_status": response.status,
            "save_seconds": save_seconds,
            "fresh_on_node2_after_s": node2_fresh,
            "fresh_through_nginx_after_s": lb_fresh,
        },
        "article_edit": {
            "saved_by": "drill driver (production settings), not node 2",
            "fresh_on_node2_after_s": article_node2,
            "fresh_through_nginx_after_s": article_lb,
        },
        "photo_on_node2_page": {
            "renditions_linked": len(urls),
            "all_from_bucket_via_site": bool(urls)
            and all(m["status"] == 200 and m["type"] == "image/webp" for m in media),
            "fetched": media,
        },
    }


# -- 4 and 5. load with two mail workers; node 1 stopped half-way ---------------
def submit(stack, n, location_slug):
    browser = lb(address_of(n))
    started = time.perf_counter()
    page = browser.get(FORM)
    if page.status != 200:
        return {
            "n": n,
            "get": page.status,
            "post": 0,
            "seconds": 0,
            "error": page.error,
        }
    fields = form_fields(page, n, location_slug, "Two")
    fields["form_token"] = stack.mint_form_token(age=10)
    post = browser.post(FORM, fields)
    return {"n": n, "get": page.status, "post": post.status,
            "seconds": time.perf_counter() - started, "error": post.error}  # fmt: skip


def load_with_node_stop(stack, location_slug):
    done = []
    stopped = {}

    def one(n):
        result = submit(stack, n, location_slug)
        done.append(n)
        if len(done) == STOP_AFTER and not stopped:
            stopped["at"] = time.time()
            stopped["after_submissions"] = len(done)
            log(f"two-nodes: stopping node 1 (SIGTERM) after {len(done)} submissions")
            stack.stop("node1")
        return result

    log(f"two-nodes: {COUNT} submissions through nginx, {CONCURRENCY} at a time")
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        results = list(pool.map(one, range(COUNT)))
    return results, stopped


def main():
    with TwoNodes() as stack:
        from mailer.models import Message, MessageLog

        from consultations.models import ConsultationRequest

        location = open_location(stack)
        stack.smtp("up")
        stack.start_node("node1", WEB_PORT)
        stack.start_node("node2", WEB2_PORT)
        stack.start_nginx()
        log("two-nodes: node 1, node 2, nginx and the object store are up")

        cross = cross_node_form(stack, location.slug)
        log(f"two-nodes: cross-node form {cross}")
        limit = shared_rate_limit(stack, location.slug)
        log(f"two-nodes: shared rate limit {limit}")
        edits = edits_and_media(stack, location)
        log(f"two-nodes: edits and media {json.dumps(edits)}")

        before = set(ConsultationRequest.objects.values_list("pk", flat=True))
        log_start = {n: len(stack.node_log(n)) for n in ("node1", "node2")}
        stack.start_worker_named("mailworker-1")
        stack.start_worker_named("mailworker-2")
        results, stopped = load_with_node_stop(stack, location.slug)

        drained_from = time.time()
        while time.time() - drained_from < DRAIN_LIMIT:
            counts = stack.queue_counts()
            if counts["queued"] == 0 and counts["deferred"] == 0:
                break
            time.sleep(0.5)
        time.sleep(2)
        workers_alive = [stack.alive(n) for n in ("mailworker-1", "mailworker-2")]

        accepted = [r for r in results if r["post"] == 303]
        stored = set(
            ConsultationRequest.objects.exclude(pk__in=before)
            .filter(first_name__startswith="Two")
            .values_list("first_name", flat=True)
        )
        lost = [r["n"] for r in accepted if f"Two{r['n']}" not in stored]
        # A POST that got an error must not have been stored either: the
        # patient, told it failed, would send it again.
        refused = [r for r in results if r["post"] != 303]
        stored_despite_error = [r["n"] for r in refused if f"Two{r['n']}" in stored]
        per_id = Counter(d["message_id"] for d in stack.deliveries())
        sent_logs = MessageLog.objects.filter(result="1").count()
        node_posts = {
            name: len(
                re.findall(
                    r"POST /consultation/ 303", stack.node_log(name)[log_start[name] :]
                )
            )
            for name in ("node1", "node2")
        }
        load = {
            "submissions": COUNT,
            "concurrency": CONCURRENCY,
            "node1_stopped_after": stopped.get("after_submissions"),
            "accepted_303": len(accepted),
            "other_post_statuses": dict(
                Counter(str(r["post"]) for r in results if r["post"] != 303)
            ),
            "form_get_failures": sum(1 for r in results if r["get"] != 200),
            "rows_stored": len(stored),
            "lost": len(lost),
            "errors_shown_not_stored": len(refused) - len(stored_despite_error),
            "stored_despite_error": len(stored_despite_error),
            "accepted_by_node": node_posts,
            "latency": latency_summary([r["seconds"] for r in accepted]),
        }
        mail = {
            "workers": 2,
            "workers_still_running": workers_alive,
            "queue_after_drain": stack.queue_counts(),
            "messages_in_queue_table": Message.objects.count(),
            "sent_log_rows": sent_logs,
            "distinct_messages_delivered": len(per_id),
            "deliveries": sum(per_id.values()),
            "delivered_twice": sum(1 for c in per_id.values() if c > 1),
        }
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
        cpu = next(
            (line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
            platform.processor(),
        )  # fmt: skip
        stack.write_result(
            {
                "commit": commit,
                "date": time.strftime("%Y-%m-%d", time.gmtime()),
                "machine_line": f"{os.cpu_count()} CPUs, {cpu}, {platform.system()} {platform.release()}, "
                f"load {' '.join(f'{x:.2f}' for x in os.getloadavg())} at the end",
                "command": "bash bench/drills/run_all.sh two_nodes",
                "environment": {
                    "TWO_NODE_COUNT": COUNT,
                    "TWO_NODE_CONCURRENCY": CONCURRENCY,
                    "GUNICORN_WORKERS": 2,
                    "GUNICORN_THREADS": 2,
                },  # fmt: skip
                "cross_node_form": cross,
                "shared_rate_limit": limit,
                **edits,
                "load_with_node1_stopped": load,
                "mail_two_workers": mail,
            }
        )
        ok = (
            cross["thank_you_page"]
            and limit["counted_across_nodes"]
            and edits["location_edit_via_node1_admin"]["fresh_on_node2_after_s"]
            is not None
            and edits["article_edit"]["fresh_on_node2_after_s"] is not None
            and edits["photo_on_node2_page"]["all_from_bucket_via_site"]
            and load["lost"] == 0
            and load["stored_despite_error"] == 0
            and load["rows_stored"] == load["accepted_303"]
            and load["form_get_failures"] == 0
            and mail["delivered_twice"] == 0
            and mail["distinct_messages_delivered"] == mail["sent_log_rows"]
            and mail["queue_after_drain"] == {"queued": 0, "deferred": 0}
        )
        log(f"two-nodes: {'PASS' if ok else 'FAIL'}")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
