"""At least 10,000 Hypothesis-generated hostile requests through the WSGI stack.

Targets: the consultation form, the waitlist form, and the admin change lists
(search box and filters) of consultation requests and waitlist entries.

Every request goes through Django's WSGIHandler with the *production* settings
(all middleware, CSRF, sessions and the database on PostgreSQL, cache and rate
limits on Redis), built as raw WSGI environs so that the bodies can carry what a
browser never would: invalid UTF-8, NUL bytes, CR/LF, 1 MB fields, duplicate
and unknown keys, the wrong content type.

Counted, and expected to be 0: responses with status 500, rows stored from
input that had to be refused, extra email recipients or headers, stored rows
whose triage fields were set from the form, and search terms reflected
unescaped. Run: ``python bench/fuzz.py`` (FUZZ_SCALE=0.1 for a quick pass).
"""

import io
import itertools
import json
import logging
import os
import re
import secrets
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote_from_bytes

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench" / "drills"))

from harness import fictional_phone, find_form, hidden_fields  # noqa: E402

from bench.provenance import provenance, results_dir  # noqa: E402

SCALE = float(os.environ.get("FUZZ_SCALE", 1))
PLAN = {
    "consultation_form": 4000,
    "waitlist_form": 2500,
    "admin_search": 2000,
    "admin_filters": 1500,
}
DB = os.environ.get("FUZZ_DB", "wt_hardening_fuzz")
PG = os.environ.get("FUZZ_PG", "postgres://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("FUZZ_REDIS_URL", "redis://127.0.0.1:6379/14")
HOST = "clinic.example"
ADMIN = "staff-fuzz/"
RESULT_PATH = results_dir() / "drills" / "fuzz.json"

HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "{{ settings.SECRET_KEY }}",
    "{% debug %}",
    "' OR '1'='1' --",
    "'; DROP TABLE consultations_consultationrequest; --",
    "jane@example.org\r\nBcc: victim@example.org",
    "Jane\r\nSubject: pwned\r\nBcc: victim@example.org",
    "Jane%0d%0aBcc:victim@example.org",
    "\u202eevil\u202c",
    "a\x00b",
    "\x00",
    "\u2028\u2029",
    "\ufeff",
    "%s%s%s%n",
    "${jndi:ldap://127.0.0.1/a}",
    "../../../../etc/passwd",
    "😀" * 40,
    "e\u0301" * 30,
    "NaN",
    "-1",
    "0",
    "99999999999999999999999",
    "1e309",
    "[]",
    "{}",
    "null",
    "true",
    " ",
    "\t\n",
]
LONG = ["x" * 61, "y" * 201, "é" * 1001, "😀" * 2000, "A" * 100_000, "B" * 1_000_000]
MISSING = object()
MASS_ASSIGNMENT = [
    "status",
    "assigned_to",
    "assigned_to_id",
    "urgent",
    "created_at",
    "reference",
    "id",
    "pk",
    "location_id",
    "internal_notes",
    "repeat_of",
    "submission_token",
    "ip_hash",
    "consented_at",
    "staff_notification_id",
    "closed_at",
    "personal_data_purged_at",
]


def log(message):
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())}Z] {message}", flush=True)  # noqa: T201


