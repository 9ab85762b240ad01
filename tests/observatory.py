"""A local stand-in for the MDN HTTP Observatory, scored from test-client responses.

It follows the modifier table of the security test plan (section 3, algorithm
v6): start at 100, subtract every penalty, and add bonuses only when the
penalised score is still at least 90. Each test is judged on the *worst*
response seen, so one weak page lowers the whole score, unlike the real
scanner, which only looks at the home page.

Alongside the score, ``required_header_problems`` lists the issue's own, stricter
requirements (HSTS ≥ 1 year, XFO DENY, CSP base-uri/form-action, ...).
"""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

EXTRA_CREDIT_THRESHOLD = 90
ONE_YEAR = 31536000
SIX_MONTHS = 15768000
PRIVATE_REFERRER_POLICIES = {
    "no-referrer",
    "same-origin",
    "strict-origin",
    "strict-origin-when-cross-origin",
}
UNSAFE_REFERRER_POLICIES = {
    "origin",
    "origin-when-cross-origin",
    "unsafe-url",
    "no-referrer-when-downgrade",
}
GOOD_COOP = {"same-origin", "same-origin-allow-popups", "noopener-allow-popups"}
# Sources that let a script or plugin come from almost anywhere.
BROAD_SOURCES = {"*", "http:", "https:", "data:", "blob:", "filesystem:"}
VERSION_PATTERN = re.compile(r"\d+\.\d+|/\d")


def parse_csp(header: str) -> dict[str, list[str]]:
    policy = {}
    for part in header.split(";"):
        tokens = part.split()
        if tokens:
            # The first occurrence of a directive wins, as in browsers.
            policy.setdefault(tokens[0].lower(), [t.lower() for t in tokens[1:]])
    return policy


def _effective(policy, directive):
    return policy.get(directive, policy.get("default-src"))


def csp_result(headers) -> tuple[str, int]:
    header = headers.get("Content-Security-Policy")
    if not header:
        return "csp-not-implemented", -25
    policy = parse_csp(header)
    script = _effective(policy, "script-src")
    objects = _effective(policy, "object-src")
    if script is None or objects is None:
        return "csp-implemented-with-unsafe-inline", -20
    if "'unsafe-inline'" in script or BROAD_SOURCES & set(script + objects):
        return "csp-implemented-with-unsafe-inline", -20
    if any(
        source.startswith("http:") for sources in policy.values() for source in sources
    ):
        return "csp-implemented-with-insecure-scheme", -20
    if "'unsafe-eval'" in script:
        return "csp-implemented-with-unsafe-eval", -10
    if policy.get("default-src") == ["'none'"] and "form-action" in policy:
        return "csp-implemented-with-no-unsafe-default-src-none", 10
    styles = _effective(policy, "style-src") or []
    if "'unsafe-inline'" in styles or BROAD_SOURCES & set(styles):
        return "csp-implemented-with-unsafe-inline-in-style-src-only", 0
    return "csp-implemented-with-no-unsafe", 5


def referrer_result(headers) -> tuple[str, int]:
    header = headers.get("Referrer-Policy")
    if not header:
        return "referrer-policy-not-implemented", 0
    # Browsers use the last value they understand.
    value = header.split(",")[-1].strip().lower()
    if value in PRIVATE_REFERRER_POLICIES:
        return "referrer-policy-private", 5
    if value in UNSAFE_REFERRER_POLICIES:
        return "referrer-policy-unsafe", -5
    return "referrer-policy-header-invalid", -5


def parse_hsts(header: str) -> dict:
    parsed = {"max-age": None, "includesubdomains": False, "preload": False}
    for part in header.split(";"):
        name, _, value = part.strip().partition("=")
        name = name.lower()
        if name == "max-age":
            try:
                parsed["max-age"] = int(value.strip('"'))
            except ValueError:
                return {}
        elif name in parsed:
            parsed[name] = True
    return parsed


def hsts_result(headers) -> tuple[str, int]:
    header = headers.get("Strict-Transport-Security")
    if not header:
        return "hsts-not-implemented", -20
    parsed = parse_hsts(header)
    if not parsed or parsed["max-age"] is None:
        return "hsts-header-invalid", -20
    if parsed["max-age"] < SIX_MONTHS:
        return "hsts-implemented-max-age-less-than-six-months", -10
    # "preload" in the header is not being on the preload list: no bonus.
    return "hsts-implemented-max-age-at-least-six-months", 0


def frame_result(headers) -> tuple[str, int]:
    csp = parse_csp(headers.get("Content-Security-Policy", ""))
    if "frame-ancestors" in csp and not {"*", "http:", "https:"} & set(
        csp["frame-ancestors"]
    ):
        return "x-frame-options-implemented-via-csp", 5
    value = headers.get("X-Frame-Options", "").strip().upper()
    if not value:
        return "x-frame-options-not-implemented", -20
    if value in {"DENY", "SAMEORIGIN"}:
        # The plan's v6 table gives +5 here; the last code we could read gave 0.
        return "x-frame-options-sameorigin-or-deny", 0
    return "x-frame-options-header-invalid", -20


