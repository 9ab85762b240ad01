"""Sequential real consultation requests against a running server; times each POST.

    python bench/form_post.py BASE_URL OUT.json [COUNT]

Each round GETs /consultation/ (for the CSRF cookie and the form's fields),
then POSTs a valid request. The form refuses anything sent faster than a
person could type, and a gunicorn process cannot be patched from here, so the
render-time token is made afresh with core.protection.make_form_token,
dated ten seconds back, signed with the server's DJANGO_SECRET_KEY. Only the
POST is timed, up to its redirect to the thank-you page (not followed).
"""

import http.client
import json
import os
import statistics
import sys
import time
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def token_maker():
    import django
    from django.conf import settings

    settings.configure(SECRET_KEY=os.environ["DJANGO_SECRET_KEY"], USE_I18N=False)
    django.setup()
    from core.protection import make_form_token

    return make_form_token


class FormFields(HTMLParser):
    """The named fields of the page's POST form, with what a person would enter."""

    def __init__(self):
        super().__init__()
        self.in_form = False
        self.fields = {}
        self.select = None
        self.textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self.in_form = True
        if tag == "option" and self.select and a.get("value"):
            if "disabled" not in a:
                self.fields.setdefault(self.select, a["value"])
            return
        if not self.in_form or not a.get("name"):
            return
        name = a["name"]
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("hidden", "submit"):
                self.fields[name] = a.get("value", "")
            elif kind == "checkbox":
                self.fields.setdefault(name, a.get("value", "on"))
            elif kind == "radio":
                # Keep the defaults; optional questions stay unanswered.
                if "checked" in a:
                    self.fields[name] = a.get("value", "on")
            elif name != "website":  # the honeypot stays empty
                self.fields[name] = {
                    "email": "bench@example.org",
                    "tel": "(510) 555-0142",
                    "date": "1980-01-01",
                    "number": "1",
                }.get(kind, "Bench Tester")
            else:
                self.fields[name] = ""
        elif tag == "select":
            self.select = name
        elif tag == "textarea":
            self.fields[name] = "Benchmark request, please ignore."

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        elif tag == "select":
            self.select = None


# Fictional numbers: 555-0100 to 555-0199 in real area codes.
AREA_CODES = ["503", "415", "916", "213", "206", "312", "617", "202", "305", "971"]


def percentile(values, pct):
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


def main():
    base, out = sys.argv[1], Path(sys.argv[2])
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 200
    make_form_token = token_maker()
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    timings, statuses = [], {}
    for i in range(count):
        conn.request("GET", "/consultation/")
        page = conn.getresponse()
        html = page.read().decode()
        if page.status != 200 or "csrfmiddlewaretoken" not in html:
            sys.stdout.write(f"/consultation/ has no form yet ({page.status})\n")
            out.write_text(json.dumps({"skipped": "no form on /consultation/"}) + "\n")
            return
        cookie = SimpleCookie()
        for header in page.headers.get_all("Set-Cookie") or []:
            cookie.load(header)
        parser = FormFields()
        parser.feed(html)
        fields = parser.fields
        fields["form_token"] = make_form_token(now=time.time() - 10)
        # A different contact each time: a repeat from the same phone or email
        # within a day is merged into the first request, which costs less.
        fields["email"] = f"bench+{i}@example.org"
        fields["phone"] = (
            f"({AREA_CODES[i // 100 % len(AREA_CODES)]}) 555-01{i % 100:02d}"
        )
        body = urlencode(fields)
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "; ".join(f"{k}={m.value}" for k, m in cookie.items()),
            "Referer": f"{base}/consultation/",
            "Origin": base,
        }
        start = time.perf_counter()
        conn.request("POST", "/consultation/", body=body, headers=headers)
        response = conn.getresponse()
        answer = response.read()
        timings.append((time.perf_counter() - start) * 1000)
        statuses[response.status] = statuses.get(response.status, 0) + 1
        if response.status not in (302, 303) and i == 0:
            sys.stderr.write(f"first POST answered {response.status}, not a redirect\n")
            out.with_suffix(".first-answer.html").write_bytes(answer)
    summary = {
        "posts": count,
        "statuses": {str(k): v for k, v in statuses.items()},
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(percentile(timings, 95), 1),
        "p99_ms": round(percentile(timings, 99), 1),
        "max_ms": round(max(timings), 1),
        "mean_ms": round(statistics.mean(timings), 1),
    }
    out.write_text(json.dumps(summary, indent=2) + "\n")
    sys.stdout.write(json.dumps(summary) + "\n")


if __name__ == "__main__":
    main()