# -- environment ----------------------------------------------------------------
def prepare():
    env = {
        "DJANGO_SETTINGS_MODULE": "clinic_site.settings.prod",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DJANGO_ADMIN_URL": ADMIN,
        "DATABASE_URL": f"{PG}/{DB}",
        "REDIS_URL": REDIS_URL,
        # Nothing delivers mail during the fuzz: queued messages are inspected.
        "EMAIL_URL": "smtp://127.0.0.1:9",
        "DEFAULT_FROM_EMAIL": "Lanternfield Clinics <no-reply@clinic.example>",
        "SITE_URL": f"https://{HOST}",
        "CLINIC_ESCALATION_EMAIL": "escalation@clinic.example",
        "CLINIC_FALLBACK_PHONE": "+15105550100",
        "DJANGO_FORM_RATE_LIMIT": "100000000/h",
        "DJANGO_LOG_LEVEL": "INFO",
    }
    for name in list(os.environ):
        if name.startswith(("DJANGO_", "EMAIL_", "MAILER_")):
            del os.environ[name]
    os.environ.update(env)
    admin_db = f"{PG}/postgres"
    subprocess.run(
        ["psql", admin_db, "-qc", f"DROP DATABASE IF EXISTS {DB}"], check=True
    )
    subprocess.run(["psql", admin_db, "-qc", f"CREATE DATABASE {DB}"], check=True)
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command

    quiet = open(os.devnull, "w")
    call_command("migrate", verbosity=0, stdout=quiet)
    call_command("load_demo_data", stdout=quiet)
    call_command("collectstatic", interactive=False, verbosity=0, stdout=quiet)
    cache.clear()
    capture_logs()


LOG_COUNTS = Counter()
RAW_LOG = ROOT / "bench" / "results" / "raw" / "fuzz.log"


class _Counting(logging.Handler):
    def emit(self, record):
        LOG_COUNTS[f"{record.levelname} {record.name}"] += 1


def capture_logs():
    """Send the site's log lines to a file (thousands of refused requests are
    logged) and count them by level and logger for the report."""
    from core.logging import OneLineFormatter

    RAW_LOG.parent.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    to_file = logging.FileHandler(RAW_LOG, mode="w")
    to_file.setFormatter(
        OneLineFormatter("%(asctime)s %(levelname)s %(name)s %(message)s")
    )
    root.addHandler(to_file)
    root.addHandler(_Counting())


def drop_database():
    from django.db import connections

    connections.close_all()
    subprocess.run(
        ["psql", f"{PG}/postgres", "-qc", f"DROP DATABASE IF EXISTS {DB}"],
        check=False,
    )


# -- a WSGI client that sends exactly the bytes it is given --------------------
def encode_pairs(pairs):
    def enc(value):
        if isinstance(value, str):
            value = value.encode("utf-8", "surrogatepass")
        return quote_from_bytes(value, safe="")

    return "&".join(f"{enc(k)}={enc(v)}" for k, v in pairs).encode("ascii")


class WsgiClient:
    def __init__(self):
        from django.core.handlers.wsgi import WSGIHandler

        self.app = WSGIHandler()
        self.cookies = {}

    def request(self, method, path, *, query=b"", body=b"", content_type=""):
        environ = {
            "REQUEST_METHOD": method,
            "SCRIPT_NAME": "",
            "PATH_INFO": path,
            "QUERY_STRING": query.decode("latin-1"),
            "SERVER_NAME": HOST,
            "SERVER_PORT": "443",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": HOST,
            "HTTP_X_FORWARDED_PROTO": "https",
            "HTTP_USER_AGENT": "clinic-fuzz/1",
            "HTTP_REFERER": f"https://{HOST}{path}",
            "HTTP_ORIGIN": f"https://{HOST}",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": io.StringIO(),
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
            "CONTENT_LENGTH": str(len(body)),
        }
        if content_type:
            environ["CONTENT_TYPE"] = content_type
        if self.cookies:
            environ["HTTP_COOKIE"] = "; ".join(
                f"{k}={v}" for k, v in self.cookies.items()
            )
        captured = {}

        def start_response(status, headers, exc_info=None):
            captured["status"] = int(status.split()[0])
            captured["headers"] = headers

        result = self.app(environ, start_response)
        try:
            content = b"".join(result)
        finally:
            getattr(result, "close", lambda: None)()
        for name, value in captured["headers"]:
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";")[0]
        return captured["status"], dict(captured["headers"]), content


def form_on(client, path, field):
    status, _headers, body = client.request("GET", path)
    assert status == 200, (path, status)
    form = find_form(body.decode(), field)
    return form, hidden_fields(form)