def nosniff_result(headers) -> tuple[str, int]:
    value = headers.get("X-Content-Type-Options")
    if value is None:
        return "x-content-type-options-not-implemented", -5
    if value.strip().lower() == "nosniff":
        return "x-content-type-options-nosniff", 0
    return "x-content-type-options-header-invalid", -5


def _policy_header_result(headers, name, slug, good):
    value = headers.get(name)
    if value is None:
        return f"{slug}-not-implemented", 0
    value = value.split(";")[0].strip().lower()
    if value in good:
        return f"{slug}-implemented-with-{value}", 10
    if value in {"cross-origin", "unsafe-none"}:
        return f"{slug}-implemented-with-{value}", 0
    return f"{slug}-header-invalid", -5


def corp_result(headers):
    return _policy_header_result(
        headers,
        "Cross-Origin-Resource-Policy",
        "cross-origin-resource-policy",
        {"same-origin", "same-site"},
    )


def coop_result(headers):
    return _policy_header_result(
        headers, "Cross-Origin-Opener-Policy", "cross-origin-opener-policy", GOOD_COOP
    )


def coep_result(headers):
    return _policy_header_result(
        headers,
        "Cross-Origin-Embedder-Policy",
        "cross-origin-embedder-policy",
        {"require-corp", "credentialless"},
    )


def cors_result(headers, sent_origin: str) -> tuple[str, int]:
    allowed = headers.get("Access-Control-Allow-Origin")
    if not allowed:
        return "cross-origin-resource-sharing-not-implemented", 0
    credentials = headers.get("Access-Control-Allow-Credentials", "").lower() == "true"
    if allowed == sent_origin and credentials:
        return "cross-origin-resource-sharing-implemented-with-universal-access", -50
    if allowed == "*":
        return "cross-origin-resource-sharing-implemented-with-public-access", 0
    return "cross-origin-resource-sharing-implemented-with-restricted-access", 0


class _ScriptCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.scripts = []

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            attrs = dict(attrs)
            if attrs.get("src"):
                self.scripts.append(attrs)


def sri_result(headers, body: bytes, host: str) -> tuple[str, int]:
    if "html" not in headers.get("Content-Type", ""):
        return "sri-not-implemented-response-not-html", 0
    collector = _ScriptCollector()
    collector.feed(body.decode("utf-8", "replace"))
    if not collector.scripts:
        return "sri-not-implemented-but-no-scripts-loaded", 0
    worst = ("sri-not-implemented-but-all-scripts-loaded-from-secure-origin", 0)
    for attrs in collector.scripts:
        src = urlsplit(attrs["src"])
        if not src.netloc or src.netloc == host and src.scheme in ("", "https"):
            continue
        insecure = src.scheme != "https"
        if attrs.get("integrity"):
            result = (
                ("sri-implemented-but-external-scripts-not-loaded-securely", -20)
                if insecure
                else ("sri-implemented-and-external-scripts-loaded-securely", 5)
            )
        else:
            result = (
                ("sri-not-implemented-and-external-scripts-not-loaded-securely", -50)
                if insecure
                else ("sri-not-implemented-but-external-scripts-loaded-securely", -5)
            )
        worst = min(worst, result, key=lambda r: r[1])
    return worst


def _is_session_cookie(name):
    name = name.lower()
    return "login" in name or "sess" in name


def cookies_result(morsels, hsts: bool) -> tuple[str, int]:
    """Judge every cookie the site set, across all responses."""
    if not morsels:
        return "cookies-not-found", 0
    worst = None
    all_samesite = True
    for morsel in morsels:
        session = _is_session_cookie(morsel.key)
        samesite = (morsel["samesite"] or "").lower()
        if samesite and samesite not in {"strict", "lax", "none"}:
            candidate = ("cookies-samesite-flag-invalid", -20)
        elif not morsel["secure"]:
            if session:
                candidate = (
                    ("cookies-session-without-secure-flag-but-protected-by-hsts", -10)
                    if hsts
                    else ("cookies-session-without-secure-flag", -40)
                )
            else:
                candidate = (
                    ("cookies-without-secure-flag-but-protected-by-hsts", -5)
                    if hsts
                    else ("cookies-without-secure-flag", -20)
                )
        elif session and not morsel["httponly"]:
            candidate = ("cookies-session-without-httponly-flag", -30)
        elif "csrf" in morsel.key.lower() and not samesite:
            candidate = ("cookies-anticsrf-without-samesite-flag", -20)
        else:
            candidate = None
        if candidate and (worst is None or candidate[1] < worst[1]):
            worst = candidate
        all_samesite = all_samesite and bool(samesite)
    if worst:
        return worst
    if all_samesite:
        return "cookies-secure-with-httponly-sessions-and-samesite", 5
    return "cookies-secure-with-httponly-sessions", 0


def redirection_result(status: int, location: str, host: str) -> tuple[str, int]:
    """Judge the answer to a plain-HTTP request for the home page."""
    if status not in (301, 302, 307, 308) or not location:
        return "redirection-missing", -20
    target = urlsplit(location)
    if target.scheme != "https":
        return "redirection-not-to-https", -20
    if target.netloc != host:
        return "redirection-off-host-from-http", -5
    return "redirection-to-https", 0


