"""Shared machinery for the fault drills.

A ``Stack`` is the production set-up on loopback: a private PostgreSQL cluster
(so restarting it disturbs nobody else), Redis, gunicorn with
``gunicorn.conf.py`` and the production settings, the ``mailworker`` process
and an SMTP sink. ``Browser`` is a small HTTP client that behaves like a
patient's browser behind the TLS proxy (cookies, CSRF, X-Forwarded-Proto).

Each drill is its own process: Django is set up in the driver with the same
environment as the servers, so the drill can count rows and mint form tokens.
"""

import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
PYTHON = sys.executable
BIN = Path(PYTHON).parent
PG_VERSION = (
    os.environ.get("DRILL_PG_VERSION") or sorted(os.listdir("/usr/lib/postgresql"))[-1]
)
# A drill running beside another one (its own ports) needs its own cluster name.
CLUSTER = os.environ.get("DRILL_PG_CLUSTER", "wth_drill")
PG_PORT = int(os.environ.get("DRILL_PG_PORT", 8790))
SMTP_PORT = int(os.environ.get("DRILL_SMTP_PORT", 8791))
WEB_PORT = int(os.environ.get("DRILL_WEB_PORT", 8792))
REDIS_URL = os.environ.get("DRILL_REDIS_URL", "redis://127.0.0.1:6379/14")
HOST = "clinic.example"
PHONE_TEL = "+15105550100"
from bench.provenance import provenance, results_dir  # noqa: E402

RESULTS = results_dir() / "drills"
RAW = results_dir() / "raw" / "drills"
# Real US area codes; 555-0100 to 555-0199 is reserved for fiction in each.
AREA_CODES = [
    201, 202, 203, 205, 206, 207, 208, 209, 210, 212, 213, 214, 215, 216, 217,
    218, 219, 224, 225, 228, 229, 231, 234, 239, 240, 248, 251, 252, 253, 254,
    256, 260, 262, 267, 269, 270, 276, 281, 301, 302, 303, 304, 305, 307, 308,
    309, 310, 312, 313, 314, 315, 316, 317, 318, 319, 320, 321, 323, 325, 330,
    334, 336, 337, 339, 347, 351, 352, 360, 361, 385, 386, 401, 402, 404, 405,
    406, 407, 408, 409, 410, 412, 413, 414, 415, 417, 419, 423, 424, 425, 430,
    432, 434, 435, 440, 442, 443, 458, 469, 470, 475, 478, 479, 480, 484, 501,
    502, 503, 504, 505, 507, 508, 509, 510, 512, 513, 515, 516, 517, 518, 520,
]  # fmt: skip


def log(message):
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())}Z] {message}", flush=True)  # noqa: T201 - drills report on stdout