# -- strategies -------------------------------------------------------------------
def strategies():
    from hypothesis import strategies as st

    text = st.one_of(
        st.text(max_size=60),
        st.text(st.characters(codec="utf-8"), max_size=300),
        st.sampled_from(HOSTILE),
        st.builds(lambda a, b: a + b, st.sampled_from(HOSTILE), st.text(max_size=20)),
        # Raw bytes: mostly invalid UTF-8, lone surrogates included.
        st.binary(max_size=40),
        st.sampled_from([b"\xed\xa0\x80", b"\xff\xfe", b"\xc0\xaf", b"caf\xe9"]),
    )
    value = st.one_of(text, text, text, st.sampled_from(LONG))
    return st, text, value


def _shorten(sample, limit=80):
    """A readable sample: every field, each value cut to ``limit`` characters."""
    if isinstance(sample, dict):
        return {k: _shorten(v, limit) for k, v in sample.items()}
    if isinstance(sample, list | tuple):
        return [_shorten(v, limit) for v in sample[:40]]
    text = repr(sample)
    return text if len(text) <= limit else text[:limit] + f"...({len(text)})"


class Tally:
    def __init__(self, name):
        self.name = name
        self.cases = 0
        self.statuses = Counter()
        self.failures = Counter()
        self.samples = {}
        self.started = time.time()

    def fail(self, kind, sample):
        self.failures[kind] += 1
        self.samples.setdefault(kind, _shorten(sample))

    def result(self):
        return {
            "cases": self.cases,
            "seconds": round(time.time() - self.started, 1),
            "statuses": dict(sorted(self.statuses.items())),
            "failures": dict(self.failures),
            "failure_samples": self.samples,
        }


def run_hypothesis(strategy, check, examples):
    from hypothesis import HealthCheck, Phase, given, settings

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def body(case):
        check(case)

    body()


# -- mail checks --------------------------------------------------------------------
class MailWatch:
    """Checks every message queued since the last look: recipients and headers."""

    def __init__(self, staff_addresses, expected_headers):
        from mailer.models import Message

        self.Message = Message
        self.staff = {a.lower() for a in staff_addresses}
        self.expected_headers = expected_headers
        self.last_id = (
            Message.objects.order_by("-id").values_list("id", flat=True).first() or 0
        )

    def new_problems(self, patient_email):
        allowed = self.staff | ({patient_email.lower()} if patient_email else set())
        problems = []
        for message in self.Message.objects.filter(id__gt=self.last_id).order_by("id"):
            self.last_id = message.id
            email = message.email
            recipients = {r.lower() for r in email.recipients()}
            if recipients - allowed or email.cc or email.bcc:
                problems.append(("extra_recipients", sorted(recipients - allowed)))
            try:
                mime = email.message()
            except Exception as exc:  # noqa: BLE001 - counted, not raised
                problems.append(("unbuildable_email", type(exc).__name__))
                continue
            names = {name.lower() for name in mime.keys()}
            if names - self.expected_headers:
                problems.append(
                    ("extra_headers", sorted(names - self.expected_headers))
                )
            # A line break followed by a space or tab is folding; any other
            # would start a header of the attacker's choosing.
            unfolded = [re.sub(r"\r?\n[ \t]", " ", str(v)) for v in mime.values()]
            if any("\n" in v or "\r" in v for v in unfolded):
                problems.append(("header_line_break", email.subject[:80]))
        return problems