@dataclass
class Scorecard:
    """Worst result per Observatory test, plus the issue's own requirements."""

    results: dict[str, tuple[str, int]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def record(self, test: str, result: tuple[str, int]) -> None:
        current = self.results.get(test)
        if current is None or result[1] < current[1]:
            self.results[test] = result

    @property
    def failed(self) -> dict[str, tuple[str, int]]:
        return {test: r for test, r in self.results.items() if r[1] < 0}

    @property
    def score(self) -> int:
        modifiers = [modifier for _name, modifier in self.results.values()]
        uncurved = 100 + sum(m for m in modifiers if m < 0)
        if uncurved >= EXTRA_CREDIT_THRESHOLD:
            uncurved += sum(m for m in modifiers if m > 0)
        return max(uncurved, 0)

    @property
    def grade(self) -> str:
        for floor, grade in [
            (100, "A+"),
            (90, "A"),
            (85, "A-"),
            (80, "B+"),
            (70, "B"),
            (65, "B-"),
            (60, "C+"),
            (50, "C"),
            (45, "C-"),
            (40, "D+"),
            (30, "D"),
            (25, "D-"),
        ]:
            if self.score >= floor:
                return grade
        return "F"

    def report(self) -> str:
        lines = [f"Observatory-style score {self.score} ({self.grade})"]
        lines += [
            f"  {test:<32} {name} ({modifier:+d})"
            for test, (name, modifier) in sorted(self.results.items())
        ]
        lines += [f"  PROBLEM {problem}" for problem in self.problems]
        return "\n".join(lines)


def score_response(card: Scorecard, path: str, headers, body: bytes, host: str):
    """Record every per-response Observatory test for one HTTPS response."""
    card.record("content-security-policy", csp_result(headers))
    card.record("referrer-policy", referrer_result(headers))
    card.record("strict-transport-security", hsts_result(headers))
    card.record("x-frame-options", frame_result(headers))
    card.record("x-content-type-options", nosniff_result(headers))
    card.record("cross-origin-resource-policy", corp_result(headers))
    card.record("cross-origin-opener-policy", coop_result(headers))
    card.record("cross-origin-embedder-policy", coep_result(headers))
    card.record("subresource-integrity", sri_result(headers, body, host))
    card.problems += [f"{path}: {p}" for p in required_header_problems(headers)]


def required_header_problems(headers) -> list[str]:
    """The issue's requirements, stricter than the Observatory's in places."""
    problems = []
    csp_header = headers.get("Content-Security-Policy", "")
    csp = parse_csp(csp_header)
    script = _effective(csp, "script-src") or []
    if not csp_header:
        problems.append("no enforced Content-Security-Policy")
    if {"'unsafe-inline'", "'unsafe-eval'"} & set(script):
        problems.append(f"unsafe script-src {script}")
    if _effective(csp, "object-src") != ["'none'"]:
        problems.append("object-src is not 'none'")
    if csp.get("base-uri") not in (["'self'"], ["'none'"]):
        problems.append("base-uri is not 'self' or 'none'")
    if csp.get("frame-ancestors") != ["'none'"]:
        problems.append("frame-ancestors is not 'none'")
    if csp.get("form-action") not in (["'self'"], ["'none'"]):
        problems.append("form-action is not 'self'")

    hsts = parse_hsts(headers.get("Strict-Transport-Security", ""))
    if not hsts or (hsts["max-age"] or 0) < ONE_YEAR or not hsts["includesubdomains"]:
        problems.append(
            "HSTS missing, shorter than a year, or without includeSubDomains"
        )
    if headers.get("X-Content-Type-Options", "").lower() != "nosniff":
        problems.append("X-Content-Type-Options is not nosniff")
    referrer = headers.get("Referrer-Policy", "").split(",")[-1].strip().lower()
    if referrer not in PRIVATE_REFERRER_POLICIES:
        problems.append(f"Referrer-Policy {referrer!r} is weaker than strict-origin")
    if headers.get("X-Frame-Options", "").upper() != "DENY":
        problems.append("X-Frame-Options is not DENY")
    if headers.get("Cross-Origin-Opener-Policy", "").lower() != "same-origin":
        problems.append("Cross-Origin-Opener-Policy is not same-origin")
    features = {
        part.strip().split("=")[0]: part.strip().partition("=")[2]
        for part in headers.get("Permissions-Policy", "").split(",")
        if part.strip()
    }
    for feature in ("camera", "microphone", "geolocation"):
        if features.get(feature) != "()":
            problems.append(f"Permissions-Policy does not switch off {feature}")
    problems += banner_problems(headers)
    return problems


def banner_problems(headers) -> list[str]:
    problems = []
    for name in ("Server", "X-Powered-By", "X-AspNet-Version", "X-Generator"):
        value = headers.get(name)
        if name != "Server" and value:
            problems.append(f"{name} header present: {value!r}")
        elif value and VERSION_PATTERN.search(value):
            problems.append(f"{name} header carries a version: {value!r}")
    return problems