def fictional_phone(n: int) -> str:
    """The n-th distinct fictional number: (AAA) 555-01xx."""
    area = AREA_CODES[(n // 100) % len(AREA_CODES)]
    return f"({area}) 555-01{n % 100:02d}"


def percentile(values, pct):
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def latency_summary(seconds):
    return {
        "count": len(seconds),
        **{
            f"p{p}_ms": round(percentile(seconds, p) * 1000, 1) if seconds else None
            for p in (50, 95, 99)
        },
        "max_ms": round(max(seconds) * 1000, 1) if seconds else None,
    }


def machine_load():
    one, five, fifteen = os.getloadavg()
    return {
        "cpus": os.cpu_count(),
        "loadavg_1_5_15": [round(one, 2), round(five, 2), round(fifteen, 2)],
    }


def run(cmd, **kwargs):
    kwargs.setdefault("check", True)
    kwargs.setdefault("capture_output", True)
    kwargs.setdefault("text", True)
    return subprocess.run(cmd, **kwargs)


def wait_for_port(port, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listening on {port} after {timeout}s")


def port_is_free(port):
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


class Cluster:
    """A PostgreSQL cluster of our own on PG_PORT."""

    def exists(self):
        listing = run(["pg_lsclusters", "--no-header"]).stdout.split("\n")
        return any(line.split()[:2] == [PG_VERSION, CLUSTER] for line in listing)

    def create(self):
        if self.exists():
            self.drop()
        run(
            [
                "pg_createcluster", PG_VERSION, CLUSTER, "-p", str(PG_PORT),
                "--start", "--", "--auth-host=trust", "--auth-local=trust",
            ]
        )  # fmt: skip
        self.wait_ready()

    def wait_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready = subprocess.run(
                ["pg_isready", "-q", "-h", "127.0.0.1", "-p", str(PG_PORT)]
            )
            if ready.returncode == 0:
                return
            time.sleep(0.2)
        raise TimeoutError("private PostgreSQL cluster did not come up")

    def _ctl(self, action, *extra):
        run(["pg_ctlcluster", *extra, PG_VERSION, CLUSTER, action])

    def stop(self):
        self._ctl("stop", "--skip-systemctl-redirect", "-m", "fast")

    def start(self):
        self._ctl("start", "--skip-systemctl-redirect")
        self.wait_ready()

    def restart(self):
        self._ctl("restart", "--skip-systemctl-redirect", "-m", "fast")
        self.wait_ready()

    def drop(self):
        run(["pg_dropcluster", PG_VERSION, CLUSTER, "--stop"], check=False)

    def psql(self, sql, db="postgres"):
        return run(
            ["psql", "-h", "127.0.0.1", "-p", str(PG_PORT), "-U", "postgres",
             "-d", db, "-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql]
        ).stdout  # fmt: skip


class Stack:
    """Everything the site needs in production, on loopback, torn down on exit."""

    def __init__(self, name, *, env=None, workers=None):
        self.name = name
        self.db = f"wt_hardening_{name.replace('-', '_')}"
        self.raw = RAW / name
        self.cluster = Cluster()
        self.procs: dict[str, subprocess.Popen] = {}
        self.sink_log = self.raw / "smtp.jsonl"
        clean = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DJANGO_", "GUNICORN_", "MAILER_", "EMAIL_"))
            and k not in {"DATABASE_URL", "REDIS_URL"}
        }
        self.env = {
            **clean,
            "DJANGO_SETTINGS_MODULE": "clinic_site.settings.prod",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": f"{HOST},127.0.0.1",
            "DJANGO_ADMIN_URL": "staff-drill/",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{PG_PORT}/{self.db}",
            "REDIS_URL": REDIS_URL,
            "EMAIL_URL": f"smtp://127.0.0.1:{SMTP_PORT}",
            "DEFAULT_FROM_EMAIL": "Lanternfield Clinics <no-reply@clinic.example>",
            "SITE_URL": f"https://{HOST}",
            "CLINIC_ESCALATION_EMAIL": "escalation@clinic.example",
            "CLINIC_FALLBACK_NAME": "Lanternfield Ketamine Clinics",
            "CLINIC_FALLBACK_PHONE": PHONE_TEL,
            # Staging-only: every drill client shares 127.0.0.1.
            "DJANGO_FORM_RATE_LIMIT": "1000000/h",
            "CLINIC_MAIL_RETRY_BASE_SECONDS": "2",
            "MAILER_EMPTY_QUEUE_SLEEP": "1",
            "GUNICORN_BIND": f"127.0.0.1:{WEB_PORT}",
            "PYTHONUNBUFFERED": "1",
            **({"GUNICORN_WORKERS": str(workers)} if workers else {}),
            **(env or {}),
        }

    # -- lifecycle ---------------------------------------------------------
    def __enter__(self):
        if self.cluster.exists():
            self.cluster.drop()  # left over from an interrupted drill
        for port in (PG_PORT, SMTP_PORT, WEB_PORT):
            if not port_is_free(port):
                raise RuntimeError(f"port {port} is busy; is another drill running?")
        shutil.rmtree(self.raw, ignore_errors=True)
        self.raw.mkdir(parents=True)
        RESULTS.mkdir(parents=True, exist_ok=True)
        log(f"{self.name}: private PostgreSQL {PG_VERSION} cluster on {PG_PORT}")
        self.cluster.create()
        self.cluster.psql(f"CREATE DATABASE {self.db}")
        run(["redis-cli", "-u", REDIS_URL, "FLUSHDB"])
        for command in (
            ["migrate", "--noinput"],
            ["load_demo_data"],
            ["collectstatic", "--noinput", "-v0"],
        ):
            self.manage(*command)
        os.environ.update(self.env)
        import django

        django.setup()
        return self

    def __exit__(self, *exc):
        for name in list(self.procs):
            self.stop(name)
        self.cluster.drop()
        return False

    def manage(self, *args, check=True):
        return run(
            [PYTHON, str(ROOT / "manage.py"), *args],
            cwd=ROOT,
            env=self.env,
            check=check,
        )

    def _spawn(self, name, cmd, cwd=ROOT):
        logfile = open(self.raw / f"{name}.log", "ab")
        self.procs[name] = subprocess.Popen(
            cmd, cwd=cwd, env=self.env, stdout=logfile, stderr=subprocess.STDOUT
        )
        return self.procs[name]

    def stop(self, name, sig=signal.SIGTERM, timeout=30):
        proc = self.procs.pop(name, None)
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(sig)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def alive(self, name):
        proc = self.procs.get(name)
        return proc is not None and proc.poll() is None

    # -- services ----------------------------------------------------------
    def start_web(self):
        self._spawn(
            "gunicorn",
            [str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"),
             "clinic_site.wsgi:application"],
        )  # fmt: skip
        wait_for_port(WEB_PORT)
        Browser().get("/healthz", host="127.0.0.1")

    def start_worker(self):
        # Its own working directory: django-mailer's lock file lands there.
        return self._spawn(
            "mailworker", [PYTHON, str(ROOT / "manage.py"), "mailworker"], cwd=self.raw
        )

    def smtp(self, mode):
        """Switch the SMTP server: "up", "blackhole" or "down"."""
        self.stop("smtp")
        if mode == "down":
            return
        self._spawn(
            "smtp",
            [PYTHON, str(Path(__file__).with_name("smtp_sink.py")),
             "--port", str(SMTP_PORT), "--mode", mode, "--out", str(self.sink_log)],
        )  # fmt: skip
        wait_for_port(SMTP_PORT)

    def deliveries(self):
        if not self.sink_log.exists():
            return []
        with open(self.sink_log) as lines:
            return [json.loads(line) for line in lines if line.strip()]

    def worker_log(self):
        path = self.raw / "mailworker.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def gunicorn_log(self):
        path = self.raw / "gunicorn.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def status_count(self, status):
        """Responses with this status in gunicorn's access log."""
        pattern = re.compile(rf"^[A-Z]+ \S+ {status} ", re.MULTILINE)
        return len(pattern.findall(self.gunicorn_log()))

    def mint_form_token(self, age=10):
        """A render-time token as if the form had been open for ``age`` seconds."""
        from core.protection import make_form_token

        return make_form_token(now=time.time() - age)

    def queue_counts(self):
        from django.db import close_old_connections
        from mailer.models import Message

        close_old_connections()
        return {
            "queued": Message.objects.non_deferred().count(),
            "deferred": Message.objects.deferred().count(),
        }

    def write_result(self, result):
        result = {"drill": self.name, "finished": time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime()),
                  "machine": machine_load(), **result}  # fmt: skip
        script = Path(sys.argv[0]).resolve()
        result["provenance"] = provenance(str(script.relative_to(ROOT)))
        path = RESULTS / f"{self.name}.json"
        path.write_text(json.dumps(result, indent=2, default=str) + "\n")
        log(f"{self.name}: results in {path}")
        return result


# -- a patient's browser ------------------------------------------------------
@dataclass
class Response:
    status: int
    headers: dict
    body: bytes
    elapsed: float
    error: str = ""

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")


@dataclass
class Browser:
    cookies: dict = field(default_factory=dict)
    timeout: float = 30.0
    # Which server on loopback, and what the proxy in front would say: "https"
    # (gunicorn straight, as behind TLS) or "http" (through a plain-HTTP nginx,
    # which sets X-Forwarded-Proto itself).
    port: int = WEB_PORT
    scheme: str = "https"
    headers: dict = field(default_factory=dict)

    def __post_init__(self):
        self._conn = None

    def _connection(self):
        if self._conn is None:
            self._conn = HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        return self._conn

    def request(self, method, path, body=None, headers=None, host=HOST):
        send = {
            "Host": host,
            "X-Forwarded-Proto": self.scheme,
            "User-Agent": "clinic-drill/1",
            **self.headers,
            **(headers or {}),
        }
        if self.cookies:
            send["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        started = time.perf_counter()
        for attempt in (1, 2):
            try:
                conn = self._connection()
                conn.request(method, path, body=body, headers=send)
                raw = conn.getresponse()
                data = raw.read()
                break
            except (OSError, ConnectionError) as exc:
                self.close()
                # A kept-alive connection the server closed: retry once, but
                # never re-send a POST (a real browser would not either).
                if attempt == 2 or method == "POST":
                    return Response(
                        0, {}, b"", time.perf_counter() - started, repr(exc)
                    )
        headers = {}
        for name, value in raw.getheaders():
            if name.lower() == "set-cookie":
                cookie_name, _, rest = value.partition("=")
                self.cookies[cookie_name.strip()] = rest.split(";")[0]
            headers[name.lower()] = value
        if headers.get("connection", "").lower() == "close":
            self.close()
        return Response(raw.status, headers, data, time.perf_counter() - started)

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, fields, referer=None, files=None):
        """A form POST; ``files`` ({name: (filename, bytes, type)}) makes it multipart."""
        if files:
            boundary = secrets.token_hex(16)
            body = _multipart(boundary, fields, files)
            content_type = f"multipart/form-data; boundary={boundary}"
        else:
            body = urlencode(fields, doseq=True)
            content_type = "application/x-www-form-urlencoded"
        headers = {
            "Content-Type": content_type,
            "Referer": referer or f"{self.scheme}://{HOST}{path}",
            "Origin": f"{self.scheme}://{HOST}",
        }
        return self.request("POST", path, body=body, headers=headers)

    def close(self):
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def _multipart(boundary, fields, files):
    parts = []
    for name, values in fields.items():
        for value in values if isinstance(values, list) else [values]:
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"'
                f"\r\n\r\n{value}\r\n".encode()
            )
    for name, (filename, content, content_type) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
    return b"".join(parts) + f"--{boundary}--\r\n".encode()


class FormParser(HTMLParser):
    """Every <form>: its action and (name, value) pairs a browser would send."""

    def __init__(self):
        super().__init__()
        self.forms = []
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attrs.get("action", ""), "fields": {},
                               "options": {}})  # fmt: skip
        if not self.forms:
            return
        form = self.forms[-1]
        name = attrs.get("name")
        if tag == "input" and name:
            form["fields"].setdefault(name, []).append(attrs)
        elif tag == "select" and name:
            self._select = name
            form["options"][name] = []
        elif tag == "option" and self._select and "disabled" not in attrs:
            form["options"][self._select].append(attrs.get("value", ""))
        elif tag == "textarea" and name:
            form["fields"].setdefault(name, []).append({"type": "textarea"})

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def parse_forms(html):
    parser = FormParser()
    parser.feed(html)
    return parser.forms


def hidden_fields(form):
    return {
        name: attrs[0].get("value", "")
        for name, attrs in form["fields"].items()
        if attrs[0].get("type") == "hidden"
    }


def find_form(html, has_field):
    for form in parse_forms(html):
        if has_field in form["fields"] or has_field in form["options"]:
            return form
    raise LookupError(f"no form with a {has_field!r} field on the page")


class Killer(threading.Thread):
    """Calls ``action`` ``times`` times at random intervals in [low, high] s."""

    def __init__(self, action, times, low, high):
        super().__init__(daemon=True)
        self.action, self.times, self.low, self.high = action, times, low, high
        self.done = 0
        self.stop_event = threading.Event()

    def run(self):
        while self.done < self.times and not self.stop_event.is_set():
            if self.stop_event.wait(random.uniform(self.low, self.high)):
                return
            self.action()
            self.done += 1