# -- targets ------------------------------------------------------------------------
def fuzz_public_form(
    tally, *, page, path, model, valid, choices, required, examples, email_of
):
    """Hostile variations of a valid submission of the form at ``path``."""
    from django.db import close_old_connections

    st, text, value = strategies()
    client = WsgiClient()
    form, hidden = form_on(client, page, "website")
    counter = itertools.count(10_000)
    mail = MailWatch(STAFF_ADDRESSES, EXPECTED_HEADERS)
    from core.protection import make_form_token

    kinds = [
        "replace",
        "replace",
        "drop",
        "duplicate",
        "extra",
        "bad_choice",
        "nul",
        "too_long",
        "token",
        "honeypot",
        "crlf",
        "many_fields",
        "content_type",
    ]

    @st.composite
    def case(draw):
        n = next(counter)
        fields = dict(valid(n))
        fields.update(hidden)
        fields["form_token"] = make_form_token(now=time.time() - 10)
        extra_pairs = []
        # Django reads the last of repeated keys, so repeats go first.
        repeats = []
        # Why the case must be refused, as (field, value it must still have
        # when sent); judged once every mutation is in, since a later one may
        # overwrite an earlier one. MISSING: the field must be absent.
        refusals = []
        always_refused = False
        content_type = "application/x-www-form-urlencoded"
        kinds_drawn = draw(st.lists(st.sampled_from(kinds), max_size=4))
        for kind in kinds_drawn:
            if kind == "replace":
                name = draw(st.sampled_from(sorted(valid(0))))
                fields[name] = draw(value)
            elif kind == "drop":
                name = draw(st.sampled_from(required))
                fields.pop(name, None)
                refusals.append((name, MISSING))
            elif kind == "duplicate":
                name = draw(st.sampled_from(sorted(fields)))
                repeats.append((name, draw(value)))
            elif kind == "extra":
                name = draw(st.sampled_from(MASS_ASSIGNMENT))
                extra_pairs.append((name, draw(st.one_of(text, st.sampled_from(
                    ["spam", "closed", "1", "on", "true", "2020-01-01", "CR-HACKED"])))))  # fmt: skip
            elif kind == "bad_choice" and choices:
                name = draw(st.sampled_from(sorted(choices)))
                bad = draw(text)
                if isinstance(bad, str) and bad not in choices[name]:
                    fields[name] = bad
                    refusals.append((name, bad))
            elif kind == "nul":
                name = draw(st.sampled_from(TEXT_FIELDS[path]))
                fields[name] = "Jane\x00Doe"
                refusals.append((name, fields[name]))
            elif kind == "too_long":
                name, limit = draw(st.sampled_from(sorted(LIMITS[path].items())))
                fields[name] = "z" * (limit + 1)
                refusals.append((name, fields[name]))
            elif kind == "token":
                fields["form_token"] = draw(st.sampled_from(
                    ["", "garbage", fields["form_token"][:-2] + "xx",
                     make_form_token(now=time.time()),
                     make_form_token(now=time.time() - 3 * 3600)]))  # fmt: skip
                refusals.append(("form_token", fields["form_token"]))
            elif kind == "honeypot":
                fields["website"] = draw(
                    st.text(min_size=1, max_size=30).filter(str.strip)
                )
                # A bot gets the thank-you page; nothing is stored.
                refusals.append(("website", fields["website"]))
            elif kind == "crlf":
                name = draw(st.sampled_from(sorted(valid(0))))
                fields[name] = f"{fields.get(name, '')}\r\nBcc: victim@example.org"
            elif kind == "many_fields":
                extra_pairs += [(f"f{i}", "x") for i in range(1500)]
                always_refused = True
            elif kind == "content_type":
                content_type = draw(st.sampled_from(
                    ["text/plain", "application/json", "multipart/form-data",
                     "application/x-www-form-urlencoded; charset=latin-1", ""]))  # fmt: skip
                always_refused |= content_type not in (
                    "application/x-www-form-urlencoded; charset=latin-1",
                )
        pairs = [
            *repeats,
            *(
                (k, item)
                for k, v in fields.items()
                for item in (v if isinstance(v, list) else [v])
            ),
            *extra_pairs,
        ]
        sent = dict(pairs)  # the last value of each key, as Django reads it
        must_refuse = always_refused or any(
            sent.get(name, MISSING) == expected for name, expected in refusals
        )
        return {
            "kinds": kinds_drawn,
            "pairs": pairs,
            "must_refuse": must_refuse,
            "content_type": content_type,
        }

    def check(c):
        tally.cases += 1
        close_old_connections()
        before = model.objects.count()
        body = encode_pairs(c["pairs"])
        status, _headers, _content = client.request(
            "POST", path, body=body, content_type=c["content_type"]
        )
        tally.statuses[status] += 1
        stored = model.objects.count() - before
        if status >= 500:
            tally.fail("status_500", c)
        if stored and c["must_refuse"]:
            tally.fail("stored_from_invalid_input", c)
        if stored:
            row = model.objects.order_by("-pk").first()
            for problem in TRIAGE_CHECK[path](row):
                tally.fail(problem, c)
        for problem, detail in mail.new_problems(email_of(row) if stored else ""):
            tally.fail(problem, detail)
        if status not in (200, 302, 303, 400, 403):
            tally.fail(f"unexpected_status_{status}", c)

    run_hypothesis(case(), check, examples)


