"""No secret is committed: every tracked file is scanned for key material.

The test files and .env.example are left out: they hold throwaway values on
purpose. Fake secrets below are assembled at run time so that this file never
contains one either.
"""

import math
import re
import subprocess
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXEMPT_PREFIXES = ("tests/",)
EXEMPT_FILES = {".env.example"}

PATTERNS = {
    "private key block": re.compile(
        r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"
    ),
    "AWS access key id": re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    "Django insecure key": re.compile(r"django-insecure-"),
    "Stripe live key": re.compile(r"\b[rs]k_live_[0-9A-Za-z]{10,}"),
    "GitHub token": re.compile(r"\bgh[opsu]_[0-9A-Za-z]{30,}"),
    "Slack token": re.compile(r"\bxox[abprs]-[0-9A-Za-z-]{10,}"),
    "Google API key": re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"),
}
# NAME = "value" / NAME: value / "NAME": "value", where NAME mentions a secret.
ASSIGNMENT = re.compile(
    r"""(?ix)
    (?P<name>[\w.-]*(?:secret|password|passwd|token|api_?key|private_?key)[\w.-]*)
    ["']?\s*(?::|=|:=)\s*
    (?P<quote>["']?)(?P<value>[^\s"'`,;)]{16,})(?P=quote)
    """
)
# Values that only point at where the secret really lives.
INDIRECTION = re.compile(r"^(?:\$|%|env|os\.|settings\.|<|\{|\[)", re.IGNORECASE)
MIN_ENTROPY_BITS_PER_CHAR = 3.5
WORD = re.compile(r"^[a-z]{2,}$")


def shannon_entropy(value: str) -> float:
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


def reads_like_words(value: str) -> bool:
    """A kebab-case placeholder such as "build-only-placeholder", not a key."""
    parts = [part for part in re.split(r"[-_.]", value) if part]
    return (
        len(parts) >= 2 and sum(map(bool, map(WORD.match, parts))) / len(parts) >= 0.6
    )


def find_secrets(text: str) -> list[str]:
    found = [label for label, pattern in PATTERNS.items() if pattern.search(text)]
    for match in ASSIGNMENT.finditer(text):
        value = match["value"]
        if INDIRECTION.match(value) or "(" in value or reads_like_words(value):
            continue
        if shannon_entropy(value) >= MIN_ENTROPY_BITS_PER_CHAR:
            found.append(f"high-entropy value for {match['name']}")
    return found


def tracked_files():
    names = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.split(b"\0")
    return [name.decode() for name in names if name]


def test_no_secret_is_committed():
    files = tracked_files()
    assert len(files) > 50, "git ls-files saw too little to prove anything"
    offenders = {}
    for name in files:
        path = ROOT / name
        if name.startswith(EXEMPT_PREFIXES) or name in EXEMPT_FILES:
            continue
        if not path.is_file():
            continue
        data = path.read_bytes()
        if b"\0" in data[:8192]:
            continue  # binary: images, fonts
        found = find_secrets(data.decode("utf-8", "replace"))
        if found:
            offenders[name] = found
    assert offenders == {}


def _fake(*parts):
    return "".join(parts)


@pytest.mark.parametrize(
    "text",
    [
        _fake("-----BEGIN ", "RSA PRIVATE KEY-----\nMIIEow..."),
        _fake("-----BEGIN ", "OPENSSH PRIVATE KEY-----"),
        _fake("-----BEGIN ", "PGP PRIVATE KEY BLOCK-----"),
        _fake("aws_access_key_id = AK", "IAQ3EGRZ7XW5T4NPLM"),
        _fake("SECRET_KEY = 'django-", "insecure-abc'"),
        _fake("STRIPE = 'sk_", "live_4eC39HqLyjWDarjtT1zdp7dc'"),
        _fake("DJANGO_SECRET_KEY=", "q8Zr2vX0pLk7WmN4sT9bYc3FhJ6uGdE1"),
        _fake('"api_token": "', 'f3a9C7e1B0d8A6b4E2c9F7a5D3b1e0C8"'),
        _fake("EMAIL_HOST_PASSWORD: ", "Tr0ub4dor&3xQzLmVw9Pk"),
        _fake("token=", "6a24520649f61a5812a97417b295cf8b"),
        _fake("SESSION_SECRET=", "DZOJXSwG-sgVz0v1_NicjmQ8NLkyi6PP"),
    ],
)
def test_scanner_catches_secret_looking_strings(text):
    assert find_secrets(text)


@pytest.mark.parametrize(
    "text",
    [
        'SECRET_KEY = env("DJANGO_SECRET_KEY")',
        "DJANGO_SECRET_KEY=",
        "EMAIL_HOST_PASSWORD = _email.get('EMAIL_HOST_PASSWORD', '')",
        "password = secrets.token_urlsafe(18)",
        "CSRF_COOKIE_NAME = '__Host-csrftoken'",
        'AXES_SENSITIVE_PARAMETERS = ["password", "otp_token"]',
        "POSTGRES_PASSWORD=change-me-please-now",
        "submission_token = models.CharField(max_length=64)",
        "RUN DJANGO_SECRET_KEY=build-only-placeholder \\",
        'SECRET_KEY = "tests-only-key-not-used-anywhere-else-0123456789"',
    ],
)
def test_scanner_leaves_ordinary_code_alone(text):
    assert find_secrets(text) == []