def fuzz_admin(tally, *, mode, examples):
    from django.db import close_old_connections
    from django.utils.html import escape

    st, text, value = strategies()
    client = admin_client()
    paths = ADMIN_CHANGELISTS
    filter_keys = [
        "status", "status__exact", "location", "location__id__exact",
        "location__slug__exact", "urgent__exact", "created_at__gte",
        "created_at__lt", "created_at__year", "created_at__month",
        "created_at__day", "assigned_to__id__exact", "assigned_to__isnull",
        "language__exact", "o", "p", "all", "e", "q", "_to_field", "_popup",
        "_changelist_filters", "id__in", "location__name",
    ]  # fmt: skip

    offered = {path: discover_parameters(client, path) for path in paths}
    log(f"{tally.name}: parameters offered {offered}")

    @st.composite
    def case(draw):
        path = draw(st.sampled_from(paths))
        keys = st.sampled_from(sorted(offered[path]) or filter_keys)
        if mode == "search":
            term = draw(value)
            pairs = [("q", term)] + draw(
                st.lists(st.tuples(st.sampled_from(filter_keys), text), max_size=1)
            )
        else:
            term = None
            # Mostly the parameters the page itself offers, so the filters run.
            key = st.one_of(keys, keys, keys, st.sampled_from(filter_keys), text)
            plausible = st.sampled_from(
                ["1", "2", "3", "new", "contacting", "spam", "0", "yes", "no",
                 "True", "2026-01-01", "-created_at", "1.2", ""])  # fmt: skip
            pairs = draw(
                st.lists(
                    st.tuples(key, st.one_of(value, plausible, plausible)),
                    min_size=1,
                    max_size=2,
                )
            )
        return {"path": path, "pairs": pairs, "term": term}

    def check(c):
        tally.cases += 1
        close_old_connections()
        status, _headers, content = client.request(
            "GET", c["path"], query=encode_pairs(c["pairs"])
        )
        tally.statuses[status] += 1
        if status >= 500:
            tally.fail("status_500", c)
        if status not in (200, 302, 400, 404):
            tally.fail(f"unexpected_status_{status}", c)
        term = c["term"]
        # Long enough that finding it verbatim cannot be chance ("<" alone is
        # on every page).
        if (
            status == 200
            and isinstance(term, str)
            and "<" in term
            and 8 <= len(term.strip()) < 5000
        ):
            page = content.decode("utf-8", "replace")
            if term.strip() in page and escape(term.strip()) != term.strip():
                tally.fail("search_term_reflected_unescaped", term)

    run_hypothesis(case(), check, examples)


def discover_parameters(client, path):
    """The query parameters a change list's own filter and sort links use."""
    from html import unescape
    from urllib.parse import parse_qsl

    status, _headers, content = client.request("GET", path)
    assert status == 200, (path, status)
    keys = set()
    for href in re.findall(r'href="\?([^"]*)"', content.decode()):
        keys.update(k for k, _v in parse_qsl(unescape(href)))
    return keys


def admin_client():
    from django.contrib.auth import get_user_model
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    User = get_user_model()
    password = secrets.token_urlsafe(16)
    user = User.objects.filter(
        username="fuzz-admin"
    ).first() or User.objects.create_superuser(
        "fuzz-admin", "fuzz-admin@clinic.example", password
    )
    user.set_password(password)
    user.save()
    device = TOTPDevice.objects.create(user=user, name="fuzz", confirmed=True)
    client = WsgiClient()
    login = f"/{ADMIN}login/"
    form, hidden = form_on(client, login, "username")
    status, _h, _b = client.request(
        "POST",
        login,
        body=encode_pairs(
            [
                *hidden.items(),
                ("username", user.username),
                ("password", password),
                ("otp_device", device.persistent_id),
                ("otp_token", f"{totp(device.bin_key):06d}"),
                ("next", f"/{ADMIN}"),
            ]
        ),
        content_type="application/x-www-form-urlencoded",
    )
    assert status == 302, f"admin sign-in failed ({status})"
    return client


# -- wiring: what each target looks like ----------------------------------------
STAFF_ADDRESSES: set = set()
EXPECTED_HEADERS: set = set()
TEXT_FIELDS: dict = {}
LIMITS: dict = {}
TRIAGE_CHECK: dict = {}
ADMIN_CHANGELISTS: list = []


def _consultation_triage_problems(row):
    problems = []
    if row.status != "new":
        problems.append("triage_field_set_from_form:status")
    if row.assigned_to_id is not None:
        problems.append("triage_field_set_from_form:assigned_to")
    if row.internal_notes:
        problems.append("triage_field_set_from_form:notes")
    if row.urgent and row.self_harm_answer != "yes":
        problems.append("triage_field_set_from_form:urgent")
    if "HACKED" in row.reference:
        problems.append("triage_field_set_from_form:reference")
    return problems


def _waitlist_problems(row):
    return []


def baseline(page, path, valid):
    """One valid submission: proves the target accepts input at all, and records
    which headers and recipients a legitimate email has."""
    from mailer.models import Message

    from core.protection import make_form_token

    client = WsgiClient()
    _form, hidden = form_on(client, page, "website")
    first = Message.objects.order_by("-id").values_list("id", flat=True).first() or 0
    fields = {**valid(0), **hidden, "form_token": make_form_token(now=time.time() - 10)}
    pairs = [
        (k, item)
        for k, v in fields.items()
        for item in (v if isinstance(v, list) else [v])
    ]
    status, headers, body = client.request(
        "POST", path, body=encode_pairs(pairs),
        content_type="application/x-www-form-urlencoded",
    )  # fmt: skip
    assert status in (302, 303), f"a valid submission to {path} was refused ({status})"
    for message in Message.objects.filter(id__gt=first):
        EXPECTED_HEADERS.update(name.lower() for name in message.email.message().keys())


def main():
    began = time.time()
    targets = os.environ.get("FUZZ_TARGETS", ",".join(PLAN)).split(",")
    prepare()
    from consultations.models import ConsultationRequest
    from locations.models import Location, WaitlistEntry

    open_slugs = list(
        Location.objects.accepting_requests().values_list("slug", flat=True)
    )
    coming = Location.objects.filter(status=Location.Status.COMING_SOON).first()
    for location in Location.objects.all():
        STAFF_ADDRESSES.update(location.notification_email_list or [])
        if location.email:
            STAFF_ADDRESSES.add(location.email)  # reply-to of waitlist emails

    def consultation(n):
        return {
            "first_name": f"Fuzz{n}",
            "last_name": "Patient",
            "phone": fictional_phone(n),
            "email": f"fuzz-{n}@example.org",
            "location": open_slugs[n % len(open_slugs)],
            "preferred_contact": "phone",
            "language": "en",
            "call_times": ["morning"],
            "consent": "on",
            "message": "Please call after 5pm.",
        }

    def waitlist(n):
        return {
            "name": f"Fuzz Waiter {n}",
            "email": f"wait-{n}@example.org",
            "phone": fictional_phone(n),
            "preferred_contact": "email",
            "consent": "on",
        }

    consultation_path = "/consultation/"
    waitlist_path = f"/locations/{coming.slug}/waitlist/"
    TEXT_FIELDS.update(
        {
            consultation_path: ["first_name", "last_name", "message", "heard_about"],
            waitlist_path: ["name"],
        }
    )
    LIMITS.update(
        {
            consultation_path: {
                "first_name": 60,
                "last_name": 60,
                "message": 1000,
                "heard_about": 100,
            },
            waitlist_path: {"name": 100},
        }
    )
    TRIAGE_CHECK.update(
        {
            consultation_path: _consultation_triage_problems,
            waitlist_path: _waitlist_problems,
        }
    )
    ADMIN_CHANGELISTS.extend(
        [
            f"/{ADMIN}consultations/consultationrequest/",
            f"/{ADMIN}locations/waitlistentry/",
            f"/{ADMIN}consultations/accesslog/",
        ]
    )
    forms = {
        "consultation_form": {
            "page": consultation_path,
            "path": consultation_path,
            "model": ConsultationRequest,
            "valid": consultation,
            "choices": {
                "location": set(open_slugs),
                "preferred_contact": {"phone", "text", "email"},
                "language": {"en", "es"},
                "interest": {
                    "",
                    "depression",
                    "anxiety",
                    "ptsd",
                    "ocd",
                    "chronic_pain",
                    "other",
                },
                "self_harm": {"", "yes", "no", "prefer_not"},
            },  # fmt: skip
            "required": [
                "first_name",
                "last_name",
                "phone",
                "location",
                "preferred_contact",
                "language",
                "consent",
                "csrfmiddlewaretoken",
            ],  # fmt: skip
            "email_of": lambda row: row.email,
        },
        "waitlist_form": {
            "page": coming.get_absolute_url(),
            "path": waitlist_path,
            "model": WaitlistEntry,
            "valid": waitlist,
            "choices": {"preferred_contact": {"", "email", "phone", "text"}},
            "required": ["name", "consent", "csrfmiddlewaretoken"],
            "email_of": lambda row: row.email,
        },
    }

    results = {}
    for key in targets:
        tally = Tally(key)
        examples = int(PLAN[key] * SCALE)
        if key in forms:
            spec = forms[key]
            baseline(spec["page"], spec["path"], spec["valid"])
            fuzz_public_form(tally, examples=examples, **spec)
        else:
            fuzz_admin(tally, mode=key.removeprefix("admin_"), examples=examples)
        results[key] = tally.result()
        log(f"{key}: {json.dumps(results[key])[:600]}")

    totals = Counter()
    for r in results.values():
        totals["cases"] += r["cases"]
        totals.update(r["failures"])
    failures = {k: v for k, v in totals.items() if k != "cases" and v}
    summary = {
        "drill": "fuzz",
        "finished": time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime()),
        "seconds": round(time.time() - began, 1),
        "machine": {
            "cpus": os.cpu_count(),
            "loadavg_1_5_15": [round(x, 2) for x in os.getloadavg()],
        },
        "stack": "Django WSGIHandler in-process; production settings; "
        "PostgreSQL; Redis",
        "total_cases": totals["cases"],
        "status_500": totals["status_500"],
        "stored_from_invalid_input": totals["stored_from_invalid_input"],
        "extra_email_recipients_or_headers": sum(
            totals[k]
            for k in (
                "extra_recipients",
                "extra_headers",
                "header_line_break",
                "unbuildable_email",
            )
        ),
        "all_failures": failures,
        "targets": results,
        "log_records": dict(LOG_COUNTS.most_common()),
        "provenance": provenance("bench/fuzz.py"),
    }
    RESULT_PATH.parent.mkdir(parents=True, exist_ok=True)
    RESULT_PATH.write_text(json.dumps(summary, indent=2, default=str) + "\n")
    drop_database()
    ok = summary["total_cases"] >= sum(PLAN.values()) * SCALE and not failures
    headline = {k: summary[k] for k in ("total_cases", "status_500",
                "stored_from_invalid_input", "extra_email_recipients_or_headers")}  # fmt: skip
    log(f"fuzz: {'PASS' if ok else 'FAIL'} {headline} failures={failures}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
